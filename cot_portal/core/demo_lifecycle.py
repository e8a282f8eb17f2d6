"""Demo data for every phase after the idea phase: jury, ranking, decision, money and register.

`demo.load_demo()` calls `load_lifecycle()` last, so `make run` shows each phase with work in it:

- **The 2025 call** (its deadlines have passed): five admissible applications (Gent with Kortrijk,
  Leuven, Antwerpen, Brugge, Hasselt), both demo jurors on the jury, assigned, declared "no
  conflict" and scoring; the expert's sheet on Brugge's application is still a draft and a juror
  asked Gent a question. The call manager takes it from here: consensus, ranking, advice and
  the decision are not recorded.
- **The 2024 call** (a previous call, decided on 14/02/2025): advice frozen, decision recorded,
  decision letters issued, three grants opened. Gent's runs: started, agreement accepted,
  tranche 1 paid (four-eyes), cost lines (one waiting for finance), interim report accepted and
  tranche 2 waiting for finance's check. Leuven's tranche 1 payment waits for the second finance
  officer. Brugge's project ended: its end results are in the public register (one more waits
  for the call manager), tranche 3 is requested so finance can settle, and Leuven wants to reuse
  it. Aalst's application did not reach the thresholds.

Everything goes through the portal's own services, so the figures agree on every page. Three
things are written directly: the ideas (created as submitted, then assessed and shortlisted by the
services; submitting ideas is there to try on the open call), the sections of each application
(as `tests/factories_application.complete` fills them) and a few timestamps set back afterwards
(the shortlist, admissibility, the 2024 jury, advice and decision), because the services stamp
"now" and a decision must follow its frozen advice.
Services that take the moment of receipt (`start_application`, `submit_application`) get one
before the call's deadline, so the real submission with its snapshot and receipt runs. Letters
(shortlist, receipts, decisions) are rendered here, not by the Celery worker: the demo is whole
without one, and the tasks queued after the commit find nothing left to do but the e-mails.

Idempotent per call: the 2025 call is left alone once it has applications, the 2024 call once it
exists. The applications, scoring and payments apps sit above cot_portal.core, so they are
imported inside the functions: demo data is the one place that needs every layer.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cot_portal.accounts.models import Membership, MembershipRole, Organisation, User

MANAGER = "callmanager@vlaio.demo"
JURORS = ("jurylid@vlaio.demo", "expert@jury.demo")
FINANCE = ("financien@vlaio.demo", "financien2@vlaio.demo")
GENT_AUTHOR = "aanvrager@gent.demo"
LEUVEN_AUTHOR = "aanvrager@leuven.demo"

# The other lead municipalities' project leaders: without a password, nobody logs in as them.
OTHER_MEMBERS = {
    "11002": ("projectleider@antwerpen.demo", "Ahmed", "Bakkali"),
    "31005": ("projectleider@brugge.demo", "Bert", "Vandamme"),
    "71072": ("projectleider@hasselt.demo", "Hanne", "Claes"),
    "41002": ("projectleider@aalst.demo", "Arne", "De Smet"),
}

YEAR_2024 = 2024
DECISION_2024 = date(2025, 2, 14)
DECISION_REFERENCE_2024 = "VR 2025 1402 DOC.0142"


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in Brussels time."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass(frozen=True)
class Project:
    """One demo application, from idea to jury scores."""

    key: str
    lead: str  # NIS code of the lead municipality
    partner: str  # NIS code of the participating municipality
    author: str  # e-mail of the lead's member who writes and submits it
    title: str
    summary: str
    challenge: str
    solution: str
    themes: tuple[str, ...]
    total_cost: Decimal
    requested: Decimal
    start: date
    end: date
    received: datetime
    kpi: tuple[str, str, str, str]  # name, unit, baseline, target
    # The ten points A1..C3 per juror (JURORS order); None: not scored yet (a draft sheet).
    scores: tuple[tuple[float | None, ...], ...]


def project(key, lead, partner, author, title, summary, themes, cost, requested, **more):
    return Project(
        key=key,
        lead=lead,
        partner=partner,
        author=author,
        title=title,
        summary=summary,
        challenge=more.pop("challenge"),
        solution=more.pop("solution"),
        themes=themes,
        total_cost=Decimal(cost),
        requested=Decimal(requested),
        **more,
    )


PROJECTS_2025 = (
    project(
        "gent-2025",
        "44021",
        "34022",
        GENT_AUTHOR,
        "Open parkeerdata voor Vlaamse centrumsteden",
        "Gent en Kortrijk ontsluiten de bezetting van hun parkings en straatparkeren als open data.",
        ("mobility", "environment"),
        "2000000.00",
        "1600000.00",
        challenge="Zoekverkeer naar een parkeerplaats veroorzaakt files en uitstoot in de binnenstad.",
        solution="Sensoren en een open API tonen de vrije plaatsen in real time, volgens OSLO.",
        start=date(2026, 3, 2),
        end=date(2029, 2, 28),
        received=moment(date(2025, 11, 12), 16, 41),
        kpi=("Gemiddelde zoektijd naar een parkeerplaats", "minuten", "12", "6"),
        scores=(
            (8, 8.5, 7, 8, 9, 7.5, 7, 8.5, 8, 8),
            (8.5, 8, 7.5, 8, 5, 8, 7, 8, 8.5, 7.5),
        ),
    ),
    project(
        "leuven-2025",
        "24062",
        "12025",
        LEUVEN_AUTHOR,
        "Slimme luchtkwaliteitsmeting rond scholen",
        "Leuven en Mechelen meten fijnstof en NO2 aan schoolpoorten en sturen de schoolstraten bij.",
        ("environment", "people"),
        "1000000.00",
        "800000.00",
        challenge="Ouders en scholen weten niet hoe gezond de lucht aan de schoolpoort is.",
        solution="Goedkope sensoren, gekalibreerd tegen de VMM-meetpalen, met een open dashboard.",
        start=date(2026, 3, 2),
        end=date(2028, 2, 29),
        received=moment(date(2025, 11, 13), 10, 5),
        kpi=("Scholen met een meetpunt", "scholen", "0", "40"),
        scores=(
            (7, 7.5, 6.5, 7, 7, 6.5, 7, 7.5, 7, 7),
            (7.5, 7, 7, 6.5, 7, 7, 6.5, 7, 7.5, 7),
        ),
    ),
    project(
        "antwerpen-2025",
        "11002",
        "13040",
        "projectleider@antwerpen.demo",
        "Digitale tweeling tegen wateroverlast",
        "Antwerpen en Turnhout voorspellen wateroverlast per straat met een digitale tweeling.",
        ("environment", "living"),
        "2250000.00",
        "1800000.00",
        challenge="Hevige regenbuien zetten straten en kelders onder water, zonder waarschuwing.",
        solution="Een digitale tweeling van riolering en oppervlaktewater, gevoed met sensordata.",
        start=date(2026, 3, 2),
        end=date(2029, 2, 28),
        received=moment(date(2025, 11, 14), 9, 30),
        kpi=("Straten met een waarschuwing vooraf", "straten", "0", "250"),
        scores=(
            (8, 7.5, 8, 8, 7.5, 7, 7.5, 8, 7.5, 8),
            (7.5, 8, 7.5, 7.5, 8, 7, 7, 8.5, 8, 7.5),
        ),
    ),
    project(
        "brugge-2025",
        "31005",
        "31043",
        "projectleider@brugge.demo",
        "Toeristische drukte voorspellen met sensordata",
        "Brugge en Knokke-Heist spreiden bezoekers met een voorspelling van de drukte.",
        ("economy", "mobility"),
        "1500000.00",
        "1200000.00",
        challenge="Op piekdagen lopen historische centra en de dijk vol, terwijl andere plekken leeg blijven.",
        solution="Tellingen van camera's en wifi voorspellen de drukte en sturen bezoekers bij.",
        start=date(2026, 3, 2),
        end=date(2028, 8, 31),
        received=moment(date(2025, 11, 10), 14, 0),
        kpi=("Bezoekers buiten de piekuren", "procent", "35", "50"),
        scores=(
            (7, 6.5, 6, 6.5, 6.5, 6, 6.5, 7, 6.5, 7),
            (7, 6.5, 6, None, None, None, None, None, None, None),  # the expert's draft
        ),
    ),
    project(
        "hasselt-2025",
        "71072",
        "71016",
        "projectleider@hasselt.demo",
        "Energiedata van publieke gebouwen delen",
        "Hasselt en Genk brengen het verbruik van hun gebouwen samen in één open platform.",
        ("environment", "governance"),
        "750000.00",
        "600000.00",
        challenge="Het energieverbruik van scholen, sporthallen en kantoren is niet te vergelijken.",
        solution="Slimme meters en een gedeeld dataplatform met een maandelijks rapport.",
        start=date(2026, 3, 2),
        end=date(2028, 2, 29),
        received=moment(date(2025, 11, 14), 22, 47),
        kpi=("Gebouwen met een slimme meter", "gebouwen", "12", "120"),
        scores=(
            (6, 6, 5.5, 4.5, 5, 4.5, 5, 6.5, 6, 6),
            (6.5, 5.5, 6, 5, 4.5, 5, 4.5, 6, 6.5, 6),
        ),
    ),
)

PROJECTS_2024 = (
    project(
        "gent-2024",
        "44021",
        "34022",
        GENT_AUTHOR,
        "Slimme verkeerslichten voor fietsers",
        "Gent en Kortrijk geven fietsers groen licht op basis van detectie en open verkeersdata.",
        ("mobility", "people"),
        "1000000.00",
        "800000.00",
        challenge="Fietsers wachten lang aan kruispunten die op auto's zijn afgesteld.",
        solution="Detectie van naderende fietsers en een open standaard voor de regelaars.",
        start=date(2025, 3, 3),
        end=date(2027, 2, 28),
        received=moment(date(2024, 11, 8), 11, 20),
        kpi=("Gemiddelde wachttijd voor fietsers", "seconden", "45", "20"),
        scores=(
            (8.5, 8, 7.5, 8, 8, 7.5, 7.5, 8.5, 8, 8),
            (8, 8.5, 7.5, 8.5, 7.5, 7.5, 7, 8, 8.5, 8),
        ),
    ),
    project(
        "leuven-2024",
        "24062",
        "23062",
        LEUVEN_AUTHOR,
        "Datahub voor buurtzorg",
        "Leuven en Overijse brengen vraag en aanbod van buurtzorg samen in één datahub.",
        ("people", "living"),
        "800000.00",
        "640000.00",
        challenge="Mantelzorgers en vrijwilligers vinden elkaar niet, de gegevens zitten verspreid.",
        solution="Een datahub met toestemming van de burger en open koppelingen naar zorgpartners.",
        start=date(2025, 4, 1),
        end=date(2027, 3, 31),
        received=moment(date(2024, 11, 14), 15, 2),
        kpi=("Gekoppelde zorgvragen per maand", "vragen", "0", "300"),
        scores=(
            (7.5, 7, 7, 7.5, 7, 7, 7, 7.5, 6, 7.5),
            (7.5, 7.5, 7, 7, 7, 7, 6.5, 7.5, 6, 7),
        ),
    ),
    project(
        "brugge-2024",
        "31005",
        "35013",
        "projectleider@brugge.demo",
        "Sensoren voor slim afvalbeheer",
        "Brugge en Oostende ledigen ondergrondse containers wanneer ze vol zijn, niet volgens een vaste ronde.",
        ("environment", "economy"),
        "600000.00",
        "480000.00",
        challenge="Vaste ophaalrondes ledigen halflege containers en laten volle overlopen.",
        solution="Vulgraadsensoren en een routeplanner op open data voor de ophaaldienst.",
        start=date(2025, 3, 3),
        end=date(2026, 8, 31),
        received=moment(date(2024, 11, 12), 9, 45),
        kpi=("Overvolle containers per maand", "meldingen", "85", "20"),
        scores=(
            (7.5, 8, 7, 7.5, 7.5, 7, 7.5, 8, 8.5, 7.5),
            (8, 7.5, 7, 7.5, 7, 7.5, 7, 8, 8, 7.5),
        ),
    ),
    project(
        "aalst-2024",
        "41002",
        "46021",
        "projectleider@aalst.demo",
        "Chatbot voor het stadsloket",
        "Aalst en Sint-Niklaas beantwoorden eenvoudige loketvragen met een chatbot.",
        ("governance",),
        "1250000.00",
        "1000000.00",
        challenge="Het loket krijgt dagelijks honderden dezelfde vragen.",
        solution="Een chatbot op basis van de productcatalogus van de stad.",
        start=date(2025, 4, 1),
        end=date(2027, 3, 31),
        received=moment(date(2024, 11, 15), 20, 10),
        kpi=("Vragen zonder loketbezoek", "procent", "10", "40"),
        scores=(
            (5.5, 5, 4.5, 5, 4, 4.5, 4.5, 5.5, 5, 5),
            (5, 5.5, 5, 4.5, 4.5, 4, 5, 5, 5.5, 5),
        ),
    ),
)


# --- Small helpers ------------------------------------------------------------------------------


@cache
def demo_pdf(title: str, organisation: str, paragraphs: tuple[str, ...] = ()) -> bytes:
    """A small, valid PDF (rendered once per process) to store where a file is needed."""
    from cot_portal.letters.rendering import render_pdf

    return render_pdf(
        "core/demo_document.html",
        {"title": title, "organisation": organisation, "paragraphs": paragraphs},
    )


def upload(name: str, title: str, organisation: str, *paragraphs: str) -> SimpleUploadedFile:
    """What a browser would upload: a PDF named `name`."""
    return SimpleUploadedFile(
        name, demo_pdf(title, organisation, paragraphs), content_type="application/pdf"
    )


def motivation(points: float) -> str:
    if points >= 8:
        return "Sterk: overtuigend onderbouwd en met concrete cijfers."
    if points >= 6.5:
        return "Goed, maar de aanpak kan concreter."
    if points >= 5:
        return "Voldoende; belangrijke punten blijven vaag."
    return "Onvoldoende uitgewerkt voor een project van deze omvang."


def people() -> dict[str, User]:
    """The demo users and the other municipalities' project leaders, fresh from the database
    (permission caches on earlier user objects would miss memberships made since)."""
    for nis, (email, first, last) in OTHER_MEMBERS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, first_name=first, last_name=last)
        Membership.objects.get_or_create(
            user=user,
            organisation=Organisation.objects.get(nis_code=nis),
            defaults={"role": MembershipRole.ADMIN},
        )
    return {user.email: user for user in User.objects.filter(email__endswith=".demo")}


# --- Entry point --------------------------------------------------------------------------------


def load_lifecycle() -> None:
    """Add the jury phase of the 2025 call and the decided 2024 call, each once."""
    from applications.manual_2025 import CALL_2025
    from applications.models import Application, Call

    users = people()
    call_2025 = Call.objects.get(year=CALL_2025["year"])
    if not Application.objects.filter(call=call_2025).exists():
        applications = submitted_applications(call_2025, PROJECTS_2025, users)
        jury_at_work(call_2025, applications, PROJECTS_2025, users)
        ask_gent_a_question(applications["gent-2025"], users)
    if not Call.objects.filter(year=YEAR_2024).exists():
        decided_call_2024(users)


# --- From idea to admissible application --------------------------------------------------------


def submitted_applications(call, projects, users) -> dict:
    """Each project as an admissible application: its idea on the published shortlist, the
    application started from it and filled in, submitted before the deadline (snapshot and
    receipt) and declared admissible. Every lead attended the call's information session."""
    from applications.models import Application, SessionKind
    from applications.services.cocreation import create_session, record_attendance

    manager = users[MANAGER]
    starts = moment(date(call.year, 6, 20), 10)
    session = create_session(
        call=call,
        by=manager,
        title=f"Infosessie {call.title}",
        kind=SessionKind.INFORMATION,
        description="De regels van de oproep, de shortlist en de volledige aanvraag.",
        starts_at=starts,
        ends_at=starts.replace(hour=12),
        location="VLAIO, Koning Albert II-laan 35, Brussel",
        online_url="",
        capacity=120,
    )
    ideas = shortlisted_ideas(call, projects, users)
    applications = {}
    for project in projects:
        author = users[project.author]
        record_attendance(
            session=session,
            organisation=Organisation.objects.get(nis_code=project.lead),
            person_name=author.get_full_name(),
            person_email=author.email,
            by=manager,
        )
        application = admissible_application(ideas[project.key], project, author, manager)
        applications[project.key] = Application.objects.get(pk=application.pk)
    set_back(
        "applications.AdmissibilityDecision",
        {"application__call": call},
        decided_at=timezone.localtime(call.application_deadline) + timedelta(days=10),
    )
    return applications


