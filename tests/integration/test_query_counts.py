"""Every main page costs the same number of queries with 10 rows and with 1,000 (issue 10).

Each test builds its page's world with 10 rows, requests the page once to warm the caches,
counts the queries of a second request, grows the rows to 1,000 and asserts the count did not
grow (`django_assert_max_num_queries`). The rows are written in bulk (no services, no history):
what is measured is the page, not how its data came to be. `make bench` records the same
counts on the benchmark data set (BENCHMARKS.md).
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import (
    Application,
    ApplicationPartner,
    CostLine,
    Idea,
    Submission,
    WorkPackage,
)
from cot_portal.accounts.models import Organisation, StaffRole
from cot_portal.letters.models import Letter
from payments.models import (
    Grant,
    LedgerEntry,
    Payment,
    Tranche,
    TrancheRequest,
)
from scoring.models import (
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    DecisionOutcome,
    GovernmentDecision,
    JuryAssignment,
    JuryMember,
)
from scoring.ranking import SUBCRITERION_CODES
from tests.factories import UserFactory, member_of, municipality, open_call
from tests.factories_application import complete, started_application

pytestmark = pytest.mark.django_db

FEW, MANY = 10, 1000
CEILING = 60  # a generous first bound; the assertion that matters is "no more than with 10"
NUMBERS = itertools.count(1)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"


def assert_flat(client, django_assert_max_num_queries, request, grow, check=None):
    """`request()` with FEW rows, then with MANY: the second may not need more queries."""
    grow(FEW)
    request()  # warm-up: content types, translations, the session
    with django_assert_max_num_queries(CEILING) as few:
        response = request()
    assert response.status_code == 200
    grow(MANY - FEW)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = request()
    assert response.status_code == 200
    if check:
        check(response)
    return response


# --- bulk rows ------------------------------------------------------------------------------


def organisations(count, kind="knowledge") -> list[Organisation]:
    n = next(NUMBERS)
    return Organisation.objects.bulk_create(
        Organisation(name=f"Partner {n}-{i}", slug=f"qc-{n}-{i}", type=kind) for i in range(count)
    )


def applications(call, lead, user, count, status="draft", **fields) -> list[Application]:
    """`count` applications of `lead` (each from its own shortlisted idea, with its coordinator)."""
    n = next(NUMBERS)
    ideas = Idea.objects.bulk_create(
        Idea(
            call=call,
            organisation=lead,
            created_by=user,
            reference=f"IDEE-QC-{n}-{i}",
            status="shortlisted",
            title=f"Slim parkeren {n}-{i}",
        )
        for i in range(count)
    )
    made = Application.objects.bulk_create(
        Application(
            call=call,
            idea=idea,
            organisation=lead,
            reference=f"AANVR-QC-{n}-{i:04d}",
            slug=f"qc-{n}-{i}",
            status=status,
            title=idea.title,
            summary="Een open parkeerplatform voor Vlaamse steden.",
            themes=["mobility"],
            requested_support=Decimal("80000.00"),
            created_by=user,
            submitted_at=None if status == "draft" else timezone.now() - timedelta(days=2),
            **fields,
        )
        for i, idea in enumerate(ideas)
    )
    partners = ApplicationPartner.objects.bulk_create(
        ApplicationPartner(application=a, organisation=lead, role="coordinator") for a in made
    )
    CostLine.objects.bulk_create(
        CostLine(
            application=a,
            partner=p,
            category="personnel",
            year=1,
            description="Projectleider",
            amount=Decimal("100000.00"),
        )
        for a, p in zip(made, partners, strict=True)
    )
    return made


def grants(call, apps, manager) -> list[Grant]:
    """A Government decision funding `apps`, each with its grant and three open tranches."""
    decision, _created = GovernmentDecision.objects.get_or_create(
        call=call,
        defaults={
            "decision_date": timezone.localdate(),
            "recorded_by": manager,
            "recorded_at": timezone.now(),
        },
    )
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status="approved")
    start = DecisionOutcome.objects.filter(decision=decision).count()
    outcomes = DecisionOutcome.objects.bulk_create(
        DecisionOutcome(
            decision=decision,
            application=a,
            approved=True,
            reason="funded",
            rank=start + i + 1,
            requested=Decimal("80000.00"),
            awarded=Decimal("80000.00"),
            total_score=Decimal("80"),
        )
        for i, a in enumerate(apps)
    )
    today = timezone.localdate()
    made = Grant.objects.bulk_create(
        Grant(
            application=a,
            decision_outcome=o,
            call=call,
            organisation_id=a.organisation_id,
            reference=a.reference,
            awarded=Decimal("80000.00"),
            decision_date=today,
            start_date=today,
            end_date=today + timedelta(days=1000),
            approved_total_cost=Decimal("100000.00"),
            latest_start=today + timedelta(days=180),
            iban="BE68539007547034",
        )
        for a, o in zip(apps, outcomes, strict=True)
    )
    Tranche.objects.bulk_create(
        Tranche(grant=g, number=number, scheduled_amount=amount)
        for g in made
        for number, amount in (
            (1, Decimal("32000.00")),
            (2, Decimal("24000.00")),
            (3, Decimal("24000.00")),
        )
    )
    return made


def staff(role, **kwargs):
    return UserFactory(roles=[role], **kwargs)


# --- the applicant ------------------------------------------------------------------------------


def test_the_applicant_dashboard(client, django_assert_max_num_queries):
    gent = municipality("44021")
    user = member_of(gent)
    manager = staff(StaffRole.CALL_MANAGER)
    call = open_call()
    client.force_login(user)

    def grow(count):
        made = applications(call, gent, user, count)
        grants(call, made[: count // 2], manager)
        Letter.objects.bulk_create(
            Letter(kind="test", subject=f"Brief {a.reference}", organisation=gent, pdf="x.pdf")
            for a in made
        )

    assert_flat(
        client, django_assert_max_num_queries, lambda: client.get(reverse("core:dashboard")), grow
    )


@pytest.fixture
def draft():
    """A complete draft whose partners, cost lines and work packages grow."""
    application, user = started_application()
    complete(application, user)
    return application, user


def grow_parts(application):
    lead = application.partners.get(role="coordinator")

    def grow(count):
        partners = ApplicationPartner.objects.bulk_create(
            ApplicationPartner(application=application, organisation=org, role="volger")
            for org in organisations(count)
        )
        CostLine.objects.bulk_create(
            CostLine(
                application=application,
                partner=partners[i % len(partners)],
                category="other",
                year=1,
                description=f"Lijn {i}",
                amount=Decimal("10.00"),
            )
            for i in range(count)
        )
        first = (application.work_packages.order_by("-number").first().number or 0) + 1
        WorkPackage.objects.bulk_create(
            WorkPackage(
                application=application,
                number=first + i,
                title=f"Werkpakket {first + i}",
                lead_partner=lead,
                start_month=1,
                end_month=12,
            )
            for i in range(count)
        )

    return grow


def application_url(name, application, **kwargs):
    return reverse(
        f"applications:{name}",
        kwargs={"year": application.call.year, "slug": application.slug, **kwargs},
    )


@pytest.mark.parametrize("section", ["project", "partners", "work_packages"])
def test_an_application_section_page(client, django_assert_max_num_queries, draft, section):
    application, user = draft
    client.force_login(user)
    url = application_url("application_section", application, section=section)
    assert_flat(
        client, django_assert_max_num_queries, lambda: client.get(url), grow_parts(application)
    )


def test_the_section_autosave(client, django_assert_max_num_queries, draft):
    application, user = draft
    client.force_login(user)
    url = application_url("application_autosave", application, section="project")
    texts = itertools.count()

    def save():
        return client.post(
            url,
            {"title": f"Slim parkeren {next(texts)}", "summary": "Open data."},
            HTTP_HX_REQUEST="true",
        )

    assert_flat(
        client,
        django_assert_max_num_queries,
        save,
        grow_parts(application),
        check=lambda response: b"text-success" in response.content,
    )


def test_the_cost_model_page(client, django_assert_max_num_queries, draft):
    application, user = draft
    client.force_login(user)
    url = application_url("application_budget", application)
    assert_flat(
        client, django_assert_max_num_queries, lambda: client.get(url), grow_parts(application)
    )


def test_the_cost_model_live_check(client, django_assert_max_num_queries, draft):
    application, user = draft
    client.force_login(user)
    url = application_url("application_budget_check", application)
    data = {"requested_support": "800.000,00", "own_contribution": "250.000,00"}
    assert_flat(
        client,
        django_assert_max_num_queries,
        lambda: client.post(url, data, HTTP_HX_REQUEST="true"),
        grow_parts(application),
    )


# --- the jury -----------------------------------------------------------------------------------


@pytest.fixture
def jury_world():
    call = open_call()
    manager = staff(StaffRole.CALL_MANAGER)
    jurors = [staff(StaffRole.JURY_MEMBER) for _n in range(2)]
    members = [JuryMember.objects.create(call=call, user=u, added_by=manager) for u in jurors]
    lead = municipality("44021")
    creator = member_of(lead)
    return call, manager, jurors, members, lead, creator


def scored(apps, jurors, members, submitted=True):
    """Assignments, no-conflict declarations and sheets with all ten sub-criteria."""
    JuryAssignment.objects.bulk_create(
        JuryAssignment(application=a, juror=m) for a in apps for m in members
    )
    ApplicationConflict.objects.bulk_create(
        ApplicationConflict(application=a, juror=u, has_conflict=False)
        for a in apps
        for u in jurors
    )
    sheets = ApplicationScoreSheet.objects.bulk_create(
        ApplicationScoreSheet(
            application=a,
            juror=u,
            status="submitted" if submitted else "draft",
            submitted_at=timezone.now() if submitted else None,
        )
        for a in apps
        for u in jurors
    )
    ApplicationCriterionScore.objects.bulk_create(
        ApplicationCriterionScore(sheet=s, code=code, points=Decimal("7.5"), motivation="Goed.")
        for s in sheets
        for code in SUBCRITERION_CODES
    )


def test_the_jury_dashboard(client, django_assert_max_num_queries, jury_world):
    call, manager, jurors, members, lead, creator = jury_world
    client.force_login(jurors[0])

    def grow(count):
        made = applications(call, lead, creator, count, status="admissible")
        scored(made[: count // 2], jurors, members)
        JuryAssignment.objects.bulk_create(
            JuryAssignment(application=a, juror=members[0]) for a in made[count // 2 :]
        )

    url = reverse("scoring:jury_application_list", args=[call.year])
    assert_flat(client, django_assert_max_num_queries, lambda: client.get(url), grow)


def test_the_score_form(client, django_assert_max_num_queries, jury_world):
    call, manager, jurors, members, lead, creator = jury_world
    application = applications(call, lead, creator, 1, status="admissible")[0]
    scored([application], jurors[:1], members[:1], submitted=False)
    Submission.objects.create(
        application=application,
        number=1,
        submitted_at=application.submitted_at,
        submitted_by=creator,
        content={"reference": application.reference, "partners": []},
        content_sha256="0" * 64,
    )
    client.force_login(jurors[0])

    def grow(count):
        ApplicationPartner.objects.bulk_create(
            ApplicationPartner(application=application, organisation=org, role="deelnemer")
            for org in organisations(count)
        )
        # … and the juror's other applications
        scored(applications(call, lead, creator, count, status="admissible"), jurors, members)

    url = reverse("scoring:jury_application_detail", args=[application.reference])
    assert_flat(
        client,
        django_assert_max_num_queries,
        lambda: client.get(url),
        grow,
        check=lambda response: b'name="points_A1"' in response.content,
    )


def test_the_ranking_page(client, django_assert_max_num_queries, jury_world):
    call, manager, jurors, members, lead, creator = jury_world
    client.force_login(manager)

    def grow(count):
        scored(applications(call, lead, creator, count, status="admissible"), jurors, members)

    url = reverse("scoring:ranking", args=[call.year])
    assert_flat(client, django_assert_max_num_queries, lambda: client.get(url), grow)


# --- money and the register ---------------------------------------------------------------------


def test_the_finance_dashboard(client, django_assert_max_num_queries):
    call = open_call()
    manager = staff(StaffRole.CALL_MANAGER)
    officer, colleague = staff(StaffRole.FINANCE_OFFICER), staff(StaffRole.FINANCE_OFFICER)
    lead = municipality("44021")
    creator = member_of(lead)
    client.force_login(officer)

    def grow(count):
        made = grants(call, applications(call, lead, creator, count), manager)
        first = {t.grant_id: t for t in Tranche.objects.filter(grant__in=made, number=1)}
        third = len(made) // 3
        requested, proposed, paid = made[:third], made[third : 2 * third], made[2 * third :]
        Tranche.objects.filter(pk__in=[first[g.pk].pk for g in requested]).update(
            status="requested"
        )
        Tranche.objects.filter(pk__in=[first[g.pk].pk for g in proposed]).update(status="proposed")
        Tranche.objects.filter(pk__in=[first[g.pk].pk for g in paid]).update(status="paid")
        TrancheRequest.objects.bulk_create(
            TrancheRequest(
                tranche=first[g.pk],
                requested_by=creator,
                requested_at=timezone.now(),
                status="sent" if g in requested else "accepted",
            )
            for g in made
        )
        now = timezone.now()
        payments = Payment.objects.bulk_create(
            Payment(
                tranche=first[g.pk],
                amount=Decimal("32000.00"),
                iban="BE68539007547034",
                status="proposed" if g in proposed else "released",
                proposed_by=colleague,
                proposed_at=now,
                approved_by=None if g in proposed else officer,
                decided_at=None if g in proposed else now,
            )
            for g in proposed + paid
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                grant_id=p.tranche.grant_id,
                kind="payment",
                amount=p.amount,
                payment=p,
                description="Schijf 1",
                created_by=officer,
                created_at=now,
            )
            for p in payments
            if p.status == "released"
        )

    assert_flat(
        client, django_assert_max_num_queries, lambda: client.get(reverse("payments:finance")), grow
    )


def test_the_public_register_search(client, django_assert_max_num_queries):
    call = open_call()
    manager = staff(StaffRole.CALL_MANAGER)
    lead = municipality("44021")
    creator = member_of(lead)
    partner = municipality("34022")

    def grow(count):
        made = applications(call, lead, creator, count)
        ApplicationPartner.objects.bulk_create(
            ApplicationPartner(application=a, organisation=partner, role="deelnemer") for a in made
        )
        grants(call, made, manager)

    url = reverse("register:list") + "?q=parkeren"
    assert_flat(
        client,
        django_assert_max_num_queries,
        lambda: client.get(url),
        grow,
        check=lambda response: b"Slim parkeren" in response.content,
    )
