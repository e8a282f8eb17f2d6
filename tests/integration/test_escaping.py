"""User text is shown, never run: HTML pages, PDFs and e-mails.

Hostile text (`<script>`, `<img onerror>`, `{{ 7*7 }}`) goes into what users type: the idea's
title and summary, the application's texts (title, summary, challenge, a partner's contribution,
a work package), the jury's question and the applicant's answer (R-JURY-Q), a change request's
description and VLAIO's motivation (R-CHANGE), a cost line's description (R-COSTS) and an end
result (R-SHARE), and the jury's feedback in the shortlist letter (R-SL).

- pages: the text is there, escaped (`&lt;script&gt;`), never as markup, and `{{ 7*7 }}` is
  not evaluated by the template engine;
- PDFs (idea receipt, submission snapshot and receipt, shortlist letter, advice to the
  Government, approval letter; R-LETTER): pypdf finds the literal text, so WeasyPrint drew it as
  text and did not interpret it as markup (an `<img>` or `<script>` would leave no text);
- e-mails: the portal sends text/plain only (no HTML alternative that could run markup); the
  plain body carries the literal text; the subject is one line without user text, and a newline
  in a title does not add a header (no `Bcc:` injection).
"""

import email
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Application, ApplicationPartner, Submission, WorkPackage
from applications.services.ideas import submit_idea
from cot_portal.letters.models import Letter
from payments import register_services, services_changes, services_costs
from payments.models import Grant
from payments.services_grant import open_grant
from scoring import services_questions, services_ranking
from scoring.models import Advice, DecisionOutcome, DecisionReason, GovernmentDecision
from scoring.services import publish_shortlist
from tests.factories import IdeaFactory, member_of, municipality, open_call
from tests.factories_application import complete, started_application
from tests.factories_ranking import on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, decide, juror, submitted_idea

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
TEMPLATE = "{{ 7*7 }}"
HOSTILE = f"{SCRIPT}{IMG}{TEMPLATE}"
INJECTED_TITLE = "Slim parkeren\r\nBcc: spion@example.com\r\nX-Evil: ja"
GENT, KORTRIJK = "44021", "34022"


@pytest.fixture(autouse=True)
def _dutch(settings):
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- checks -------------------------------------------------------------------------------------


def assert_escaped(response, copies: int = 1):
    """The hostile text is on the page `copies` times or more, escaped, never as markup."""
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= copies
    assert page.count("&lt;img src=x onerror=alert(2)&gt;") >= copies
    assert SCRIPT not in page and "<img src=x" not in page
    assert TEMPLATE in page  # shown as typed, not evaluated