def shortlisted_ideas(call, projects, users) -> dict:
    """The projects' ideas, submitted a week before the idea deadline, assessed by the call
    manager and on the published shortlist, with their shortlist letters (R-SL, R-SL-GATE).
    The ideas are written as submitted: submitting ideas is there to try on the open call."""
    from applications.models import Idea, IdeaPartner, IdeaStatus
    from scoring.rules import criterion_maxima
    from scoring.services import (
        CriterionInput,
        issue_shortlist_letters,
        publish_shortlist,
        save_idea_assessment,
    )

    manager = users[MANAGER]
    received = timezone.localtime(call.idea_deadline) - timedelta(days=7)
    maxima = criterion_maxima(call.shortlist_maxima)
    ideas = {}
    for number, project in enumerate(projects, start=1):
        idea = Idea.objects.create(
            call=call,
            organisation=Organisation.objects.get(nis_code=project.lead),
            created_by=users[project.author],
            reference=f"IDEE-{call.year}-{number:04d}",
            status=IdeaStatus.SUBMITTED,
            title=project.title,
            challenge=project.challenge,
            solution=project.solution,
            capacity_building="Twee data-analisten van de steden werken mee en borgen de kennis.",
            policy_alignment="Past in het bestuursakkoord en in het Vlaamse beleid rond slimme steden.",
            support_rollout="Andere gemeenten kunnen via een raamcontract aansluiten.",
            openness="OSLO-vocabularia, open standaarden en open data.",
            work_packages="WP1 analyse en aanbesteding, WP2 uitrol, WP3 kennisdeling.",
            budget_total=project.total_cost,
            budget_notes="Personeel, externe begeleiding en sensoren.",
            themes=list(project.themes),
            submitted_at=received + timedelta(minutes=37 * number),
        )
        IdeaPartner.objects.create(
            idea=idea,
            organisation=Organisation.objects.get(nis_code=project.partner),
            role="deelnemer",
            contribution="Tweede proeftuin",
        )
        share = Decimal(str(sum(project.scores[0]))) / 100  # as strong as the application
        save_idea_assessment(
            idea=idea,
            manager=manager,
            consensus={
                n: CriterionInput(
                    (maximum * share).quantize(Decimal("0.1")), "Helder en relevant voorstel."
                )
                for n, maximum in maxima.items()
            },
            general_feedback="Werk de kostenraming en de kennisdeling verder uit in de aanvraag.",
            shortlisted=True,
        )
        ideas[project.key] = idea
    publish_shortlist(call=call, manager=manager)
    issue_shortlist_letters(call.pk)  # not left to the worker: the demo is whole without one
    set_back(
        "scoring.ShortlistPublication",
        {"call": call},
        published_at=timezone.localtime(call.idea_deadline) + timedelta(days=14),
    )
    return {key: Idea.objects.get(pk=idea.pk) for key, idea in ideas.items()}


