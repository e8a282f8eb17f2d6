"""The cost statement page (R-COSTS, R-ELIG) and the changes page (R-CHANGE) of a grant.

Thin: permission → form → service → redirect or render. Whoever may not see the grant gets a
404; an action the user may not take on a grant they see is a 404 as well. A refused input is
shown again with the message beside the field and everything typed kept (status 400).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cot_portal.accounts.decorators import login_required_404
from cot_portal.formatting import short_date

from . import rules, services_changes, services_costs
from . import selectors_costs as reads
from .forms_costs import (
    AcceptPendingForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    CostLineForm,
    LineCheckForm,
)
from .models import ChangeStatus, LineStatus
from .services_costs import Refused


def _grant_or_404(request, reference, perm):
    grant = reads.grant_by_reference(reference)
    if grant is None or not request.user.has_perm(perm, grant):
        raise Http404
    return grant


def _posted_action(request, allowed: dict[str, bool]):
    """(POST data, action) of a POST, (None, None) of a GET. A posted action that is unknown,
    or that `allowed` says this user may not take, is a 404."""
    if request.method != "POST":
        return None, None
    action = request.POST.get("action")
    if not allowed.get(action):
        raise Http404
    return request.POST, action


def _posted_pk(request, name) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


# --- Cost statements (R-COSTS, R-ELIG) ---------------------------------------------------------


def _costs_post(request, grant, action, forms, lines_by_pk) -> str | None:
    """Run the posted action; return a success message, or None when the page shows errors."""
    user = request.user
    if action == "add":
        form = forms["line"]
        if not form.is_valid():
            return None
        data = form.cleaned_data
        try:
            services_costs.add_cost_line(grant, user=user, **data)
        except Refused as error:
            error.add_to(form)
            return None
        return _("The cost line is added. Finance checks it with its evidence.")
    if action == "withdraw":
        line = lines_by_pk.get(_posted_pk(request, "line"))
        if line is None:
            raise Http404
        try:
            services_costs.withdraw_cost_line(line, user=user)
        except Refused as error:
            forms["errors"].append(error.message)
            return None
        return _("The cost line is withdrawn.")
    if action == "check":
        line = lines_by_pk.get(_posted_pk(request, "line"))
        if line is None:
            raise Http404
        if line.status != LineStatus.PENDING:
            messages.error(request, _("This line was checked already."))
            return ""
        form = line.check_form
        if not form.is_valid():
            return None
        data = form.cleaned_data
        try:
            services_costs.check_cost_line(
                line, accept=data["decision"] == "accept", reason=data["reason"], user=user
            )
        except Refused as error:
            error.add_to(form)
            return None
        if data["decision"] == "accept":
            return _("The line of %(day)s is accepted.") % {"day": short_date(line.date)}
        return _("The line of %(day)s is rejected.") % {"day": short_date(line.date)}
    if action == "accept_all":
        form = forms["accept_all"]
        if not form.is_valid():
            return None
        try:
            count = services_costs.accept_pending(
                grant, line_ids=form.cleaned_data["lines"], user=user
            )
        except Refused as error:
            error.add_to(form)
            return None
        return ngettext("%(count)s line is accepted.", "%(count)s lines are accepted.", count) % {
            "count": count
        }
    raise Http404


@login_required_404
def cost_lines(request, reference):
    """R-COSTS: the grant's cost statement: the lead reports lines, finance checks them."""
    grant = _grant_or_404(request, reference, "payments.view_cost_lines")
    user = request.user
    may_add = user.has_perm("payments.add_cost_line", grant)
    may_check = user.has_perm("payments.check_cost_line", grant)
    post, action = _posted_action(
        request, {"add": may_add, "withdraw": may_add, "check": may_check, "accept_all": may_check}
    )
    partners = reads.grant_partners(grant)
    overview = reads.cost_overview(grant, partners)
    lines_by_pk = {line.pk: line for line in overview.lines}
    posted_line = post.get("line", "") if action == "check" else ""
    if may_check:
        for line in overview.lines:
            if line.status == LineStatus.PENDING:
                bound = posted_line == str(line.pk)
                line.check_form = LineCheckForm(post if bound else None, prefix=f"check-{line.pk}")
    forms = {
        "line": CostLineForm(
            post if action == "add" else None,
            request.FILES if action == "add" else None,
            partners=partners,
            prefix="line",
        ),
        "accept_all": AcceptPendingForm(
            post if action == "accept_all" else None,
            prefix="all",
            initial={"lines": ",".join(str(pk) for pk in overview.pending_ids)},
        ),
        "errors": [],
    }
    if post is not None:
        done = _costs_post(request, grant, action, forms, lines_by_pk)
        if done is not None:
            if done:
                messages.success(request, done)
            url = reverse("payments:cost_lines", args=[grant.reference])
            anchor = {"add": "add-line", "accept_all": "lines"}.get(action, "lines")
            return redirect(f"{url}#{anchor}")
    return render(
        request,
        "payments/costs/cost_lines.html",
        {
            "grant": grant,
            "overview": overview,
            "forms": forms,
            "may_add": may_add,
            "may_check": may_check,
            "may_export": user.has_perm("payments.export_cost_lines", grant),
            "share_check": rules.cost_share_check(
                overview.total.reported,
                grant.approved_total_cost,
                grant.call.tranche_2_min_cost_share,
            ),
            "PENDING": LineStatus.PENDING,
            "REJECTED": LineStatus.REJECTED,
        },
        status=400 if post is not None else 200,
    )


