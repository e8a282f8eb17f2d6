"""The jury's question thread to the applicant (R-JURY-Q): permission → form → service.

Two pages on the same thread. The jury's page (unconflicted assigned jurors and the call manager)
shows who asked; the applicant's page (lead members answer, partners read along) shows "VLAIO"
instead. A page the user may not see is a 404, never a 403.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.permissions import is_application_lead_member
from cot_portal.accounts.decorators import login_required_404

from . import selectors_applications
from . import selectors_questions as reads
from . import services_questions as services
from .forms_questions import AnswerForm, AskQuestionForm
from .models import JuryQuestion
from .services import ScoringError
from .views import _add_service_errors


@dataclass
class QuestionRow:
    question: JuryQuestion
    number: int
    form: AnswerForm | None = None
    form_open: bool = False


def _saved(form, service, **kwargs):
    """Run the service for a valid form: its result, or None with the refusal beside the field.

    A right to the thread lost in the meantime is a 404, like the page itself.
    """
    try:
        return service(**kwargs)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ScoringError as error:
        _add_service_errors(form, error)
        return None


def _rows(questions, *, answer_forms: bool = False, bound: AnswerForm | None = None):
    rows = []
    for number, question in enumerate(questions, start=1):
        row = QuestionRow(question, number)
        if answer_forms:
            prefix = f"q{question.pk}"
            if bound is not None and bound.prefix == prefix:
                row.form, row.form_open = bound, True
            else:
                row.form = AnswerForm(
                    prefix=prefix, number=number, initial={"answer": question.answer}
                )
                row.form_open = not question.answer
        rows.append(row)
    return rows


# --- The applicant --------------------------------------------------------------------------


@login_required_404
def applicant_questions(request, year, slug):
    """The thread for the applicant: the lead answers each question, partners read along."""
    application = reads.application_for_questions(year, slug)
    user = request.user
    if application is None or not user.has_perm("scoring.view_questions_as_applicant", application):
        raise Http404
    url = reverse("scoring_applicant:questions", kwargs={"year": year, "slug": slug})
    can_answer = user.has_perm("scoring.answer_jury_question", application)
    questions = reads.questions_of(application)
    bound = None
    if request.method == "POST":
        if not can_answer:
            if not is_application_lead_member(user, application):
                raise Http404
            messages.error(request, services.ANSWERS_CLOSED)
            return redirect(url)
        posted = request.POST.get("question", "")
        number, question = next(
            ((n, q) for n, q in enumerate(questions, start=1) if str(q.pk) == posted),
            (None, None),
        )
        if question is None:
            raise Http404
        bound = AnswerForm(request.POST, prefix=f"q{question.pk}", number=number)
        if bound.is_valid() and _saved(
            bound,
            services.answer_question,
            question=question,
            user=user,
            text=bound.cleaned_data["answer"],
            base_url=request.build_absolute_uri("/"),
        ):
            messages.success(request, _("Your answer is saved. VLAIO can read it now."))
            return redirect(f"{url}#question-{question.pk}")
    rows = _rows(questions, answer_forms=can_answer, bound=bound)
    return render(
        request,
        "scoring/questions/applicant.html",
        {
            "application": application,
            "call": application.call,
            "rows": rows,
            "can_answer": can_answer,
            "is_lead": is_application_lead_member(user, application),
            "open_count": sum(1 for q in questions if not q.answer),
            "has_errors": bound is not None and bool(bound.errors),
        },
    )


# --- The jury -------------------------------------------------------------------------------


@login_required_404
def jury_questions(request, reference):
    """The thread for the unconflicted jury, with the names, and the form to ask a question."""
    application = selectors_applications.application_by_reference(reference)
    user = request.user
    if application is None or not user.has_perm("scoring.view_jury_questions", application):
        raise Http404
    url = reverse("scoring:jury_questions", kwargs={"reference": application.reference})
    can_ask = user.has_perm("scoring.ask_jury_question", application)
    form = None
    if can_ask:
        form = AskQuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_ask:
            messages.error(request, services.QUESTIONS_CLOSED)
            return redirect(url)
        question = form.is_valid() and _saved(
            form,
            services.ask_question,
            application=application,
            user=user,
            text=form.cleaned_data["question"],
            base_url=request.build_absolute_uri("/"),
        )
        if question:
            messages.success(
                request,
                _("Your question is sent. The lead applicant is informed by e-mail."),
            )
            return redirect(f"{url}#question-{question.pk}")
    return render(
        request,
        "scoring/questions/jury.html",
        {
            "application": application,
            "call": application.call,
            "rows": _rows(reads.questions_of(application)),
            "form": form,
            "can_ask": can_ask,
            "is_juror": user.has_perm("scoring.view_application_for_jury", application),
        },
    )
