"""The jury's questions to the applicant and the lead applicant's answers (R-JURY-Q).

During scoring VLAIO may ask the applicant for more information: a thread on the application,
answered by the lead applicant, visible to the unconflicted jury. The thread is kept beside the
frozen submission (its own table), never inside it: a question or an answer changes no Submission.

The applicant never learns who asked: pages and e-mails to the applicant say "VLAIO". An answer can
be changed until the Government's decision; django-simple-history keeps every earlier text.

Each function runs in a transaction, locks the application (then the question) and checks the
permission again whatever the caller: no right to the thread at all is a PermissionDenied, a
thread that is closed (not in the jury phase any more, or decided) is a ScoringError.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from applications.permissions import is_application_lead_member
from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import short_datetime

from .models import JuryQuestion
from .services import ScoringError

MAX_TEXT_LENGTH = 5000

# Shared with the forms and the views, which say the same before the service is reached.
QUESTION_REQUIRED = gettext_lazy("Write your question before you send it.")
ANSWER_REQUIRED = gettext_lazy("Write your answer before you send it.")
QUESTIONS_CLOSED = gettext_lazy(
    "This application is no longer with the jury: no more questions can be asked."
)
ANSWERS_CLOSED = gettext_lazy(
    "The jury's work on this application is finished: answers can no longer be given or changed."
)


def _clean_text(text: str, field: str, empty_message) -> str:
    text = (text or "").strip()
    if not text:
        raise ScoringError({field: str(empty_message)})
    if len(text) > MAX_TEXT_LENGTH:
        raise ScoringError(
            {
                field: _("Keep it under %(max)s characters (now %(count)s).")
                % {"max": MAX_TEXT_LENGTH, "count": len(text)}
            }
        )
    return text


def _lock_application(pk: int) -> Application:
    """The application row, locked, with what the permissions and the e-mails read."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "organisation")
        .get(pk=pk)
    )


def _link(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def ask_question(*, application: Application, user, text: str, base_url: str = "") -> JuryQuestion:
    """An unconflicted juror or the call manager asks the applicant a question (R-JURY-Q).

    Only while the application is with the jury (admissible, no Government decision yet). The
    lead organisation's members get an e-mail after the commit; it names no juror. `base_url`
    ("https://portal.example/") makes the link in the e-mail absolute.
    """
    text = _clean_text(text, "question", QUESTION_REQUIRED)
    with transaction.atomic():
        locked = _lock_application(application.pk)
        if not user.has_perm("scoring.view_jury_questions", locked):
            raise PermissionDenied
        if not user.has_perm("scoring.ask_jury_question", locked):
            raise ScoringError(str(QUESTIONS_CLOSED))
        question = JuryQuestion(
            application=locked, question=text, asked_by=user, asked_at=timezone.now()
        )
        question._change_reason = "asked"
        question.save()
        _mail_applicant(locked, question, base_url)
        return question


def answer_question(*, question: JuryQuestion, user, text: str, base_url: str = "") -> JuryQuestion:
    """A member of the lead applicant answers a question, or changes the answer (R-JURY-Q).

    Partners read along but do not answer. Until the Government's decision the answer can be
    changed; the history keeps the earlier text. The asker gets an e-mail after the commit.
    Sending the same text again changes nothing.
    """
    text = _clean_text(text, "answer", ANSWER_REQUIRED)
    with transaction.atomic():
        locked_application = _lock_application(question.application_id)
        if not (
            user.has_perm("scoring.view_questions_as_applicant", locked_application)
            and is_application_lead_member(user, locked_application)
        ):
            raise PermissionDenied
        if not user.has_perm("scoring.answer_jury_question", locked_application):
            raise ScoringError(str(ANSWERS_CLOSED))
        locked = (
            JuryQuestion.objects.select_for_update(of=("self",))
            .select_related("asked_by")
            .get(pk=question.pk, application=locked_application)
        )
        if locked.answer == text:
            return locked
        changed = bool(locked.answer)
        locked.answer = text
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked._change_reason = "answer changed" if changed else "answered"
        locked.save()
        _mail_asker(locked_application, locked, changed, base_url)
        return locked


# --- E-mail ---------------------------------------------------------------------------------


def _mail_applicant(application: Application, question: JuryQuestion, base_url: str) -> None:
    """The lead organisation's members: the question, signed by VLAIO (never by the juror)."""
    recipients = organisation_emails(application.organisation)
    if not recipients:
        return
    link = _link(
        base_url,
        reverse(
            "scoring_applicant:questions",
            kwargs={"year": application.call.year, "slug": application.slug},
        ),
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("VLAIO has a question about your application %(reference)s") % {
            "reference": application.reference
        }
        body = "\n\n".join(
            [
                _("Hello,"),
                _(
                    'While assessing your application "%(title)s" (%(reference)s), VLAIO asks you for more information:'
                )
                % {"title": application.title, "reference": application.reference},
                question.question,
                _(
                    'The lead applicant answers in the portal, on the page "Questions of the jury" of the application: %(link)s'
                )
                % {"link": link},
                _(
                    "Your answer is kept beside your submitted application; the submitted version does not change."
                ),
                "VLAIO – City of Things",
            ]
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def _mail_asker(
    application: Application, question: JuryQuestion, changed: bool, base_url: str
) -> None:
    """The person who asked: that there is an answer, with the link (the text stays in the portal)."""
    email = question.asked_by.email
    if not email:
        return
    link = _link(
        base_url, reverse("scoring:jury_questions", kwargs={"reference": application.reference})
    )
    with translation.override(settings.LANGUAGE_CODE):
        if changed:
            subject = _("The applicant changed an answer on %(reference)s") % {
                "reference": application.reference
            }
        else:
            subject = _("The applicant answered your question on %(reference)s") % {
                "reference": application.reference
            }
        body = "\n\n".join(
            [
                _("Hello,"),
                _(
                    'The lead applicant of "%(title)s" (%(reference)s) answered the question you asked on %(asked)s. Read the answer in the portal: %(link)s'
                )
                % {
                    "title": application.title,
                    "reference": application.reference,
                    "asked": short_datetime(question.asked_at),
                    "link": link,
                },
                "VLAIO – City of Things",
            ]
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
