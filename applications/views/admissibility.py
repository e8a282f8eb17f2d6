"""The call manager's admissibility pages (SPEC.md §5). Applicants never reach them (404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cot_portal.accounts.decorators import login_required_404

from .. import selectors_applications as selectors
from ..forms.admissibility import CompletionForm, CriterionForm
from ..models import AdmissibilityCheck, Call
from ..services import admissibility as services
from ..services.application import ApplicationError
from .application import application_or_404

PERM = "applications.check_admissibility"


def _manager_only(request):
    if not request.user.has_perm(PERM):
        raise Http404


@login_required_404
def overview(request, year):
    _manager_only(request)
    call = get_object_or_404(Call, year=year)
    return render(
        request,
        "applications/admissibility/overview.html",
        {"call": call, "rows": selectors.admissibility_rows(call)},
    )


@login_required_404
def detail(request, year, slug, completion_form=None):
    _manager_only(request)
    application = application_or_404(request, year, slug)
    if application.status == "draft":
        raise Http404
    checks = list(application.admissibility_checks.select_related("confirmed_by").order_by("pk"))
    return render(
        request,
        "applications/admissibility/detail.html",
        {
            "application": application,
            "checks": [
                (
                    check,
                    CriterionForm(
                        prefix=f"c{check.pk}",
                        initial={
                            "verdict": {None: "", True: "met", False: "not_met"}[
                                check.confirmed_ok
                            ],
                            "note": check.note,
                            "reason": check.reason,
                        },
                    ),
                )
                for check in checks
            ],
            "completion_form": completion_form or CompletionForm(),
            "completions": application.completion_requests.select_related("requested_by", "answer"),
            "submissions": application.submissions.all(),
        },
    )


@login_required_404
@require_POST
def confirm(request, year, slug, pk):
    _manager_only(request)
    application = application_or_404(request, year, slug)
    check = get_object_or_404(AdmissibilityCheck, pk=pk, application=application)
    form = CriterionForm(request.POST, prefix=f"c{check.pk}")
    if form.is_valid():
        try:
            services.confirm_criterion(
                check,
                ok=form.ok,
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
            messages.success(request, _("Saved."))
        except ApplicationError as exc:
            messages.error(request, str(exc))
    return redirect(
        reverse("applications:admissibility", kwargs={"year": year, "slug": slug})
        + f"#check-{check.pk}"
    )


@login_required_404
@require_POST
def completion(request, year, slug):
    _manager_only(request)
    application = application_or_404(request, year, slug)
    form = CompletionForm(request.POST)
    if form.is_valid():
        try:
            services.request_completion(application, user=request.user, **form.cleaned_data)
            messages.success(request, _("The applicant was asked to complete the application."))
            return redirect("applications:admissibility", year=year, slug=slug)
        except ApplicationError as exc:
            form.add_error(None, str(exc))
    return detail(request, year, slug, completion_form=form)


@login_required_404
@require_POST
def decision(request, year, slug):
    """Both decisions are final, so the first click shows what will happen; the second decides."""
    _manager_only(request)
    application = application_or_404(request, year, slug)
    admissible = request.POST.get("admissible") == "yes"
    if request.POST.get("confirmed") != "1":
        checks = application.admissibility_checks.order_by("pk")
        return render(
            request,
            "applications/admissibility/confirm.html",
            {
                "application": application,
                "admissible": admissible,
                "failed": [c for c in checks if not c.ok],
                "recipients": services.lead_recipients(application),
            },
        )
    try:
        services.decide(application, admissible=admissible, user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The application is admissible and goes to the jury.")
            if admissible
            else _("The application is not admissible. The letter with the reasons was sent."),
        )
    return redirect("applications:admissibility", year=year, slug=slug)
