"""A reproducible volume of data for the benchmarks (`make bench`, tests/bench/).

`generate(seed, scale)` fills an empty, migrated PostgreSQL database through the ORM in bulk
(`bulk_create`, no history rows, no signals) and returns a plan: the session cookies of the bench
users and the addresses the load driver requests. At scale 1:

- 10 calls: decided calls (Government decision, outcomes, grants), one call in the jury phase
  and one open call whose application deadline lies ahead;
- all 285 municipalities and the VGC (from the data migration) with two users each, plus
  partner organisations (knowledge institutions, intercommunales, …) and companies;
- 2,000 ideas of the idea phase, and the shortlisted idea behind every application (an
  application is started from one idea, so each of the 5,000 applications has its own);
- 5,000 applications, 1,000 of them submitted (a frozen snapshot each), each with 3–10 partners,
  4 cost categories × 3 years of cost lines per partner and 6 work packages;
- 20 jurors; every scored application carries its call's 7 jurors' full scores (10 sub-criteria);
- 300 grants with tranches, requests, payments (four-eyes, ledger, SEPA batches), cost
  statements, cooperation agreements, reports and end results;
- a separate ranking call with 5,000 admissible applications × 7 jurors × 10 sub-criteria for
  the ranking-and-envelope scenario.

Other scales multiply the counts (at least what a scenario needs). The same seed and scale give
the same rows; dates are relative to the day of generation, so the open call is open.
"""

import hashlib
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_FLOOR, Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from applications.manual_2025 import CALL_2025
from applications.models import (
    KPI,
    Application,
    ApplicationPartner,
    ApplicationStatus,
    Attachment,
    Call,
    CostLine,
    GroupMember,
    Idea,
    IdeaPartner,
    IdeaStatus,
    ProcurementItem,
    Submission,
    WorkPackage,
)
from applications.rules import add_months, latest_end
from applications.selectors_applications import application_content, with_content
from applications.services.submission import canonical_json
from cot_portal.accounts.groups import ensure_staff_groups
from cot_portal.accounts.models import (
    LOCAL_GOVERNMENT_TYPES,
    Membership,
    MembershipRole,
    Organisation,
    StaffRole,
    User,
)
from cot_portal.letters.models import Letter
from payments import rules as payment_rules
from payments.models import (
    CheckStatus,
    ContentReport,
    CooperationAgreement,
    CostStatementLine,
    EndResult,
    Grant,
    LedgerEntry,
    LedgerKind,
    LineStatus,
    Payment,
    PaymentStatus,
    PublicationStatus,
    ReportKind,
    RequestStatus,
    ResultKind,
    SepaBatch,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)
from scoring import ranking
from scoring.models import (
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    DecisionOutcome,
    DecisionReason,
    GovernmentDecision,
    JuryAssignment,
    JuryMember,
    SheetStatus,
    ShortlistPublication,
)

BATCH = 5000
BENCH_PASSWORD = "Bench-City-of-Things-2025"  # noqa: S105 - bench accounts in a bench database
BENCH_IBAN = "BE68539007547034"
CENT = Decimal("0.01")
CATEGORIES = ("personnel", "external", "investment", "other")
CATEGORY_WORDS = {
    "personnel": "Projectmedewerker",
    "external": "Externe begeleiding",
    "investment": "Sensoren en hardware",
    "other": "Communicatie en verplaatsingen",
}
THEMES = ("economy", "people", "mobility", "environment", "living", "governance")
SEARCH_WORD = "parkeren"
TITLE_WORDS = (
    ("Slim", "parkeren"),
    ("Open data voor", "mobiliteit"),
    ("Digitale tweeling van de", "binnenstad"),
    ("Sensoren voor", "luchtkwaliteit"),
    ("Slimme", "verlichting"),
    ("Datagedreven", "afvalophaling"),
    ("Realtime", "waterbeheer"),
    ("Slim", "energiebeheer"),
    ("Veilige", "schoolomgeving"),
    ("Druktemeting in het", "centrum"),
)
SENTENCES = (
    "Zoekverkeer in de binnenstad veroorzaakt files, uitstoot en ergernis bij bewoners.",
    "Sensordata en een open API tonen vrije plaatsen en drukte in real time.",
    "Twee data-analisten van de gemeente werken mee en borgen de kennis na het project.",
    "Het project past in het bestuursakkoord en in het Vlaamse mobiliteitsbeleid.",
    "Vijf gemeenten volgen het project; een raamcontract laat anderen later aankopen.",
    "We gebruiken OSLO-vocabularia, open standaarden en publiceren de data als open data.",
    "Een stuurgroep met de partners beslist over de planning en bewaakt het budget.",
    "Bewoners en ondernemers testen de toepassing in een living lab in drie wijken.",
    "De resultaten worden gedeeld via een draaiboek en een modelbestek voor andere steden.",
    "Na het project neemt de gemeente de exploitatie over binnen de eigen begroting.",
    "De aanbesteding volgt de innovatieve procedure met een marktconsultatie vooraf.",
    "Het datamodel sluit aan bij de Vlaamse standaarden en de Europese richtlijnen.",
)


def scaled(base: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(base * scale))


@dataclass
class Counts:
    """What one scale means, and the figures the report quotes."""

    scale: float
    calls: int = 0
    ideas: int = 0
    applications: int = 0
    submitted: int = 0
    jurors: int = 0
    grants: int = 0
    partner_organisations: int = 0
    companies: int = 0
    burst: int = 0
    load_drafts: int = 20
    draft_sheets: int = 20
    ranking_applications: int = 0
    jurors_per_call: int = 7

    @classmethod
    def for_scale(cls, scale: float) -> "Counts":
        counts = cls(scale=scale)
        counts.calls = max(3, round(10 * scale))
        counts.ideas = scaled(2000, scale, 10)
        counts.applications = scaled(5000, scale, 60)
        counts.submitted = scaled(1000, scale, 30)
        counts.jurors = max(7, round(20 * scale))
        counts.grants = scaled(300, scale, 10)
        counts.partner_organisations = scaled(80, scale, 12)
        counts.companies = scaled(20, scale, 4)
        counts.burst = min(285, scaled(285, scale, 10))
        counts.ranking_applications = scaled(5000, scale, 50)
        return counts