def admissible_application(idea, project, author, manager):
    """Started a month after the idea, filled in, submitted at `project.received`, admissible."""
    from applications.services.admissibility import decide
    from applications.services.application import add_attachment, start_application
    from applications.services.submission import render_submission_documents, submit_application

    lead = idea.organisation
    application = start_application(idea, user=author, now=idea.submitted_at + timedelta(days=30))
    fill_in(application, project)
    add_attachment(
        application,
        kind="bestuursakkoord",
        title=f"Bestuursakkoord {lead.name}",
        uploaded=upload(
            "bestuursakkoord.pdf",
            f"Bestuursakkoord {lead.name} – uittreksel",
            lead.name,
            "Het college engageert zich om het project uit te voeren en te verankeren.",
        ),
        user=author,
    )
    submission = submit_application(application, user=author, now=project.received)
    render_submission_documents(submission.pk)  # snapshot and receipt, without the worker
    decide(application, admissible=True, user=manager)
    return application


def fill_in(application, project: Project) -> None:
    """Every section, as the applicant would fill it in (`factories_application.complete`)."""
    from applications.models import KPI, CostLine, GroupMember, ProcurementItem, WorkPackage

    application.summary = project.summary
    application.external_support = "Begeleiding bij de marktverkenning en de aanbesteding."
    application.provider_profile = "Een bureau met ervaring in innovatief aanbesteden en open data."
    application.policy_commitment = "Opgenomen in het bestuursakkoord 2025-2030."
    application.scalability = "Elke Vlaamse gemeente kan via het raamcontract aansluiten."
    application.rollout = "De stad neemt de exploitatie over na het project."
    application.business_model = "Licentievrij, met een gedeelde hostingkost per gemeente."
    application.start_date = project.start
    application.end_date = project.end
    application.requested_support = project.requested
    application.own_contribution = project.total_cost - project.requested
    application.save()
    months = application.duration_months
    lead, partner = list(application.partners.order_by("pk"))[:2]
    WorkPackage.objects.create(
        application=application,
        number=1,
        title="Analyse en aanbesteding",
        lead_partner=lead,
        start_month=1,
        end_month=min(12, months),
    )
    WorkPackage.objects.create(
        application=application,
        number=2,
        title="Uitrol in beide steden",
        lead_partner=partner,
        start_month=min(7, months),
        end_month=months,
    )
    WorkPackage.objects.create(
        application=application,
        number=3,
        title="Kennisdeling en communicatie",
        lead_partner=lead,
        start_month=1,
        end_month=months,
        knowledge_sharing=True,
    )
    cost = project.total_cost
    for partner_row, category, year, description, share in (
        (lead, "personnel", 1, "Projectleider en data-analist", Decimal("0.50")),
        (lead, "external", 2, "Begeleiding aanbesteding", Decimal("0.10")),
        (partner, "personnel", 1, "Projectmedewerker", Decimal("0.40")),
    ):
        CostLine.objects.create(
            application=application,
            partner=partner_row,
            category=category,
            year=year,
            description=description,
            amount=(cost * share).quantize(Decimal("0.01")),
        )
    ProcurementItem.objects.create(
        application=application,
        description="Begeleiding aanbesteding",
        estimated_value=Decimal("100000.00"),
        procedure="negotiated",
    )
    GroupMember.objects.create(
        application=application,
        group="steering",
        name="Sofie Janssens",
        organisation_name=lead.organisation.name,
        role="Voorzitter",
    )
    name, unit, baseline, target = project.kpi
    KPI.objects.create(
        application=application,
        name=name,
        unit=unit,
        baseline=Decimal(baseline),
        target=Decimal(target),
    )


