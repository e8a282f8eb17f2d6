"""The jury's and the call manager's pages on full applications: permission → form → service.

As for ideas, an application the user may not see is a 404 (never a 403): a conflicted juror,
an applicant or another municipality cannot learn which applications or scores exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cot_portal.accounts.decorators import login_required_404

from . import selectors
from . import selectors_applications as reads
from . import services_applications as services
from .forms import ConflictDeclarationForm
from .forms_applications import AddJuryMemberForm, ApplicationScoreForm, AssignForm
from .models import ApplicationScoreSheet, JuryMember, SheetStatus
from .services import ScoringError
from .views import _add_service_errors, _call_or_404


def _application_or_404(request, reference, perm):
    application = reads.application_by_reference(reference)
    if application is None or not request.user.has_perm(perm, application):
        raise Http404
    return application


# --- The call manager: the jury of a call ---------------------------------------------------


@login_required
def jury_compose(request, year):
    call = _call_or_404(year)
    if not request.user.has_perm("scoring.compose_jury", call):
        raise Http404
    members = reads.jury_members(call)
    applications = reads.admissible_applications(call)
    add_form = AddJuryMemberForm(prefix="add")
    assign_form = AssignForm(prefix="assign", members=members, applications=applications)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                add_form = AddJuryMemberForm(request.POST, prefix="add")
                if add_form.is_valid():
                    services.add_jury_member(
                        call=call,
                        user=add_form.user,
                        kind=add_form.cleaned_data["kind"],
                        manager=request.user,
                    )
                    messages.success(request, _("The jury member is added."))
                    return redirect("scoring:jury_compose", year=call.year)
            elif action == "remove":
                member = JuryMember.objects.filter(
                    call=call, pk=request.POST.get("member") or 0
                ).first()
                if member is None:
                    raise Http404
                services.remove_jury_member(member=member, manager=request.user)
                messages.success(request, _("The jury member is removed."))
                return redirect("scoring:jury_compose", year=call.year)
            elif action == "assign":
                assign_form = AssignForm(
                    request.POST, prefix="assign", members=members, applications=applications
                )
                if assign_form.is_valid():
                    count = services.assign_applications(
                        call=call,
                        manager=request.user,
                        members=assign_form.chosen_members(),
                        applications=assign_form.chosen_applications(),
                    )
                    messages.success(request, _("%(count)s new assignments.") % {"count": count})
                    return redirect("scoring:jury_compose", year=call.year)
            elif action == "reopen":
                sheet = ApplicationScoreSheet.objects.filter(
                    application__call=call, pk=request.POST.get("sheet") or 0
                ).first()
                if sheet is None:
                    raise Http404
                services.reopen_application_sheet(sheet=sheet, manager=request.user)
                messages.success(request, _("The scores are reopened for the juror."))
                return redirect("scoring:jury_compose", year=call.year)
            else:
                raise Http404
        except ScoringError as error:
            for problem in error.messages:
                messages.error(request, problem)
            return redirect("scoring:jury_compose", year=call.year)
    return render(
        request,
        "scoring/applications/jury_compose.html",
        {
            "call": call,
            "members": members,
            "add_form": add_form,
            "assign_form": assign_form,
            "assignment_rows": reads.assignment_rows(call),
            "submitted_sheets": reads.submitted_sheets(call),
            "reopened_sheets": reads.reopened_sheets(call),
        },
    )


# --- The juror ------------------------------------------------------------------------------


@login_required
def application_list(request, year):
    call = _call_or_404(year)
    if not request.user.has_perm("scoring.view_jury_applications", call):
        raise Http404
    rows = reads.jury_application_rows(call, request.user)
    return render(
        request,
        "scoring/applications/application_list.html",
        {
            "call": call,
            "rows": [r for r in rows if r.state != selectors.JuryState.CONFLICT],
            "conflicted": [r for r in rows if r.state == selectors.JuryState.CONFLICT],
            "states": selectors.JuryState,
        },
    )


@login_required_404
def application_declare(request, reference):
    application = _application_or_404(request, reference, "scoring.declare_application_conflict")
    declaration = reads.declaration_of(application, request.user)
    form = ConflictDeclarationForm(request.POST or None, about_application=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_application_conflict(
                application=application,
                juror=request.user,
                has_conflict=form.has_conflict,
                reason=form.cleaned_data["reason"],
            )
        except ScoringError as error:
            _add_service_errors(form, error)
        else:
            if form.has_conflict:
                messages.success(
                    request,
                    _(
                        "Your conflict of interest for %(reference)s is recorded. You will not see or score this application."
                    )
                    % {"reference": application.reference},
                )
                return redirect("scoring:jury_application_list", year=application.call.year)
            return redirect("scoring:jury_application_detail", reference=application.reference)
    return render(
        request,
        "scoring/applications/application_declare.html",
        {
            "application": application,
            "call": application.call,
            "form": form,
            "declaration": declaration,
            # The partners beside the lead applicant (shown on its own line above them).
            "partners": [
                p
                for p in application.partners.all()
                if p.organisation_id != application.organisation_id
            ],
        },
    )


@login_required_404
def application_detail(request, reference):
    """The latest frozen submission beside the juror's own score form.

    An undeclared juror is sent to the declaration on GET and gets a 404 on POST.
    """
    application = reads.application_by_reference(reference)
    user = request.user
    if application is None:
        raise Http404
    if not user.has_perm("scoring.view_application_for_jury", application):
        if request.method == "GET" and user.has_perm(
            "scoring.declare_application_conflict", application
        ):
            return redirect("scoring:jury_application_declare", reference=application.reference)
        raise Http404
    call = application.call
    sheet = reads.sheet_of(application, user)
    editable = user.has_perm("scoring.score_application", application) and (
        sheet is None or sheet.status == SheetStatus.DRAFT
    )
    submitting = request.POST.get("action") == "submit"
    if request.method == "POST":
        if not editable:
            messages.error(request, _("These scores can no longer be changed."))
            return redirect("scoring:jury_application_detail", reference=application.reference)
        form = ApplicationScoreForm(request.POST, call=call, submitting=submitting)
        if form.is_valid():
            try:
                services.save_application_sheet(
                    application=application, juror=user, scores=form.scores(), submit=submitting
                )
            except ScoringError as error:
                _add_service_errors(form, error)
            else:
                if submitting:
                    messages.success(request, _("Your scores are submitted. Thank you."))
                    return redirect("scoring:jury_application_list", year=call.year)
                messages.success(request, _("Your draft is saved. You can submit it later."))
                return redirect("scoring:jury_application_detail", reference=application.reference)
    else:
        initial = {}
        for code, (points, motivation) in reads.sheet_values(sheet).items():
            initial[f"points_{code}"] = points
            initial[f"motivation_{code}"] = motivation
        form = ApplicationScoreForm(initial=initial, call=call)
    submission = reads.latest_submission(application)
    return render(
        request,
        "scoring/applications/application_detail.html",
        {
            "application": application,
            "call": call,
            "submission": submission,
            "content": submission.content if submission else {},
            "sheet": sheet,
            "score_rows": reads.score_rows(call, sheet),
            "editable": editable,
            "form": form,
        },
    )


@login_required_404
def application_pdf(request, reference):
    """The PDF of the latest submission, for an unconflicted assigned juror only."""
    application = _application_or_404(request, reference, "scoring.view_application_for_jury")
    submission = reads.latest_submission(application)
    if submission is None or not submission.pdf:
        raise Http404
    name = submission.pdf.name.rsplit("/", 1)[-1]
    response = FileResponse(submission.pdf.open("rb"), filename=name, as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
