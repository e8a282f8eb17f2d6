"""The jury's and the call manager's pages on ideas: permission → form/selector → service.

An object the user may not see is a 404 (never a 403), so a conflicted juror or an applicant
cannot even learn which ideas or scores exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cot_portal.accounts.decorators import login_required_404
from cot_portal.core.files import download_url

from . import selectors, services
from .forms import AssessmentForm, ConflictDeclarationForm, IdeaScoreForm, PublishShortlistForm
from .models import SheetStatus


def _call_or_404(year):
    call = selectors.call_by_year(year)
    if call is None:
        raise Http404
    return call


def _idea_or_404(request, reference, perm):
    idea = selectors.idea_by_reference(reference)
    if idea is None or not request.user.has_perm(perm, idea):
        raise Http404
    return idea


def _add_service_errors(form, error: services.ScoringError):
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def _publication(call):
    return getattr(call, "shortlist_publication", None)


# --- The juror ------------------------------------------------------------------------------


@login_required
def idea_list(request, year):
    call = _call_or_404(year)
    if not request.user.has_perm("scoring.view_jury_ideas", call):
        raise Http404
    rows = selectors.jury_rows(call, request.user)
    return render(
        request,
        "scoring/idea_list.html",
        {
            "call": call,
            "rows": [r for r in rows if r.state != selectors.JuryState.CONFLICT],
            "conflicted": [r for r in rows if r.state == selectors.JuryState.CONFLICT],
            "states": selectors.JuryState,
            "publication": _publication(call),
        },
    )


@login_required_404
def idea_declare(request, reference):
    idea = _idea_or_404(request, reference, "scoring.declare_idea_conflict")
    declaration = selectors.declaration_of(idea, request.user)
    form = ConflictDeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_idea_conflict(
                idea=idea,
                juror=request.user,
                has_conflict=form.has_conflict,
                reason=form.cleaned_data["reason"],
            )
        except services.ScoringError as error:
            _add_service_errors(form, error)
        else:
            if form.has_conflict:
                messages.success(
                    request,
                    _(
                        "Your conflict of interest for %(reference)s is recorded. You will not see or score this idea."
                    )
                    % {"reference": idea.reference},
                )
                return redirect("scoring:idea_list", year=idea.call.year)
            return redirect("scoring:idea_detail", reference=idea.reference)
    return render(
        request,
        "scoring/idea_declare.html",
        {"idea": idea, "call": idea.call, "form": form, "declaration": declaration},
    )


@login_required_404
def idea_detail(request, reference):
    """The idea beside the juror's own score form. Undeclared jurors go to the declaration."""
    idea = selectors.idea_by_reference(reference)
    user = request.user
    if idea is None:
        raise Http404
    if not user.has_perm("scoring.view_idea_for_jury", idea):
        if request.method == "GET" and user.has_perm("scoring.declare_idea_conflict", idea):
            return redirect("scoring:idea_declare", reference=idea.reference)
        raise Http404
    sheet = selectors.sheet_of(idea, user)
    editable = user.has_perm("scoring.score_idea", idea) and (
        sheet is None or sheet.status == SheetStatus.DRAFT
    )
    submitting = request.POST.get("action") == "submit"
    if request.method == "POST":
        if not editable:
            messages.error(request, _("These scores can no longer be changed."))
            return redirect("scoring:idea_detail", reference=idea.reference)
        form = IdeaScoreForm(request.POST, call=idea.call, submitting=submitting)
        if form.is_valid():
            try:
                services.save_idea_sheet(
                    idea=idea, juror=user, scores=form.scores(), submit=submitting
                )
            except services.ScoringError as error:
                _add_service_errors(form, error)
            else:
                if submitting:
                    messages.success(request, _("Your scores are submitted. Thank you."))
                    return redirect("scoring:idea_list", year=idea.call.year)
                messages.success(request, _("Your draft is saved. You can submit it later."))
                return redirect("scoring:idea_detail", reference=idea.reference)
    else:
        initial = {}
        for n, (points, feedback) in selectors.sheet_values(sheet).items():
            initial[f"points_{n}"] = points
            initial[f"feedback_{n}"] = feedback
        form = IdeaScoreForm(initial=initial, call=idea.call)
    return render(
        request,
        "scoring/idea_detail.html",
        {
            "idea": idea,
            "call": idea.call,
            "sections": selectors.idea_sections(idea),
            "themes": selectors.theme_labels(idea),
            "sheet": sheet,
            "sheet_values": selectors.sheet_values(sheet),
            "editable": editable,
            "form": form,
        },
    )


