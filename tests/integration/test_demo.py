"""The demo of `make run` (cot_portal.core.demo and demo_lifecycle): every phase has something
to try, loading twice changes nothing, and each demo login's key pages open."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Application, ApplicationStatus, Call, Idea, Submission
from cot_portal.accounts.models import User
from cot_portal.core.demo import load_demo
from cot_portal.letters.models import Letter
from payments.models import (
    CostStatementLine,
    EndResult,
    Grant,
    LedgerEntry,
    Payment,
    PublicationStatus,
    Tranche,
    TrancheRequest,
)
from scoring.models import (
    Advice,
    ApplicationScoreSheet,
    DecisionOutcome,
    GovernmentDecision,
    JuryMember,
    SheetStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.COT_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Eight demo passwords are hashed: a fast hasher (nobody types them here).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> dict[str, int]:
    models = (
        User,
        Idea,
        Application,
        Submission,
        ApplicationScoreSheet,
        Advice,
        GovernmentDecision,
        DecisionOutcome,
        Grant,
        Tranche,
        TrancheRequest,
        Payment,
        LedgerEntry,
        CostStatementLine,
        EndResult,
        Letter,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_holds_every_phase_once_however_often_it_is_loaded():
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first

    # 2025: undecided, five admissible applications scored by both demo jurors, one draft left.
    call_2025 = Call.objects.get(year=2025)
    assert not GovernmentDecision.objects.filter(call=call_2025).exists()
    assert not Advice.objects.filter(call=call_2025).exists()
    applications = Application.objects.filter(call=call_2025)
    assert applications.count() == 5
    assert set(applications.values_list("status", flat=True)) == {ApplicationStatus.ADMISSIBLE}
    assert applications.values("organisation").distinct().count() == 5
    assert set(JuryMember.objects.filter(call=call_2025).values_list("user__email", flat=True)) == {
        "jurylid@vlaio.demo",
        "expert@jury.demo",
    }
    sheets = ApplicationScoreSheet.objects.filter(application__call=call_2025)
    assert sheets.filter(status=SheetStatus.SUBMITTED).count() == 9
    draft = sheets.get(status=SheetStatus.DRAFT)
    assert draft.juror.email == "expert@jury.demo"
    gent = applications.get(organisation__nis_code="44021")
    assert gent.created_by.email == "aanvrager@gent.demo"
    assert gent.partners.filter(organisation__nis_code="34022").exists()
    assert all(s.pdf and s.receipt_id for s in Submission.objects.all())

    # 2024: decided, with its letters and three grants.
    call_2024 = Call.objects.get(year=2024)
    decision = GovernmentDecision.objects.get(call=call_2024)
    assert decision.decision_date.isoformat() == "2025-02-14"
    outcomes = DecisionOutcome.objects.filter(decision=decision)
    assert outcomes.count() == 4 and not outcomes.filter(letter__isnull=True).exists()
    assert outcomes.filter(approved=True).count() == Grant.objects.filter(call=call_2024).count()
    assert Grant.objects.filter(call=call_2024).count() == 3

    # Money: Gent's tranche 1 paid by two officers, tranche 2 waiting; Leuven's proposal waiting.
    gent_grant = Grant.objects.get(call=call_2024, organisation__nis_code="44021")
    first_tranche = gent_grant.tranches.get(number=1)
    assert first_tranche.status == "paid"
    paid = first_tranche.payments.get(status="released")
    assert {paid.proposed_by.email, paid.approved_by.email} == {
        "financien@vlaio.demo",
        "financien2@vlaio.demo",
    }
    assert LedgerEntry.objects.get(payment=paid).amount == Decimal("320000.00")
    assert gent_grant.tranches.get(number=2).status == "requested"
    assert gent_grant.cost_lines.filter(status="pending").count() == 1
    assert all(line.evidence for line in gent_grant.cost_lines.all())
    proposed = Payment.objects.get(status="proposed")
    assert proposed.tranche.grant.organisation.nis_code == "24062"
    assert proposed.proposed_by.email == "financien@vlaio.demo"

    # The public register: published end results (a playbook with its PDF, lessons learned).
    published = EndResult.objects.filter(status=PublicationStatus.PUBLISHED)
    assert set(published.values_list("kind", flat=True)) == {"playbook", "lessons"}
    playbook = published.get(kind="playbook")
    with playbook.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert EndResult.objects.filter(status=PublicationStatus.REQUESTED).count() == 1


PAGES = [
    ("aanvrager@gent.demo", "core:dashboard", ()),
    ("aanvrager@gent.demo", "payments:project", ("AANVR-2024-0001",)),
    ("partner@kortrijk.demo", "core:dashboard", ()),
    ("aanvrager@leuven.demo", "core:dashboard", ()),
    ("callmanager@vlaio.demo", "core:dashboard", ()),
    ("callmanager@vlaio.demo", "scoring:ranking", (2025,)),
    ("callmanager@vlaio.demo", "scoring:ranking", (2024,)),
    ("callmanager@vlaio.demo", "scoring:consensus", ("AANVR-2025-0001",)),
    ("callmanager@vlaio.demo", "register:review", ()),
    ("jurylid@vlaio.demo", "core:dashboard", ()),
    ("expert@jury.demo", "core:dashboard", ()),
    ("expert@jury.demo", "scoring:jury_application_list", (2025,)),
    ("financien@vlaio.demo", "core:dashboard", ()),
    ("financien@vlaio.demo", "payments:finance", ()),
    ("financien2@vlaio.demo", "core:dashboard", ()),
    ("financien2@vlaio.demo", "payments:finance", ()),
    (None, "register:list", ()),
    (None, "register:project", ("AANVR-2024-0003",)),
]


def test_each_demo_login_finds_its_pages_with_the_demo_on_them(client):
    load_demo()
    for email, name, args in PAGES:
        client.logout()
        if email:
            client.force_login(User.objects.get(email=email))
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (email, name, args, response.status_code)

    client.force_login(User.objects.get(email="financien2@vlaio.demo"))
    finance = client.get(reverse("payments:finance")).content.decode()
    assert "AANVR-2024-0002" in finance  # the proposal waiting for the second officer
    client.logout()
    register = client.get(reverse("register:list")).content.decode()
    assert "Sensoren voor slim afvalbeheer" in register
    project = client.get(reverse("register:project", args=["AANVR-2024-0003"])).content.decode()
    assert "Draaiboek slim afvalbeheer" in project