@login_required_404
def cost_lines_export(request, reference):
    """R-COSTS: the lines as an xlsx workbook for finance's own checks."""
    grant = _grant_or_404(request, reference, "payments.export_cost_lines")
    content = reads.cost_lines_workbook(grant)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="kosten-{grant.reference}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Changes (R-CHANGE) ------------------------------------------------------------------------


@login_required_404
def changes(request, reference):
    """R-CHANGE: the lead asks for a change; the call manager approves or refuses it."""
    grant = _grant_or_404(request, reference, "payments.view_changes")
    user = request.user
    may_request = user.has_perm("payments.request_change", grant)
    may_decide = user.has_perm("payments.decide_change", grant)
    post, action = _posted_action(request, {"request": may_request, "decide": may_decide})
    change_list = reads.change_requests(grant)
    partners = reads.grant_partners(grant, change_list)
    request_form = ChangeRequestForm(
        post if action == "request" else None, partners=partners, prefix="change"
    )
    posted_change = post.get("change", "") if action == "decide" else ""
    if may_decide:
        for change in change_list:
            if change.status == ChangeStatus.REQUESTED:
                bound = posted_change == str(change.pk)
                change.decision_form = ChangeDecisionForm(
                    post if bound else None, prefix=f"decide-{change.pk}"
                )
    if post is not None:
        done = _changes_post(request, grant, action, request_form, change_list)
        if done is not None:
            if done:
                messages.success(request, done)
            return redirect(reverse("payments:changes", args=[grant.reference]) + "#changes")
    return render(
        request,
        "payments/costs/changes.html",
        {
            "grant": grant,
            "changes": change_list,
            "partners": partners,
            "history": reads.baseline_history(grant),
            "request_form": request_form,
            "may_request": may_request,
            "may_decide": may_decide,
            "REQUESTED": ChangeStatus.REQUESTED,
            "max_end": reads.latest_possible_end(grant),
        },
        status=400 if post is not None else 200,
    )


def _changes_post(request, grant, action, request_form, change_list) -> str | None:
    user = request.user
    if action == "request":
        if not request_form.is_valid():
            return None
        data = request_form.cleaned_data
        try:
            services_changes.request_change(
                grant,
                kind=data["kind"],
                description=data["description"],
                organisation=data.get("organisation"),
                role=data.get("role") or "",
                partner=data.get("partner"),
                approved_total_cost=data.get("approved_total_cost"),
                end_date=data.get("end_date"),
                user=user,
            )
        except Refused as error:
            error.add_to(request_form)
            return None
        return _("Your request is sent to VLAIO. You receive an e-mail when it is decided.")
    pk = _posted_pk(request, "change")
    change = next((c for c in change_list if c.pk == pk), None)
    if change is None:
        raise Http404
    if change.status != ChangeStatus.REQUESTED:
        messages.error(request, _("This change was decided already."))
        return ""
    form = change.decision_form
    if not form.is_valid():
        return None
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services_changes.decide_change(
            change,
            approve=approve,
            motivation=form.cleaned_data["motivation"],
            user=user,
            base_url=request.build_absolute_uri("/"),
        )
    except Refused as error:
        error.add_to(form)
        return None
    if approve:
        return _("The change is approved; the project's baseline is updated.")
    return _("The change is refused.")