def set_back(model_label: str, where: dict, **values) -> None:
    """Give rows the moment they would have had (the services stamp "now"). Only for rows
    whose history does not matter; never for the ledger (append-only)."""
    from django.apps import apps

    apps.get_model(model_label).objects.filter(**where).update(**values)


# --- The jury -----------------------------------------------------------------------------------


def jury_at_work(call, applications: dict, projects, users) -> None:
    """Both demo jurors on the call's jury, assigned every application, declared "no conflict"
    and scoring: a sheet with a None in it stays a draft."""
    from scoring.models import JuryKind
    from scoring.ranking import SUBCRITERION_CODES
    from scoring.services_applications import (
        SubCriterionInput,
        add_jury_member,
        assign_applications,
        declare_application_conflict,
        save_application_sheet,
    )

    manager = users[MANAGER]
    jurors = [users[email] for email in JURORS]
    for juror, kind in zip(jurors, (JuryKind.STAFF, JuryKind.EXTERNAL), strict=True):
        add_jury_member(call=call, user=juror, kind=kind, manager=manager)
    assign_applications(call=call, manager=manager)
    for project in projects:
        application = applications[project.key]
        for juror, points in zip(jurors, project.scores, strict=True):
            declare_application_conflict(application=application, juror=juror, has_conflict=False)
            scores = {
                code: SubCriterionInput(Decimal(str(value)), motivation(value))
                for code, value in zip(SUBCRITERION_CODES, points, strict=True)
                if value is not None
            }
            save_application_sheet(
                application=application,
                juror=juror,
                scores=scores,
                submit=None not in points,
            )


