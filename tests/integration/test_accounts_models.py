"""Accounts on PostgreSQL: e-mail login, organisations, the Statbel municipalities."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from cot_portal.accounts.models import Organisation, OrganisationType, User
from cot_portal.accounts.selectors import organisation_emails
from tests.factories import member_of, municipality

pytestmark = pytest.mark.django_db


def test_the_285_flemish_municipalities_and_the_vgc_are_loaded_from_statbel():
    municipalities = Organisation.objects.filter(type=OrganisationType.MUNICIPALITY)
    assert municipalities.count() == 285
    gent = municipality("44021")
    assert gent.name == "Gent"
    assert "9000" in gent.postal_codes.split(", ")
    assert Organisation.objects.filter(type=OrganisationType.VGC).count() == 1
    assert (
        not municipalities.filter(nis_code__startswith="2")
        .exclude(nis_code__regex=r"^2[34]")
        .exists()
    ), "Brussels (21xxx) and Walloon Brabant (25xxx) are not Flemish"


def test_users_log_in_with_a_case_insensitive_unique_email():
    user = User.objects.create_user("An.Aanvrager@Gent.be", "Sterk-wachtwoord-2025")
    assert user.email == "an.aanvrager@gent.be"
    assert User.objects.get_by_natural_key("AN.AANVRAGER@gent.be") == user
    with pytest.raises(IntegrityError):
        User.objects.create_user("an.aanvrager@gent.be", "x")


def test_a_municipality_without_nis_code_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        Organisation.objects.create(name="Nergensdorp", slug="nergensdorp", type="municipality")


def test_organisation_clean_normalises_kbo_and_iban_and_explains_errors_in_dutch():
    org = Organisation(
        name="Slimme Stad cvba",
        slug="slimme-stad",
        type=OrganisationType.COMPANY,
        enterprise_number="0207451227",
        iban="be68 5390 0754 7034",
    )
    org.full_clean()
    assert org.enterprise_number == "0207.451.227"
    assert org.iban == "BE68539007547034"

    org.enterprise_number = "0207.451.228"
    org.iban = "BE68 5390 0754 7035"
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        org.full_clean()
    errors = caught.value.message_dict
    assert "geen geldig ondernemingsnummer" in errors["enterprise_number"][0]
    assert "geen geldige IBAN" in errors["iban"][0]


def test_mail_to_an_organisation_skips_deactivated_accounts():
    """Letters and notices (R-LETTER, R-JURY-Q, the execution reminders) go to the members who
    still work there: an account VLAIO deactivated gets no more mail about the dossier."""
    gent = municipality("44021")
    member_of(gent, email="actief@gent.be")
    member_of(gent, email="vertrokken@gent.be", is_active=False)
    creator = User.objects.create_user("indiener@gent.be", "Sterk-wachtwoord-2025")

    assert organisation_emails(gent, creator) == ["actief@gent.be", "indiener@gent.be"]
