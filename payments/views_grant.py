"""The project list and the project page (issue 8; R-START, R-COOP, R-TR, R-KPI).

Thin: permission → form → service → redirect, or the page again with the errors (status 400)
and everything typed kept. The project page carries every action as a POST with an `action`:
the lead applicant's (start, agreement, reports, tranche requests) and the call manager's
(checks, conditions). A grant you may not see, or an action you may not take, is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cot_portal.accounts.decorators import login_required_404

from . import selectors_grant as reads
from . import services_tranches as services
from .errors import PaymentsError
from .forms_grant import AgreementForm, CheckForm, ReportForm, StartForm
from .models import CheckStatus, Grant, ReportKind

ACTIONS = {
    "start": "payments.set_actual_start",
    "agreement": "payments.upload_agreement",
    "report": "payments.submit_report",
    "request": "payments.request_tranche",
    "check-agreement": "payments.check_agreement",
    "check-report": "payments.check_report",
    "confirm-conditions": "payments.confirm_conditions",
}


@login_required
def project_list(request):
    """The user's own projects; finance and the call manager see every project."""
    user = request.user
    return render(
        request,
        "payments/grant/list.html",
        {
            "grants": list(reads.grants_for_user(user)),
            "all_projects": user.has_perm("payments.view_grant_list"),
        },
    )


def _grant_or_404(request, reference) -> Grant:
    try:
        grant = reads.grant_for_page(reference)
    except Grant.DoesNotExist as missing:
        raise Http404 from missing
    if not request.user.has_perm("payments.view_grant", grant):
        raise Http404
    return grant


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as bad:
        raise Http404 from bad


class _Forms:
    """The forms of the page: the posted one bound, the others empty."""

    def __init__(self, request, page, action):
        post = request.POST if request.method == "POST" else None
        files = request.FILES if post is not None else None
        grant = page.grant
        self.start = StartForm(
            post if action == "start" else None,
            prefix="start",
            initial={"day": grant.actual_start_date},
        )
        self.agreement = AgreementForm(
            post if action == "agreement" else None,
            files if action == "agreement" else None,
            prefix="agreement",
        )
        posted_kind = post.get("kind") if post is not None and action == "report" else None
        self.reports = {
            kind: ReportForm(
                post if posted_kind == kind else None,
                files if posted_kind == kind else None,
                kind=kind,
                kpis=page.kpis,
                prefix=f"report-{kind}",
            )
            for kind in ReportKind.values
        }
        posted_target = post.get("target") if post is not None else None
        latest = page.latest_agreement
        self.check_agreement = None
        if latest is not None and latest.status == CheckStatus.SUBMITTED:
            bound = action == "check-agreement" and posted_target == str(latest.pk)
            self.check_agreement = CheckForm(post if bound else None, prefix="check-agreement")
        self.check_reports = {}
        for kind, report in page.latest_reports.items():
            if report is not None and report.status == CheckStatus.SUBMITTED:
                bound = action == "check-report" and posted_target == str(report.pk)
                self.check_reports[kind] = CheckForm(
                    post if bound else None, prefix=f"check-report-{kind}"
                )
        self.request_errors = {}
        self.page_errors = []


def _handle(request, page, forms, action) -> tuple[str, str] | None:
    """Run the posted action: (success message, anchor), or None when the page shows errors."""
    grant, user = page.grant, request.user
    base_url = request.build_absolute_uri("/")
    form = None
    try:
        if action == "start":
            form = forms.start
            if not form.is_valid():
                return None
            services.set_actual_start(grant, form.cleaned_data["day"], user)
            return _("The actual start date is saved."), "start"
        if action == "agreement":
            form = forms.agreement
            if not form.is_valid():
                return None
            services.upload_agreement(grant, form.cleaned_data["file"], user)
            return _("The signed cooperation agreement is uploaded. VLAIO checks it."), "agreement"
        if action == "report":
            form = forms.reports.get(request.POST.get("kind"))
            if form is None:
                raise Http404
            if not form.is_valid():
                return None
            data = form.cleaned_data
            services.submit_report(
                grant,
                form.kind,
                data["summary"],
                form.kpi_values(),
                data["file"],
                data.get("award_report"),
                data.get("framework_agreement"),
                data.get("playbook"),
                user,
            )
            return _("The report is submitted. VLAIO checks it."), "reports"
        if action == "request":
            number = _int(request.POST.get("tranche"))
            row = next((r for r in page.rows if r.tranche.number == number), None)
            if row is None:
                raise Http404
            try:
                services.request_tranche(row.tranche, user, base_url=base_url)
            except PaymentsError as error:
                forms.request_errors[number] = error
                return None
            return (
                _("Tranche %(n)s is requested. Finance checks the request.") % {"n": number},
                "tranches",
            )
        if action == "check-agreement":
            form = forms.check_agreement
            if form is None or not form.is_bound:
                raise Http404
            if not form.is_valid():
                return None
            services.check_agreement(
                page.latest_agreement,
                form.accepted,
                form.cleaned_data["note"],
                user,
                base_url=base_url,
            )
            return _("Your check of the agreement is saved."), "agreement"
        if action == "check-report":
            kind = next(
                (
                    k
                    for k, f in forms.check_reports.items()
                    if f.is_bound and str(page.latest_reports[k].pk) == request.POST.get("target")
                ),
                None,
            )
            if kind is None:
                raise Http404
            form = forms.check_reports[kind]
            if not form.is_valid():
                return None
            services.check_report(
                page.latest_reports[kind],
                form.accepted,
                form.cleaned_data["note"],
                user,
                base_url=base_url,
            )
            return _("Your check of the report is saved."), "reports"
        if action == "confirm-conditions":
            try:
                services.confirm_conditions(grant, user)
            except PaymentsError as error:
                forms.page_errors.extend(error.messages)
                return None
            return _("The decision's conditions are confirmed as met."), "conditions"
    except PaymentsError as error:
        error.add_to(form)
        return None
    raise Http404


@login_required_404
def project(request, reference):
    grant = _grant_or_404(request, reference)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        needed = ACTIONS.get(action)
        if needed is None or not user.has_perm(needed, grant):
            raise Http404
    page = reads.project_page(grant, timezone.localdate())
    forms = _Forms(request, page, action)
    if request.method == "POST":
        done = _handle(request, page, forms, action)
        if done is not None:
            message, anchor = done
            messages.success(request, message)
            return redirect(f"{reverse('payments:project', args=[grant.reference])}#{anchor}")
    may_act = user.has_perm("payments.request_tranche", grant)
    return render(
        request,
        "payments/grant/project.html",
        {
            "grant": grant,
            "application": grant.application,
            "page": page,
            "forms": forms,
            "may_act": may_act,
            "may_check": user.has_perm("payments.check_report", grant),
            "may_confirm": user.has_perm("payments.confirm_conditions", grant),
            "all_projects": user.has_perm("payments.view_grant_list"),
        },
        status=400 if request.method == "POST" else 200,
    )