def ask_gent_a_question(application, users) -> None:
    from scoring.services_questions import ask_question

    ask_question(
        application=application,
        user=users[JURORS[0]],
        text="Hoe blijven de parkeerdata actueel nadat het project afloopt, en wie betaalt dat?",
    )


# --- The decided 2024 call ----------------------------------------------------------------------


def decided_call_2024(users) -> None:
    """A previous call with the same rules, decided: advice, decision, letters, grants."""
    from applications.manual_2025 import CALL_2025
    from applications.models import Call
    from payments.models import Grant
    from scoring.services_decision_letters import issue_decision_letters
    from scoring.services_ranking import (
        freeze_advice,
        record_decision,
        save_conditions,
        set_consensus,
    )

    manager = users[MANAGER]
    call = Call.objects.create(
        **{
            **CALL_2025,
            "year": YEAR_2024,
            "title": f"Oproep City of Things {YEAR_2024}",
            "idea_phase_opens": moment(date(2024, 6, 3), 0),
            "idea_deadline": moment(date(2024, 9, 9), 12),
            "application_deadline": moment(date(2024, 11, 15), 23, 59),
            "decision_date_estimated": DECISION_2024,
        }
    )
    applications = submitted_applications(call, PROJECTS_2024, users)
    jury_at_work(call, applications, PROJECTS_2024, users)
    set_consensus(
        application=applications["leuven-2024"],
        code="C2",
        points=Decimal("7"),
        motivation="De jury weegt de aansluiting van kleinere gemeenten als Overijse zwaarder.",
        manager=manager,
    )
    save_conditions(
        application=applications["gent-2024"],
        conditions="De stad Gent stelt vóór de start een voltijdse projectleider aan.",
        manager=manager,
    )
    scored = moment(date(2025, 1, 10), 17)
    set_back("scoring.ApplicationScoreSheet", {"application__call": call}, submitted_at=scored)
    set_back("scoring.ConsensusOverride", {"application__call": call}, set_at=scored)
    set_back("scoring.JuryReview", {"application__call": call}, updated_at=scored)
    advice = freeze_advice(call=call, manager=manager)
    # The decision follows the advice the Government received in January 2025.
    set_back("scoring.Advice", {"pk": advice.pk}, frozen_at=moment(date(2025, 1, 24), 15))
    decision = record_decision(
        call=call,
        decision_date=DECISION_2024,
        decision_reference=DECISION_REFERENCE_2024,
        manager=manager,
    )
    set_back(
        "scoring.GovernmentDecision",
        {"pk": decision.pk},
        recorded_at=moment(DECISION_2024, 16, 30),
    )
    set_back("applications.Call", {"pk": call.pk}, decision_date=DECISION_2024)
    issue_decision_letters(call.pk)  # not left to the worker: the demo is whole without one

    def grant(key):
        return Grant.objects.get(application=applications[key])

    gent_grant_in_execution(grant("gent-2024"), users)
    leuven_payment_waiting_for_approval(grant("leuven-2024"), users)
    brugge_grant_with_end_results(grant("brugge-2024"), users)


