"""Factories for the test world. Municipalities come from the data migration (Statbel)."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.manual_2025 import CALL_2025
from applications.models import Call
from cot_portal.accounts.models import Membership, Organisation, StaffRole, User

PASSWORD = "Correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.be")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=StaffRole(role).value)[0])
        if extracted:
            self.is_staff = True
        self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kennisinstelling {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    type = "knowledge"


def municipality(nis_code: str) -> Organisation:
    """A real Flemish municipality as loaded by the data migration."""
    return Organisation.objects.get(nis_code=nis_code)


def member_of(organisation: Organisation, role: str = "admin", **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def call_2025(**overrides) -> Call:
    return Call.objects.create(**{**CALL_2025, **overrides})


def open_call(**overrides) -> Call:
    now = timezone.now()
    values = {
        **CALL_2025,
        "year": 2030,
        "title": "Oproep City of Things 2030",
        "idea_phase_opens": now - timedelta(days=10),
        "idea_deadline": now + timedelta(days=10),
        "application_deadline": now + timedelta(days=60),
        "decision_date_estimated": (now + timedelta(days=120)).date(),
    }
    values.update(overrides)
    return Call.objects.create(**values)