@dataclass
class AppSpec:
    """An application before it is written: the choices the generator made for it."""

    call: Call
    lead: Organisation
    status: str
    kind: str  # "draft", "burst", "load", "submitted", "scored", "ranking"
    partners: list[tuple[Organisation, str]] = field(default_factory=list)
    application: Application | None = None


class Generator:
    def __init__(self, seed: int, scale: float, log=print):
        self.rng = random.Random(seed)
        self.seed = seed
        self.counts = Counts.for_scale(scale)
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.timings: dict[str, float] = {}
        self.plan: dict = {"seed": seed, "scale": scale}

    # --- helpers ------------------------------------------------------------------------------

    def step(self, name):
        generator = self

        class _Step:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                generator.timings[name] = round(time.perf_counter() - self.started, 2)
                generator.log(f"  {name}: {generator.timings[name]:.1f} s")

        return _Step()

    def text(self, sentences: int = 3) -> str:
        return " ".join(self.rng.choice(SENTENCES) for _n in range(sentences))

    def aware(self, day: date, hour: int = 12, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, dtime(hour, minute)))

    def money(self, low: int, high: int, step: int = 100) -> Decimal:
        return Decimal(self.rng.randrange(low, high, step)).quantize(CENT)

    # --- the world ----------------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> dict:
        started = time.perf_counter()
        with self.step("files"):
            self.shared_files()
        with self.step("organisations and users"):
            self.organisations_and_users()
        with self.step("calls"):
            self.calls()
        with self.step("ideas (idea phase)"):
            self.idea_phase()
        with self.step("applications and their parts"):
            self.applications()
        with self.step("submissions"):
            self.submissions()
        with self.step("jury and scores"):
            self.jury()
        with self.step("decisions, grants and money"):
            self.decisions_and_money()
        with self.step("ranking call"):
            self.ranking_call()
        with self.step("sessions and plan"):
            self.sessions_and_plan()
        with self.step("analyze"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.plan["generation_seconds"] = round(time.perf_counter() - started, 1)
        self.plan["timings"] = self.timings
        self.plan["rows"] = row_counts()
        return self.plan

    def shared_files(self):
        """One small PDF that every generated letter, attachment and evidence row points at."""
        from weasyprint import HTML

        pdf = HTML(string="<h1>City of Things</h1><p>Benchmarkdocument.</p>").write_pdf()
        self.pdf_sha = hashlib.sha256(pdf).hexdigest()
        self.pdf_size = len(pdf)
        name = "bench/document.pdf"
        if default_storage.exists(name):
            default_storage.delete(name)
        self.pdf_name = default_storage.save(name, ContentFile(pdf))

    def organisations_and_users(self):
        ensure_staff_groups()
        c = self.counts
        self.vlaio, _created = Organisation.objects.get_or_create(
            slug="vlaio", defaults={"name": "VLAIO", "type": "funder"}
        )
        Organisation.objects.filter(type__in=list(LOCAL_GOVERNMENT_TYPES)).update(
            iban=BENCH_IBAN, email="info@gemeente.example"
        )
        self.municipalities = list(
            Organisation.objects.filter(type__in=list(LOCAL_GOVERNMENT_TYPES)).order_by("nis_code")
        )
        partner_types = ("knowledge", "intercommunale", "flemish_entity", "vvsg_kcvs")
        names = {
            "knowledge": "Kennisinstelling",
            "intercommunale": "Intercommunale",
            "flemish_entity": "Vlaams agentschap",
            "vvsg_kcvs": "Vereniging",
        }
        others = [
            Organisation(
                name=f"{names[partner_types[n % 4]]} {n + 1}",
                slug=f"bench-partner-{n + 1}",
                type=partner_types[n % 4],
            )
            for n in range(c.partner_organisations)
        ] + [
            Organisation(name=f"Bedrijf {n + 1} NV", slug=f"bench-bedrijf-{n + 1}", type="company")
            for n in range(c.companies)
        ]
        Organisation.objects.bulk_create(others, batch_size=BATCH)
        self.partner_orgs = [o for o in others if o.type != "company"]

        password = make_password(BENCH_PASSWORD)
        users, memberships = [], []
        self.lead_user: dict[int, User] = {}
        for org in self.municipalities:
            for local, role in (("aanvrager", "admin"), ("medewerker", "contributor")):
                user = User(
                    email=f"{local}@{org.slug}.bench",
                    first_name=local.capitalize(),
                    last_name=org.name,
                    password=password,
                )
                users.append(user)
                memberships.append((user, org, role))
                if role == "admin":
                    self.lead_user[org.pk] = user
        for org in self.partner_orgs:
            user = User(
                email=f"contact@{org.slug}.bench",
                first_name="Contact",
                last_name=org.name,
                password=password,
            )
            users.append(user)
            memberships.append((user, org, "contributor"))
        staff = []
        for n in range(2):
            staff.append(("callmanager", n, StaffRole.CALL_MANAGER, True))
            staff.append(("financien", n, StaffRole.FINANCE_OFFICER, True))
        for n in range(c.jurors):
            staff.append(("jurylid", n, StaffRole.JURY_MEMBER, False))
        staff_users = []
        for local, n, role, is_staff in staff:
            user = User(
                email=f"{local}{n + 1}@vlaio.bench",
                first_name=local.capitalize(),
                last_name=f"Bench {n + 1}",
                password=password,
                is_staff=is_staff,
            )
            users.append(user)
            staff_users.append((user, role))
        User.objects.bulk_create(users, batch_size=BATCH)
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=o, role=r) for u, o, r in memberships],
            batch_size=BATCH,
        )
        groups = {g.name: g for g in Group.objects.all()}
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=groups[role.value].pk) for u, role in staff_users]
        )
        vlaio_members = [u for u, role in staff_users if role != StaffRole.JURY_MEMBER]
        Membership.objects.bulk_create(
            [
                Membership(user=u, organisation=self.vlaio, role=MembershipRole.READER)
                for u in vlaio_members
            ]
        )
        self.managers = [u for u, r in staff_users if r == StaffRole.CALL_MANAGER]
        self.finance = [u for u, r in staff_users if r == StaffRole.FINANCE_OFFICER]
        self.jurors = [u for u, r in staff_users if r == StaffRole.JURY_MEMBER]
        self.contact_user = {
            o.pk: u for u, o, r in memberships if o.type not in LOCAL_GOVERNMENT_TYPES
        }
        self.bench_lead = next(
            (m for m in self.municipalities if m.nis_code == "44021"), self.municipalities[0]
        )

    def calls(self):
        """Decided calls first (oldest), then the call in the jury phase, then the open call."""
        c = self.counts
        open_year = self.today.year + 1
        first_year = open_year - c.calls + 1
        self.call_list = []
        for n in range(c.calls):
            year = first_year + n
            kind = "open" if n == c.calls - 1 else "jury" if n == c.calls - 2 else "decided"
            if kind == "open":
                opens = self.today - timedelta(days=150)
                idea_deadline = self.aware(self.today - timedelta(days=90), 12)
                app_deadline = self.aware(self.today + timedelta(days=30), 23, 59)
                estimated = self.today + timedelta(days=90)
            else:
                years_back = c.calls - 1 - n
                base = self.today - timedelta(days=365 * years_back)
                opens = base - timedelta(days=150)
                idea_deadline = self.aware(base - timedelta(days=90), 12)
                app_deadline = self.aware(base - timedelta(days=30), 23, 59)
                estimated = base + timedelta(days=60)
            call = Call(
                **{
                    **CALL_2025,
                    "year": year,
                    "title": f"Oproep City of Things {year}",
                    "envelope": Decimal("60000000.00"),
                    "idea_phase_opens": self.aware(opens, 0),
                    "idea_deadline": idea_deadline,
                    "application_deadline": app_deadline,
                    "decision_date_estimated": estimated,
                    "decision_date": estimated if kind == "decided" else None,
                }
            )
            call.kind = kind
            self.call_list.append(call)
        Call.objects.bulk_create(self.call_list)
        ShortlistPublication.objects.bulk_create(
            [
                ShortlistPublication(call=call, published_by=self.managers[0])
                for call in self.call_list
            ]
        )
        self.open_call = self.call_list[-1]
        self.jury_call = self.call_list[-2]
        self.decided_calls = self.call_list[:-2]

    def idea_phase(self):
        """Ideas that never became an application: not shortlisted or never submitted."""
        ideas, partners = [], []
        for n in range(self.counts.ideas):
            call = self.call_list[n % len(self.call_list)]
            lead = self.rng.choice(self.municipalities)
            status = IdeaStatus.NOT_SHORTLISTED if n % 4 else IdeaStatus.NOT_SUBMITTED
            idea = self._idea(call, lead, status, f"IDEE-{call.year}-P{n + 1:05d}")
            ideas.append(idea)
        Idea.objects.bulk_create(ideas, batch_size=BATCH)
        for idea in ideas:
            for org in self.rng.sample(self.municipalities + self.partner_orgs, 2):
                if org.pk != idea.organisation_id:
                    partners.append(
                        IdeaPartner(
                            idea=idea,
                            organisation=org,
                            role=self.rng.choice(("deelnemer", "volger")),
                            contribution="Denkt mee en test de oplossing.",
                        )
                    )
        IdeaPartner.objects.bulk_create(partners, batch_size=BATCH)

    def _idea(self, call, lead, status, reference, *, lean=False) -> Idea:
        title = self._title(lead)
        submitted = status != IdeaStatus.DRAFT and status != IdeaStatus.NOT_SUBMITTED
        return Idea(
            call=call,
            organisation=lead,
            created_by=self.lead_user[lead.pk],
            reference=reference,
            status=status,
            title=title,
            challenge="" if lean else self.text(3),
            solution="" if lean else self.text(3),
            capacity_building="" if lean else self.text(2),
            policy_alignment="" if lean else self.text(2),
            support_rollout="" if lean else self.text(2),
            openness="" if lean else self.text(2),
            work_packages="WP1 analyse, WP2 aanbesteding, WP3 uitrol, WP4 kennisdeling.",
            budget_total=self.money(300000, 2000000, 1000),
            themes=self.rng.sample(THEMES, 2),
            submitted_at=call.idea_deadline - timedelta(days=3) if submitted else None,
        )

    def _title(self, lead) -> str:
        first, second = self.rng.choice(TITLE_WORDS)
        return f"{first} {second} in {lead.name}"

    # --- applications -------------------------------------------------------------------------

    def application_specs(self) -> list[AppSpec]:
        c = self.counts
        per_call = c.applications // c.calls
        submitted_per_call = c.submitted // c.calls
        specs: list[AppSpec] = []
        for call in self.call_list:
            if call.kind == "open":
                leads = self.rng.sample(self.municipalities, c.burst)
                specs += [AppSpec(call, lead, ApplicationStatus.DRAFT, "burst") for lead in leads]
                specs += [
                    AppSpec(call, self.bench_lead, ApplicationStatus.DRAFT, "load")
                    for _n in range(c.load_drafts)
                ]
                specs += [
                    AppSpec(
                        call,
                        self.rng.choice(self.municipalities),
                        ApplicationStatus.SUBMITTED,
                        "submitted",
                    )
                    for _n in range(submitted_per_call)
                ]
            elif call.kind == "jury":
                specs += [
                    AppSpec(
                        call,
                        self.rng.choice(self.municipalities),
                        ApplicationStatus.ADMISSIBLE,
                        "scored",
                    )
                    for _n in range(submitted_per_call)
                ]
            else:
                specs += [
                    AppSpec(
                        call,
                        self.rng.choice(self.municipalities),
                        ApplicationStatus.ADMISSIBLE,  # approved or rejected after the ranking
                        "scored",
                    )
                    for _n in range(submitted_per_call)
                ]
            in_call = sum(1 for s in specs if s.call is call)
            specs += [
                AppSpec(
                    call, self.rng.choice(self.municipalities), ApplicationStatus.DRAFT, "draft"
                )
                for _n in range(max(0, per_call - in_call))
            ]
        # The bench applicant's organisation also leads a few applications in every call.
        for call in self.call_list[:-1]:
            spec = next(s for s in specs if s.call is call and s.kind in ("scored", "submitted"))
            spec.lead = self.bench_lead
        return specs

    def applications(self):
        specs = self.application_specs()
        self.specs = specs
        numbers: dict[int, int] = {}
        ideas = []
        for spec in specs:
            numbers[spec.call.pk] = numbers.get(spec.call.pk, 0) + 1
            n = numbers[spec.call.pk]
            idea = self._idea(
                spec.call, spec.lead, IdeaStatus.SHORTLISTED, f"IDEE-{spec.call.year}-A{n:05d}"
            )
            ideas.append(idea)
        Idea.objects.bulk_create(ideas, batch_size=BATCH)
        applications = []
        numbers = {}
        for spec, idea in zip(specs, ideas, strict=True):
            numbers[spec.call.pk] = numbers.get(spec.call.pk, 0) + 1
            n = numbers[spec.call.pk]
            spec.application = self._application(spec, idea, f"AANVR-{spec.call.year}-{n:04d}")
            applications.append(spec.application)
        Application.objects.bulk_create(applications, batch_size=BATCH)
        self._parts(specs)

    def _application(self, spec: AppSpec, idea: Idea, reference: str) -> Application:
        call = spec.call
        if call.kind == "open":
            start = self.today + timedelta(days=30)
        else:
            start = add_months(timezone.localdate(call.application_deadline), 3)
        submitted = spec.status != ApplicationStatus.DRAFT
        return Application(
            call=call,
            idea=idea,
            organisation=spec.lead,
            reference=reference,
            slug=reference.lower(),
            status=spec.status,
            title=idea.title,
            summary=self.text(2),
            challenge=self.text(4),
            solution=self.text(4),
            external_support=self.text(2),
            provider_profile=self.text(1),
            scalability=self.text(2),
            rollout=self.text(2),
            business_model=self.text(2),
            policy_commitment=self.text(2),
            themes=list(idea.themes),
            start_date=start,
            end_date=latest_end(start, call.max_duration_months),
            created_by=self.lead_user[spec.lead.pk],
            submitted_at=call.application_deadline
            - timedelta(days=1, minutes=self.rng.randrange(0, 5000))
            if submitted
            else None,
        )

    def _partners_of(self, spec: AppSpec) -> list[tuple[Organisation, str]]:
        if spec.kind == "ranking":
            return [(spec.lead, "coordinator")]
        size = self.rng.randint(3, 10)
        pool = [m for m in self.municipalities if m.pk != spec.lead.pk]
        chosen = [self.rng.choice(pool)]  # R-MIN2: a second local government
        others = [o for o in self.rng.sample(pool + self.partner_orgs, size + 1) if o not in chosen]
        chosen += others[: size - 2]
        return [(spec.lead, "coordinator")] + [
            (org, self.rng.choice(("deelnemer", "volger"))) for org in chosen
        ]

    def _parts(self, specs: list[AppSpec]):
        partners = []
        for spec in specs:
            spec.partners = self._partners_of(spec)
            for org, role in spec.partners:
                partners.append(
                    ApplicationPartner(
                        application=spec.application,
                        organisation=org,
                        role=role,
                        contribution=self.text(1),
                        contact_name=f"Contact {org.name}",
                        contact_email=f"contact@{org.slug}.bench",
                    )
                )
        ApplicationPartner.objects.bulk_create(partners, batch_size=BATCH)
        by_app: dict[int, list[ApplicationPartner]] = {}
        for p in partners:
            by_app.setdefault(p.application_id, []).append(p)

        lines, wps, items, members, kpis, attachments = [], [], [], [], [], []
        for spec in specs:
            application = spec.application
            app_partners = by_app[application.pk]
            years = 1 if spec.kind == "ranking" else 3
            total = Decimal("0.00")
            for partner in app_partners:
                for category in CATEGORIES:
                    for year in range(1, years + 1):
                        amount = self.money(1000, 25000)
                        total += amount
                        lines.append(
                            CostLine(
                                application=application,
                                partner=partner,
                                category=category,
                                year=year,
                                description=f"{CATEGORY_WORDS[category]} jaar {year}",
                                amount=amount,
                            )
                        )
            requested = min(
                (total * application.call.max_support_rate).quantize(CENT, rounding=ROUND_FLOOR),
                application.call.max_support_per_project,
            )
            application.requested_support = requested
            application.own_contribution = total - requested
            application.total_cost = total
            if spec.kind == "ranking":
                continue
            for number in range(1, 7):
                start = 1 + (number - 1) * 5
                wps.append(
                    WorkPackage(
                        application=application,
                        number=number,
                        title="Kennisdeling en communicatie"
                        if number == 6
                        else f"Werkpakket {number}",
                        objectives=self.text(2),
                        lead_partner=self.rng.choice(app_partners),
                        start_month=1 if number == 6 else start,
                        end_month=36 if number == 6 else start + 6,
                        deliverables=self.text(1),
                        knowledge_sharing=number == 6,
                    )
                )
            items += [
                ProcurementItem(
                    application=application,
                    description="Begeleiding van de aanbesteding",
                    estimated_value=Decimal("25000.00"),
                    procedure="invoice",
                    motivation="Kleine opdracht.",
                ),
                ProcurementItem(
                    application=application,
                    description="Sensoren en dataplatform",
                    estimated_value=Decimal("120000.00"),
                    procedure="negotiated",
                    motivation="Onder de drempel voor onderhandelingen zonder bekendmaking.",
                ),
            ]
            members += [
                GroupMember(
                    application=application,
                    group="steering",
                    name="Anna Peeters",
                    organisation_name=spec.lead.name,
                    role="Voorzitter",
                ),
                GroupMember(
                    application=application,
                    group="sounding",
                    name="Bram Claes",
                    organisation_name="Bewonersplatform",
                ),
            ]
            kpis += [
                KPI(
                    application=application,
                    name="Zoektijd",
                    unit="minuten",
                    baseline=Decimal("12"),
                    target=Decimal("6"),
                ),
                KPI(
                    application=application,
                    name="Gebruikers van de open data",
                    unit="aantal",
                    baseline=Decimal("0"),
                    target=Decimal("500"),
                ),
            ]
            attachments.append(
                Attachment(
                    application=application,
                    kind="bestuursakkoord",
                    title="Bestuursakkoord",
                    file=self.pdf_name,
                    sha256=self.pdf_sha,
                    size=self.pdf_size,
                    uploaded_by=self.lead_user[spec.lead.pk],
                )
            )
        CostLine.objects.bulk_create(lines, batch_size=BATCH)
        for model, rows in (
            (WorkPackage, wps),
            (ProcurementItem, items),
            (GroupMember, members),
            (KPI, kpis),
            (Attachment, attachments),
        ):
            model.objects.bulk_create(rows, batch_size=BATCH)
        Application.objects.bulk_update(
            [s.application for s in specs],
            ["requested_support", "own_contribution"],
            batch_size=BATCH,
        )

    def submissions(self):
        """A frozen snapshot (the real `application_content`) and a receipt per submitted one."""
        submitted = [s for s in self.specs if s.status != ApplicationStatus.DRAFT]
        ids = [s.application.pk for s in submitted]
        rows, letters = [], []
        app_type = ContentType.objects.get_for_model(Application)
        for start in range(0, len(ids), 250):
            for application in with_content(
                Application.objects.filter(pk__in=ids[start : start + 250])
            ).order_by("pk"):
                content = application_content(application)
                rows.append(
                    Submission(
                        application=application,
                        number=1,
                        submitted_at=application.submitted_at,
                        submitted_by=application.created_by,
                        content=content,
                        content_sha256=hashlib.sha256(canonical_json(content)).hexdigest(),
                    )
                )
                letters.append(
                    self._letter(
                        "application-receipt",
                        f"Ontvangstbewijs van uw aanvraag {application.reference}",
                        application.organisation,
                        app_type,
                        application.pk,
                    )
                )
        Letter.objects.bulk_create(letters, batch_size=BATCH)
        for submission, letter in zip(rows, letters, strict=True):
            submission.receipt = letter
        Submission.objects.bulk_create(rows, batch_size=1000)

    def _letter(self, kind, subject, organisation, content_type, object_id) -> Letter:
        return Letter(
            kind=kind,
            subject=subject,
            organisation=organisation,
            recipients=[f"aanvrager@{organisation.slug}.bench"],
            body=subject,
            pdf=self.pdf_name,
            sha256=self.pdf_sha,
            content_type=content_type,
            object_id=object_id,
            sent_at=self.now,
            send_attempts=1,
        )

    # --- the jury -----------------------------------------------------------------------------

    def jury_of(self, call_index: int) -> list[User]:
        j = len(self.jurors)
        return [self.jurors[(call_index * 3 + k) % j] for k in range(self.counts.jurors_per_call)]

    def _points(self, quality: float) -> Decimal:
        value = min(10.0, max(0.0, self.rng.gauss(quality, 1.2)))
        return Decimal(round(value * 2) / 2).quantize(Decimal("0.1"))

    def jury(self):
        c = self.counts
        members, assignments, conflicts, sheets, scores = [], [], [], [], []
        self.sheet_points: dict[int, list[dict[str, Decimal]]] = {}
        self.bench_juror = self.jury_of(len(self.call_list) - 2)[0]
        score_form_apps = []
        for index, call in enumerate(self.call_list + [None]):
            if call is None:
                break
            jury = self.jury_of(index)
            members += [JuryMember(call=call, user=u, added_by=self.managers[0]) for u in jury]
        JuryMember.objects.bulk_create(members, batch_size=BATCH)
        member_of = {(m.call_id, m.user_id): m for m in members}
        scored = [s for s in self.specs if s.kind == "scored"]
        drafts_left = c.draft_sheets
        for spec in scored:
            application = spec.application
            quality = self.rng.uniform(4.5, 9.0)
            jury = self.jury_of(self.call_list.index(spec.call))
            points_per_juror = []
            for user in jury:
                draft = spec.call is self.jury_call and user is self.bench_juror and drafts_left > 0
                assignments.append(
                    JuryAssignment(
                        application=application,
                        juror=member_of[(spec.call.pk, user.pk)],
                    )
                )
                conflicts.append(
                    ApplicationConflict(application=application, juror=user, has_conflict=False)
                )
                sheet = ApplicationScoreSheet(
                    application=application,
                    juror=user,
                    status=SheetStatus.DRAFT if draft else SheetStatus.SUBMITTED,
                    submitted_at=None if draft else application.submitted_at + timedelta(days=20),
                )
                sheets.append(sheet)
                values = {code: self._points(quality) for code in ranking.SUBCRITERION_CODES}
                if draft:
                    drafts_left -= 1
                    score_form_apps.append(application)
                else:
                    points_per_juror.append(values)
                scores.append((sheet, values))
            self.sheet_points[application.pk] = points_per_juror
        self.score_form_apps = score_form_apps
        JuryAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        ApplicationConflict.objects.bulk_create(conflicts, batch_size=BATCH)
        ApplicationScoreSheet.objects.bulk_create(sheets, batch_size=BATCH)
        ApplicationCriterionScore.objects.bulk_create(
            [
                ApplicationCriterionScore(
                    sheet=sheet, code=code, points=points, motivation="Goed onderbouwd voorstel."
                )
                for sheet, values in scores
                for code, points in values.items()
            ],
            batch_size=BATCH,
        )

    # --- decisions and money ------------------------------------------------------------------

    def decisions_and_money(self):
        c = self.counts
        app_type = ContentType.objects.get_for_model(Application)
        per_call = [c.grants // len(self.decided_calls)] * len(self.decided_calls)
        for n in range(c.grants - sum(per_call)):
            per_call[n] += 1
        decisions, outcome_rows, letters = [], [], []
        for call in self.decided_calls:
            decisions.append(
                GovernmentDecision(
                    call=call,
                    decision_date=call.decision_date,
                    decision_reference=f"VR {call.year} BENCH",
                    recorded_by=self.managers[0],
                    recorded_at=self.aware(call.decision_date, 10),
                )
            )
        GovernmentDecision.objects.bulk_create(decisions)
        # The letters call: the last decided call keeps its outcomes without letters, so the
        # batch scenario renders them through Celery.
        self.letters_call = self.decided_calls[-1]
        approved_apps = []
        final_status: dict[int, str] = {}
        for call, decision, funded in zip(self.decided_calls, decisions, per_call, strict=True):
            in_call = [s.application for s in self.specs if s.call is call and s.kind == "scored"]
            totals = {a.pk: self._section_totals(a.pk) for a in in_call}
            ordered = sorted(in_call, key=lambda a: (-totals[a.pk][1], a.reference))
            for rank, application in enumerate(ordered, start=1):
                sections, total = totals[application.pk]
                approved = rank <= funded
                final_status[application.pk] = (
                    ApplicationStatus.APPROVED if approved else ApplicationStatus.REJECTED
                )
                outcome = DecisionOutcome(
                    decision=decision,
                    application=application,
                    approved=approved,
                    reason=DecisionReason.FUNDED if approved else DecisionReason.RESERVE,
                    rank=rank,
                    reserve_position=None if approved else rank - funded,
                    requested=application.requested_support,
                    awarded=application.requested_support if approved else Decimal("0.00"),
                    total_score=total,
                    sections=sections,
                )
                outcome_rows.append(outcome)
                if call is not self.letters_call:
                    letters.append(
                        (
                            outcome,
                            self._letter(
                                "decision",
                                f"Beslissing over uw aanvraag {application.reference}",
                                application.organisation,
                                app_type,
                                application.pk,
                            ),
                        )
                    )
                if approved:
                    approved_apps.append((application, outcome, decision))
        Letter.objects.bulk_create([letter for _o, letter in letters], batch_size=BATCH)
        for outcome, letter in letters:
            outcome.letter = letter
        DecisionOutcome.objects.bulk_create(outcome_rows, batch_size=BATCH)
        # Protected FSM fields: write the final statuses with a plain UPDATE per status.
        for status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
            Application.objects.filter(
                pk__in=[pk for pk, final in final_status.items() if final == status]
            ).update(status=status)
        self.grants(approved_apps)

    def _section_totals(self, application_id) -> tuple[dict, Decimal]:
        sheets = self.sheet_points[application_id]
        consensus = {
            code: ranking.consensus([s[code] for s in sheets])
            for code in ranking.SUBCRITERION_CODES
        }
        totals = ranking.section_totals(consensus)
        maxima = {"A": "30", "B": "40", "C": "30"}
        sections = {k: {"score": str(v), "max": maxima[k]} for k, v in totals.items()}
        return sections, ranking.total(consensus)

    def grants(self, approved):
        grants = []
        for application, outcome, decision in approved:
            grants.append(
                Grant(
                    application=application,
                    decision_outcome=outcome,
                    call=application.call,
                    organisation=application.organisation,
                    reference=application.reference,
                    awarded=outcome.awarded,
                    decision_date=decision.decision_date,
                    start_date=application.start_date,
                    end_date=application.end_date,
                    approved_total_cost=application.total_cost,
                    latest_start=payment_rules.latest_start(
                        decision.decision_date, application.call.start_window_months
                    ),
                    actual_start_date=application.start_date,
                    iban=BENCH_IBAN,
                )
            )
        Grant.objects.bulk_create(grants, batch_size=BATCH)
        f1, f2 = self.finance
        tranches, plans = [], []
        for grant in grants:
            amounts = ranking.tranche_schedule(grant.awarded, Decimal("0.40"), Decimal("0.30"))
            roll = self.rng.random()
            # How far the grant got: number of paid tranches, and what waits on the next one.
            paid = 0 if roll < 0.3 else 1 if roll < 0.75 else 2 if roll < 0.93 else 3
            waiting = self.rng.choice(("open", "open", "requested", "proposed")) if paid < 3 else ""
            plans.append((grant, paid, waiting))
            for number, amount in enumerate(amounts, start=1):
                status = (
                    TrancheStatus.PAID
                    if number <= paid
                    else TrancheStatus.REQUESTED
                    if number == paid + 1 and waiting == "requested"
                    else TrancheStatus.PROPOSED
                    if number == paid + 1 and waiting == "proposed"
                    else TrancheStatus.OPEN
                )
                tranches.append(
                    Tranche(grant=grant, number=number, scheduled_amount=amount, status=status)
                )
        Tranche.objects.bulk_create(tranches, batch_size=BATCH)
        requests, payments = [], []
        for tranche in tranches:
            grant = tranche.grant
            if tranche.status == TrancheStatus.OPEN:
                continue
            asked = self.aware(grant.start_date + timedelta(days=30 + 200 * tranche.number), 9)
            requests.append(
                TrancheRequest(
                    tranche=tranche,
                    requested_by=self.lead_user[grant.organisation_id],
                    requested_at=asked,
                    checks=[{"rule": "R-TR", "ok": True, "message": "Voorwaarden vervuld."}],
                    status=RequestStatus.SENT
                    if tranche.status == TrancheStatus.REQUESTED
                    else RequestStatus.ACCEPTED,
                    decided_by=None if tranche.status == TrancheStatus.REQUESTED else f1,
                    decided_at=None
                    if tranche.status == TrancheStatus.REQUESTED
                    else asked + timedelta(days=5),
                )
            )
            if tranche.status in (TrancheStatus.PAID, TrancheStatus.PROPOSED):
                released = tranche.status == TrancheStatus.PAID
                payments.append(
                    Payment(
                        tranche=tranche,
                        amount=tranche.scheduled_amount,
                        iban=BENCH_IBAN,
                        status=PaymentStatus.RELEASED if released else PaymentStatus.PROPOSED,
                        proposed_by=f1,
                        proposed_at=asked + timedelta(days=5),
                        approved_by=f2 if released else None,
                        decided_at=asked + timedelta(days=7) if released else None,
                    )
                )
        TrancheRequest.objects.bulk_create(requests, batch_size=BATCH)
        released = [p for p in payments if p.status == PaymentStatus.RELEASED]
        batches = []
        exported = released[: max(0, len(released) - 10)]  # the last ten wait for the export
        for start in range(0, len(exported), 40):
            chunk = exported[start : start + 40]
            batch = SepaBatch(
                message_id=f"COT-BENCH-{start // 40 + 1:04d}",
                file=self.pdf_name,
                sha256=self.pdf_sha,
                total=sum((p.amount for p in chunk), Decimal("0.00")),
                count=len(chunk),
                created_by=f1,
                created_at=max(p.decided_at for p in chunk) + timedelta(days=1),
            )
            batches.append(batch)
            for payment in chunk:
                payment.batch = batch
        SepaBatch.objects.bulk_create(batches)
        for payment in payments:
            payment.batch_id = payment.batch.pk if payment.batch else None
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    grant=p.tranche.grant,
                    kind=LedgerKind.PAYMENT,
                    amount=p.amount,
                    payment=p,
                    description=f"Schijf {p.tranche.number} van {p.tranche.grant.reference}",
                    created_by=f2,
                    created_at=p.decided_at,
                )
                for p in released
            ],
            batch_size=BATCH,
        )
        self.execution(plans)

    def execution(self, plans):
        """Cost statements, agreements, reports and end results of the running grants."""
        partners: dict[int, list[ApplicationPartner]] = {}
        for p in ApplicationPartner.objects.filter(
            application_id__in=[g.application_id for g, _p, _w in plans]
        ).order_by("pk"):
            partners.setdefault(p.application_id, []).append(p)
        f1 = self.finance[0]
        lines, agreements, reports, results = [], [], [], []
        for grant, paid, _waiting in plans:
            lead = self.lead_user[grant.organisation_id]
            last = min(grant.end_date, self.today)
            span = max(1, (last - grant.start_date).days)
            for n in range(self.rng.randint(10, 20)):
                status = self.rng.choice(
                    (
                        LineStatus.ACCEPTED,
                        LineStatus.ACCEPTED,
                        LineStatus.PENDING,
                        LineStatus.REJECTED,
                    )
                )
                day = grant.start_date + timedelta(days=self.rng.randrange(0, span))
                lines.append(
                    CostStatementLine(
                        grant=grant,
                        partner=self.rng.choice(partners[grant.application_id]),
                        category=CATEGORIES[n % 4],
                        date=day,
                        description=f"{CATEGORY_WORDS[CATEGORIES[n % 4]]} – factuur {n + 1}",
                        amount=self.money(500, 20000),
                        evidence=self.pdf_name,
                        created_by=lead,
                        created_at=self.aware(day, 15),
                        status=status,
                        checked_by=None if status == LineStatus.PENDING else f1,
                        checked_at=None
                        if status == LineStatus.PENDING
                        else self.aware(day + timedelta(days=10), 11),
                        reason="Geen bewijsstuk van betaling."
                        if status == LineStatus.REJECTED
                        else "",
                    )
                )
            if paid >= 1 or self.rng.random() < 0.5:
                agreements.append(
                    CooperationAgreement(
                        grant=grant,
                        file=self.pdf_name,
                        uploaded_by=lead,
                        uploaded_at=self.aware(grant.start_date, 10),
                        status=CheckStatus.ACCEPTED,
                        checked_by=self.managers[0],
                        checked_at=self.aware(grant.start_date + timedelta(days=7), 10),
                    )
                )
            if paid >= 2:
                reports.append(
                    ContentReport(
                        grant=grant,
                        kind=ReportKind.INTERIM,
                        summary=self.text(3),
                        kpi_values={"Zoektijd": "9"},
                        file=self.pdf_name,
                        submitted_by=lead,
                        submitted_at=self.aware(grant.start_date + timedelta(days=400), 10),
                        status=CheckStatus.ACCEPTED,
                        checked_by=self.managers[0],
                        checked_at=self.aware(grant.start_date + timedelta(days=410), 10),
                    )
                )
            if paid >= 3:
                results.append(
                    EndResult(
                        grant=grant,
                        kind=ResultKind.PLAYBOOK,
                        title="Draaiboek voor andere gemeenten",
                        description=self.text(2),
                        file=self.pdf_name,
                        uploaded_by=lead,
                        uploaded_at=self.aware(grant.end_date, 10),
                        status=PublicationStatus.PUBLISHED,
                        right_of_use_acknowledged=True,
                        requested_at=self.aware(grant.end_date, 11),
                        decided_by=self.managers[0],
                        decided_at=self.aware(grant.end_date + timedelta(days=5), 10),
                    )
                )
        CostStatementLine.objects.bulk_create(lines, batch_size=BATCH)
        CooperationAgreement.objects.bulk_create(agreements, batch_size=BATCH)
        ContentReport.objects.bulk_create(reports, batch_size=BATCH)
        EndResult.objects.bulk_create(results, batch_size=BATCH)

    # --- the ranking call ---------------------------------------------------------------------

    def ranking_call(self):
        """5,000 (× scale) admissible applications, each with 7 jurors' full scores."""
        c = self.counts
        year = self.call_list[0].year - 1
        base = self.today - timedelta(days=30)
        call = Call.objects.create(
            **{
                **CALL_2025,
                "year": year,
                "title": f"Rangschikkingstest {year}",
                "envelope": Decimal("60000000.00"),
                "idea_phase_opens": self.aware(base - timedelta(days=150), 0),
                "idea_deadline": self.aware(base - timedelta(days=90), 12),
                "application_deadline": self.aware(base - timedelta(days=30), 23, 59),
                "decision_date_estimated": base + timedelta(days=60),
            }
        )
        call.kind = "ranking"
        jury = self.jury_of(0)
        JuryMember.objects.bulk_create(
            [JuryMember(call=call, user=u, added_by=self.managers[0]) for u in jury]
        )
        specs = [
            AppSpec(
                call, self.rng.choice(self.municipalities), ApplicationStatus.ADMISSIBLE, "ranking"
            )
            for _n in range(c.ranking_applications)
        ]
        ideas = [
            self._idea(call, s.lead, IdeaStatus.SHORTLISTED, f"IDEE-{year}-R{n + 1:05d}", lean=True)
            for n, s in enumerate(specs)
        ]
        Idea.objects.bulk_create(ideas, batch_size=BATCH)
        for n, (spec, idea) in enumerate(zip(specs, ideas, strict=True)):
            spec.application = Application(
                call=call,
                idea=idea,
                organisation=spec.lead,
                reference=f"RANG-{year}-{n + 1:05d}",
                slug=f"rang-{year}-{n + 1:05d}",
                status=ApplicationStatus.ADMISSIBLE,
                title=idea.title,
                themes=list(idea.themes),
                created_by=self.lead_user[spec.lead.pk],
                submitted_at=call.application_deadline - timedelta(minutes=n + 1),
            )
        Application.objects.bulk_create([s.application for s in specs], batch_size=BATCH)
        self._parts(specs)
        sheets, scores = [], []
        for spec in specs:
            quality = self.rng.uniform(3.0, 9.5)
            for user in jury:
                sheet = ApplicationScoreSheet(
                    application=spec.application,
                    juror=user,
                    status=SheetStatus.SUBMITTED,
                    submitted_at=call.application_deadline + timedelta(days=20),
                )
                sheets.append(sheet)
                scores.append(
                    (sheet, {code: self._points(quality) for code in ranking.SUBCRITERION_CODES})
                )
        ApplicationScoreSheet.objects.bulk_create(sheets, batch_size=BATCH)
        ApplicationCriterionScore.objects.bulk_create(
            [
                ApplicationCriterionScore(sheet=sheet, code=code, points=points)
                for sheet, values in scores
                for code, points in values.items()
            ],
            batch_size=BATCH,
        )
        self.rank_call = call

    # --- what the driver needs ----------------------------------------------------------------

    def sessions_and_plan(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        devices = {}
        for user in self.managers + self.finance:
            devices[user.pk] = TOTPDevice.objects.create(
                user=user, name="Bench", confirmed=True, key=secrets.token_hex(20)
            )
        sessions = []

        def session_for(user) -> str:
            data = {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
            if user.pk in devices:
                data["otp_device_id"] = devices[user.pk].persistent_id
            store = SessionStore()
            key = store._get_new_session_key()
            sessions.append(
                Session(
                    session_key=key,
                    session_data=store.encode(data),
                    expire_date=self.now + timedelta(days=2),
                )
            )
            return key

        open_call = self.open_call
        load = [s.application for s in self.specs if s.kind == "load"]
        burst = [s.application for s in self.specs if s.kind == "burst"]

        def app_url(name, application, **extra):
            return reverse(
                f"applications:{name}",
                kwargs={"year": open_call.year, "slug": application.slug, **extra},
            )

        self.plan.update(
            sessions={
                "applicant": session_for(self.lead_user[self.bench_lead.pk]),
                "juror": session_for(self.bench_juror),
                "manager": session_for(self.managers[0]),
                "finance": session_for(self.finance[0]),
            },
            bench_lead=self.bench_lead.name,
            urls={
                "dashboard": reverse("core:dashboard"),
                "section": [app_url("application_section", a, section="project") for a in load],
                "autosave": [app_url("application_autosave", a, section="project") for a in load],
                "budget": [app_url("application_budget", a) for a in load],
                "budget_check": [app_url("application_budget_check", a) for a in load],
                "jury_list": reverse(
                    "scoring:jury_application_list", kwargs={"year": self.jury_call.year}
                ),
                "score_form": [
                    reverse("scoring:jury_application_detail", args=[a.reference])
                    for a in self.score_form_apps
                ],
                "ranking": reverse("scoring:ranking", kwargs={"year": self.jury_call.year}),
                "finance": reverse("payments:finance"),
                "register": reverse("register:list") + f"?q={SEARCH_WORD}",
            },
            load_application_ids=[a.pk for a in load],
            burst=[
                {
                    "session": session_for(self.lead_user[a.organisation_id]),
                    "url": app_url("application_review", a),
                    "id": a.pk,
                }
                for a in burst
            ],
            calls={
                "open": open_call.year,
                "jury": self.jury_call.year,
                "letters": self.letters_call.year,
                "ranking": self.rank_call.year,
            },
            counts={
                "calls": len(self.call_list),
                "ideas_idea_phase": self.counts.ideas,
                "applications": len(self.specs),
                "submitted": sum(1 for s in self.specs if s.status != ApplicationStatus.DRAFT),
                "jurors": len(self.jurors),
                "jurors_per_application": self.counts.jurors_per_call,
                "grants": self.counts.grants,
                "burst": len(burst),
                "ranking_applications": self.counts.ranking_applications,
            },
        )
        Session.objects.bulk_create(sessions, batch_size=BATCH)


def row_counts() -> dict[str, int]:
    models = (
        Organisation,
        User,
        Call,
        Idea,
        Application,
        ApplicationPartner,
        CostLine,
        WorkPackage,
        Submission,
        ApplicationScoreSheet,
        ApplicationCriterionScore,
        DecisionOutcome,
        Grant,
        Tranche,
        Payment,
        LedgerEntry,
        CostStatementLine,
        Letter,
    )
    return {model._meta.label: model.objects.count() for model in models}


def generate(seed: int = 2025, scale: float = 1.0, log=print) -> dict:
    """Fill the (empty, migrated) database; returns the plan for the load driver."""
    if Application.objects.exists():
        raise RuntimeError("The database already holds applications: use an empty database.")
    return Generator(seed, scale, log=log).run()