# --- Grants -------------------------------------------------------------------------------------


def started_with_agreement(grant, day: date, lead_user, manager) -> None:
    """R-START and R-COOP: the actual start, the signed agreement uploaded and accepted."""
    from payments.services_tranches import check_agreement, set_actual_start, upload_agreement

    set_actual_start(grant, day, lead_user)
    agreement = upload_agreement(
        grant,
        upload(
            "samenwerkingsovereenkomst.pdf",
            f"Samenwerkingsovereenkomst {grant.reference}",
            grant.organisation.name,
            "De partners regelen hun taken, de verdeling van de steun en het gebruik van de resultaten.",
        ),
        lead_user,
    )
    check_agreement(agreement, True, "", manager)


def paid_tranche(grant, number: int, lead_user, proposer, approver) -> None:
    """R-TR and four-eyes: requested by the lead, proposed by one officer, released by another."""
    from payments.services_payments import approve_payment, propose_payment
    from payments.services_tranches import request_tranche

    request_tranche(grant.tranches.get(number=number), lead_user)
    payment = propose_payment(
        grant.tranches.get(number=number), proposer, note="Voorwaarden nagekeken."
    )
    approve_payment(payment, approver)


def report_costs(grant, lines, lead_user, finance, *, pending_last: bool = False) -> None:
    """R-COSTS: cost lines with a PDF as evidence; finance accepts them (the last one waits
    when `pending_last`)."""
    from payments.services_costs import add_cost_line, check_cost_line

    partners = {p.organisation.nis_code: p for p in grant.application.partners.all()}
    for number, (nis, category, day, description, amount) in enumerate(lines, start=1):
        line = add_cost_line(
            grant,
            partner=partners[nis],
            category=category,
            date=day,
            description=description,
            amount=Decimal(amount),
            evidence=upload(
                f"bewijsstuk-{number}.pdf",
                f"Bewijsstuk: {description}",
                partners[nis].organisation.name,
            ),
            user=lead_user,
        )
        if not (pending_last and number == len(lines)):
            check_cost_line(line, accept=True, reason="", user=finance)