def compact(text: str) -> str:
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return compact("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def assert_literal_in_pdf(data: bytes):
    text = pdf_text(data)
    assert compact(HOSTILE) in text, text[:1500]
    assert "&lt;" not in text  # escaped once, by the template: not shown as entities


def assert_safe_mail(message, *, literal: bool = True):
    """Plain text only; the literal text in the body; a one-line subject; no injected header."""
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "<script" not in message.subject
    for content, mimetype in getattr(message, "alternatives", []):
        assert "html" not in mimetype or SCRIPT not in content, "an HTML part runs markup"
    assert not getattr(message, "alternatives", [])  # the portal sends text/plain only
    if literal:
        assert HOSTILE in message.body
    parsed = email.message_from_bytes(message.message().as_bytes())
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed.get_content_maintype() in ("text", "multipart")


# --- ideas --------------------------------------------------------------------------------------


def test_idea_text_is_escaped_on_its_page_and_literal_in_its_receipt(client):
    user = member_of(municipality(GENT))
    idea = IdeaFactory(
        call=open_call(), organisation=municipality(GENT), created_by=user, title=HOSTILE
    )
    idea.summary = HOSTILE
    idea.save()
    client.force_login(user)
    assert_escaped(client.get(reverse("applications:idea", args=[idea.reference])), copies=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        submit_idea(idea, user=user)
    letter = Letter.objects.get(object_id=idea.pk, kind="idea-receipt")
    assert_literal_in_pdf(letter.pdf.read())
    (message,) = mail.outbox
    assert_safe_mail(message)
    assert message.attachments and message.attachments[0][2] == "application/pdf"


def test_a_newline_in_a_title_adds_no_mail_header():
    user = member_of(municipality(GENT))
    idea = IdeaFactory(
        call=open_call(), organisation=municipality(GENT), created_by=user, title=INJECTED_TITLE
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        submit_idea(idea, user=user)
    (message,) = mail.outbox
    assert_safe_mail(message, literal=False)
    assert "spion@example.com" not in message.recipients()
    headers = message.message().as_bytes().split(b"\n\n", 1)[0]
    assert b"Bcc:" not in headers and b"X-Evil:" not in headers
    assert b"Slim parkeren" not in headers  # the title stays out of the headers


def test_the_shortlist_letter_shows_the_jury_feedback_as_text():
    """R-SL, R-LETTER: the idea's title and the consensus feedback, literal in the PDF."""
    manager = call_manager()
    idea = submitted_idea(call=open_call(), title=HOSTILE)
    decide(idea, manager, shortlisted=True, general_feedback=HOSTILE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish_shortlist(call=idea.call, manager=manager)
    letter = Letter.objects.get(object_id=idea.pk, kind="shortlist")
    text = pdf_text(letter.pdf.read())
    assert text.count(compact(HOSTILE)) == 2  # the title and the general feedback
    assert "&lt;" not in text


# --- applications -------------------------------------------------------------------------------


def _hostile_application():
    application, user = started_application()
    complete(application, user)
    Application.objects.filter(pk=application.pk).update(
        title=HOSTILE, summary=HOSTILE, challenge=HOSTILE
    )
    ApplicationPartner.objects.filter(application=application).update(contribution=HOSTILE)
    WorkPackage.objects.filter(application=application, number=1).update(title=HOSTILE)
    application.refresh_from_db()
    return application, user


def test_application_texts_are_escaped_on_the_pages_and_literal_in_the_snapshot(client):
    """R-APP pages, then R-SUBMIT through the review page: the snapshot PDF and the receipt."""
    application, user = _hostile_application()
    client.force_login(user)
    kwargs = {"year": application.call.year, "slug": application.slug}
    for section, copies in (("project", 2), ("partners", 2), ("work_packages", 1)):
        page = reverse("applications:application_section", kwargs={**kwargs, "section": section})
        assert_escaped(client.get(page), copies=copies)
    review = reverse("applications:application_review", kwargs=kwargs)
    assert_escaped(client.get(review), copies=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(review)
    assert response.status_code == 302
    submission = Submission.objects.get(application=application)
    submission.refresh_from_db()
    text = pdf_text(submission.pdf.read())
    # title (twice: subject and heading), summary, challenge, two contributions, a work package
    assert text.count(compact(HOSTILE)) >= 6, text[:2000]
    assert "&lt;" not in text
    assert mail.outbox
    for message in mail.outbox:
        assert_safe_mail(message, literal=False)


def test_the_advice_and_the_approval_letter_show_the_title_as_text():
    """R-LETTER: the advice to the Government and the decision letter name the title."""
    manager = call_manager()
    scorer = juror()
    call = ranking_call()
    on_jury(call, manager, scorer)
    application, _lead = scored_application(call, GENT, [scorer], uniform(9))
    Application.objects.filter(pk=application.pk).update(title=HOSTILE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services_ranking.freeze_advice(call=call, manager=manager)
    assert_literal_in_pdf(Advice.objects.get(call=call).pdf.read())
    with TestCase.captureOnCommitCallbacks(execute=True):
        services_ranking.record_decision(
            call=call, decision_date=timezone.localdate(), decision_reference="VR", manager=manager
        )
    outcome = DecisionOutcome.objects.get(application=application)
    assert outcome.letter is not None
    assert_literal_in_pdf(outcome.letter.pdf.read())
    for message in mail.outbox:
        assert_safe_mail(message, literal=False)


def test_jury_questions_and_answers_are_escaped_and_mailed_as_text(client):
    """R-JURY-Q: the question and the answer on both pages; the e-mails carry them as text."""
    manager = call_manager()
    scorer = juror()
    call = ranking_call()
    on_jury(call, manager, scorer)
    application, lead = scored_application(call, GENT, [scorer], uniform(9))
    with TestCase.captureOnCommitCallbacks(execute=True):
        question = services_questions.ask_question(
            application=application, user=manager, text=HOSTILE
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services_questions.answer_question(question=question, user=lead, text=HOSTILE)
    client.force_login(lead)
    mine = reverse(
        "scoring_applicant:questions", kwargs={"year": call.year, "slug": application.slug}
    )
    assert_escaped(client.get(mine), copies=2)
    client.force_login(manager)
    assert_escaped(
        client.get(reverse("scoring:jury_questions", args=[application.reference])), copies=2
    )
    asked, answered = mail.outbox
    assert_safe_mail(asked)  # the question, as text, to the applicant
    assert_safe_mail(answered, literal=False)  # a notice to the asker, without the answer


# --- money --------------------------------------------------------------------------------------


def _grant():
    """A running grant, opened as the Government's decision opens it (no letters needed)."""
    manager = call_manager()
    call = ranking_call()
    application, lead = started_application(call=call, lead_nis=GENT, partner_nis=(KORTRIJK,))
    complete(application, lead)
    Application.objects.filter(pk=application.pk).update(
        status="admissible", submitted_at=timezone.now() - timedelta(days=1)
    )
    decision = GovernmentDecision.objects.create(
        call=call,
        decision_date=timezone.localdate(),
        decision_reference="VR 1",
        recorded_by=manager,
        recorded_at=timezone.now(),
    )
    outcome = DecisionOutcome.objects.create(
        decision=decision,
        application=application,
        approved=True,
        reason=DecisionReason.FUNDED,
        rank=1,
        requested=Decimal("800000.00"),
        awarded=Decimal("800000.00"),
        total_score=Decimal("90"),
    )
    return open_grant(outcome), lead, manager


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def test_change_requests_cost_lines_and_end_results_are_escaped(client):
    """R-CHANGE (description, VLAIO's motivation and its e-mail), R-COSTS (description),
    R-SHARE (an end result's title and description)."""
    grant, lead, manager = _grant()
    grant = Grant.objects.get(pk=grant.pk)
    services_costs.add_cost_line(
        grant,
        partner=grant.application.partners.get(role="coordinator"),
        category="personnel",
        date=grant.start_date,
        description=HOSTILE,
        amount=Decimal("100.00"),
        evidence=_pdf("factuur.pdf"),
        user=lead,
    )
    change = services_changes.request_change(
        grant,
        kind="budget_shift",
        description=HOSTILE,
        approved_total_cost=Decimal("950000.00"),
        user=lead,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services_changes.decide_change(change, approve=False, motivation=HOSTILE, user=manager)
    register_services.add_end_result(
        grant,
        kind="playbook",
        title=HOSTILE,
        description=HOSTILE,
        uploaded=_pdf("draaiboek.pdf"),
        user=lead,
    )
    client.force_login(lead)
    assert_escaped(client.get(reverse("payments:cost_lines", args=[grant.reference])))
    assert_escaped(client.get(reverse("payments:changes", args=[grant.reference])), copies=2)
    assert_escaped(client.get(reverse("register:end_results", args=[grant.reference])), copies=2)
    assert mail.outbox
    for message in mail.outbox:
        assert_safe_mail(message)