# --- The call manager -----------------------------------------------------------------------


@login_required
def shortlist(request, year):
    call = _call_or_404(year)
    if not request.user.has_perm("scoring.view_shortlist", call):
        raise Http404
    rows = selectors.shortlist_overview(call)
    for row in rows:
        row.extra["letter_url"] = download_url(row.letter, "pdf") if row.letter else ""
    incomplete = [r.idea.reference for r in rows if r.decision is None or not r.consensus_complete]
    return render(
        request,
        "scoring/shortlist.html",
        {
            "call": call,
            "rows": rows,
            "publication": _publication(call),
            "incomplete": incomplete,
            "decided": sum(r.decision is not None for r in rows),
            "shortlisted": sum(r.decision is True for r in rows),
            "publish_form": PublishShortlistForm(),
        },
    )


@login_required
def shortlist_publish(request, year):
    """POST only; the permission is checked first, so others get a 404 whatever the method."""
    call = _call_or_404(year)
    if not request.user.has_perm("scoring.view_shortlist", call):
        raise Http404
    if request.method != "POST":
        return redirect("scoring:shortlist", year=call.year)
    if _publication(call) is not None:
        messages.info(request, _("The shortlist of this call was already published."))
        return redirect("scoring:shortlist", year=call.year)
    form = PublishShortlistForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the publication."))
        return redirect("scoring:shortlist", year=call.year)
    try:
        services.publish_shortlist(call=call, manager=request.user)
    except services.ScoringError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            _("The shortlist is published. The letters are being prepared and e-mailed."),
        )
    return redirect("scoring:shortlist", year=call.year)


@login_required_404
def idea_assessment(request, reference):
    idea = _idea_or_404(request, reference, "scoring.assess_idea")
    editable = request.user.has_perm("scoring.decide_idea", idea)
    summary = selectors.idea_summary(idea)
    if request.method == "POST":
        if not editable:
            messages.error(
                request, _("The shortlist has been published; the assessment can no longer change.")
            )
            return redirect("scoring:idea_assessment", reference=idea.reference)
        form = AssessmentForm(request.POST, call=idea.call)
        if form.is_valid():
            try:
                services.save_idea_assessment(
                    idea=idea,
                    manager=request.user,
                    consensus=form.consensus(),
                    general_feedback=form.cleaned_data["general_feedback"],
                    improvement_track=form.cleaned_data["improvement_track"],
                    shortlisted=form.shortlisted,
                )
            except services.ScoringError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The assessment of %(reference)s is saved.") % {"reference": idea.reference},
                )
                return redirect("scoring:idea_assessment", reference=idea.reference)
    else:
        form = AssessmentForm(initial=_assessment_initial(summary), call=idea.call)
    letter = summary.letter
    return render(
        request,
        "scoring/idea_assessment.html",
        {
            "idea": summary.idea,
            "call": idea.call,
            "summary": summary,
            "form": form,
            "consensus_rows": [
                (
                    row,
                    form[f"points_{row.criterion.number}"],
                    form[f"feedback_{row.criterion.number}"],
                )
                for row in summary.criteria
            ],
            "editable": editable,
            "conflicts": selectors.conflicts_of(idea),
            "sections": selectors.idea_sections(idea),
            "themes": selectors.theme_labels(idea),
            "letter_url": download_url(letter, "pdf") if letter else "",
            "decision_labels": selectors.DECISION_LABELS,
        },
    )


def _assessment_initial(summary: selectors.IdeaSummary) -> dict:
    """The saved assessment, or the jurors' mean as the proposed consensus."""
    initial = {}
    for row in summary.criteria:
        n = row.criterion.number
        initial[f"points_{n}"] = (
            row.consensus_points if row.consensus_points is not None else row.mean
        )
        initial[f"feedback_{n}"] = row.consensus_feedback
    assessment = summary.assessment
    if assessment is not None:
        initial["general_feedback"] = assessment.general_feedback
        initial["improvement_track"] = assessment.improvement_track
        initial["decision"] = {True: "yes", False: "no"}.get(assessment.shortlisted, "")
    else:
        initial["decision"] = ""
    return initial