def kpi_values(grant, value: str) -> dict:
    return {kpi.pk: value for kpi in grant.application.kpis.all()}


def accepted_interim_report(grant, value: str, lead_user, manager) -> None:
    from payments.services_tranches import check_report, submit_report

    report = submit_report(
        grant,
        "interim",
        "Het eerste projectjaar is afgerond: de aanbesteding is gegund en de proefopstelling draait.",
        kpi_values(grant, value),
        upload(
            "tussentijds-rapport.pdf",
            f"Tussentijds inhoudelijk rapport {grant.reference}",
            grant.organisation.name,
        ),
        None,
        None,
        None,
        lead_user,
    )
    check_report(report, True, "", manager)


def gent_grant_in_execution(grant, users) -> None:
    """Tranche 1 paid, costs reported (one waits for finance), tranche 2 waits for the check."""
    from payments.services_tranches import confirm_conditions, request_tranche

    lead_user, manager = users[GENT_AUTHOR], users[MANAGER]
    first, second = (users[email] for email in FINANCE)
    started_with_agreement(grant, date(2025, 3, 3), lead_user, manager)
    confirm_conditions(grant, manager)
    paid_tranche(grant, 1, lead_user, first, second)
    report_costs(
        grant,
        (
            (
                "44021",
                "personnel",
                date(2025, 6, 30),
                "Projectleider januari–juni 2025",
                "180000.00",
            ),
            ("44021", "external", date(2025, 9, 15), "Factuur 2025-118 studiebureau", "95000.00"),
            ("34022", "personnel", date(2025, 12, 31), "Analist Kortrijk 2025", "160000.00"),
            (
                "44021",
                "personnel",
                date(2026, 6, 30),
                "Projectleider januari–juni 2026",
                "110000.00",
            ),
        ),
        lead_user,
        first,
        pending_last=True,
    )
    accepted_interim_report(grant, "31", lead_user, manager)
    request_tranche(grant.tranches.get(number=2), lead_user)


def leuven_payment_waiting_for_approval(grant, users) -> None:
    """Tranche 1 proposed by the first finance officer: the second one approves (four-eyes)."""
    from payments.services_payments import propose_payment
    from payments.services_tranches import request_tranche

    lead_user = users[LEUVEN_AUTHOR]
    started_with_agreement(grant, date(2025, 4, 1), lead_user, users[MANAGER])
    request_tranche(grant.tranches.get(number=1), lead_user)
    propose_payment(grant.tranches.get(number=1), users[FINANCE[0]], note="Alles in orde.")


def brugge_grant_with_end_results(grant, users) -> None:
    """The project ended: tranches 1 and 2 paid, every cost accepted, the final report with the
    end results accepted, results in the public register, tranche 3 requested (finance
    settles), and Leuven wants to reuse it."""
    from payments.models import ResultKind
    from payments.register_services import (
        add_end_result,
        publish_end_result,
        register_reuse_interest,
    )
    from payments.services_tranches import check_report, request_tranche, submit_report

    lead_user, manager = users["projectleider@brugge.demo"], users[MANAGER]
    first, second = (users[email] for email in FINANCE)
    name = grant.organisation.name
    started_with_agreement(grant, date(2025, 3, 3), lead_user, manager)
    paid_tranche(grant, 1, lead_user, second, first)
    report_costs(
        grant,
        (
            ("31005", "personnel", date(2025, 6, 30), "Projectleider 2025", "150000.00"),
            (
                "31005",
                "external",
                date(2025, 10, 31),
                "Factuur 2025-77 vulgraadsensoren",
                "60000.00",
            ),
            (
                "35013",
                "personnel",
                date(2025, 12, 31),
                "Projectmedewerker Oostende 2025",
                "120000.00",
            ),
            ("31005", "personnel", date(2026, 6, 30), "Projectleider 2026", "150000.00"),
            (
                "35013",
                "personnel",
                date(2026, 8, 31),
                "Projectmedewerker Oostende 2026",
                "120000.00",
            ),
        ),
        lead_user,
        first,
    )
    accepted_interim_report(grant, "48", lead_user, manager)
    paid_tranche(grant, 2, lead_user, first, second)
    final = submit_report(
        grant,
        "final",
        "De sensoren hangen in 400 containers; de ophaaldienst rijdt op basis van de vulgraad.",
        kpi_values(grant, "18"),
        upload("eindrapport.pdf", f"Eindrapport {grant.reference}", name),
        upload("gunningsverslag.pdf", "Gunningsverslag vulgraadsensoren", name),
        upload("raamovereenkomst.pdf", "Raamovereenkomst vulgraadsensoren", name),
        upload(
            "draaiboek.pdf",
            "Draaiboek slim afvalbeheer voor andere gemeenten",
            name,
            "Stap 1: breng de containers en hun ledigingen in kaart.",
            "Stap 2: sluit aan op de raamovereenkomst en plaats de sensoren.",
            "Stap 3: plan de ophaalrondes op de vulgraad.",
        ),
        lead_user,
    )
    check_report(final, True, "", manager)
    for kind, title, more in (
        (
            ResultKind.PLAYBOOK,
            "Draaiboek slim afvalbeheer",
            {
                "description": "Hoe een gemeente in drie stappen overstapt op ledigen volgens vulgraad.",
                "uploaded": upload(
                    "draaiboek-slim-afvalbeheer.pdf",
                    "Draaiboek slim afvalbeheer voor andere gemeenten",
                    name,
                    "Stap 1: breng de containers en hun ledigingen in kaart.",
                    "Stap 2: sluit aan op de raamovereenkomst en plaats de sensoren.",
                    "Stap 3: plan de ophaalrondes op de vulgraad.",
                ),
            },
        ),
        (
            ResultKind.LESSONS,
            "Lessen uit twee jaar vulgraadsensoren",
            {
                "lessons_good": "De ophaaldienst rijdt 30% minder kilometers; de bewoners melden minder overvolle containers.",
                "lessons_bad": "De eerste sensoren verloren hun verbinding in ondergrondse containers; kies een netwerk met diepe dekking.",
            },
        ),
    ):
        result = add_end_result(
            grant, kind=kind, title=title, offer=True, acknowledged=True, user=lead_user, **more
        )
        publish_end_result(result, user=manager)
    add_end_result(
        grant,
        kind=ResultKind.FRAMEWORK_AGREEMENT,
        title="Raamovereenkomst vulgraadsensoren",
        description="Andere gemeenten kunnen tot eind 2028 sensoren afnemen.",
        uploaded=upload("raamovereenkomst-sensoren.pdf", "Raamovereenkomst vulgraadsensoren", name),
        offer=True,
        acknowledged=True,
        user=lead_user,
    )
    request_tranche(grant.tranches.get(number=3), lead_user)
    register_reuse_interest(
        grant,
        organisation=Organisation.objects.get(nis_code="24062"),
        message="Leuven wil aansluiten op de raamovereenkomst voor de sensoren.",
        user=users[LEUVEN_AUTHOR],
    )
