"""The cost model section (R-BUDGET): lines per partner and category, financing, live checks,
and the Excel round trip. Thin: permission → form → service → page.

Who may do what (permissions.py): everyone who may see the application sees the cost model and
downloads it; the lead's members edit every line, the financing and upload a workbook; a
partner's contacts add, change and remove only the lines of their own organisation (any other
line is a 404); nobody changes anything after submission.
"""

import os

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cot_portal.accounts.decorators import login_required_404
from cot_portal.accounts.permissions import member_organisation_ids

from .. import budget_xlsx
from ..forms.budget import BudgetUploadForm, CostLineForm, financing_form_class
from ..models import ApplicationSection
from ..services import application as application_services
from ..services import budget as services
from .application import _context, _save_fields, _version, application_or_404, section_open

BUDGET = ApplicationSection.BUDGET
CHANGE_ALL = "applications.change_application"
CHANGE_OWN = "applications.change_own_partner_part"
ERRORS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def budget_url(application, anchor: str = "") -> str:
    url = reverse(
        "applications:application_budget",
        kwargs={"year": application.call.year, "slug": application.slug},
    )
    return f"{url}#{anchor}" if anchor else url


def _editable_partners(request, application) -> list:
    """The partner rows whose cost lines this person may add, change and remove."""
    partners = list(application.partners.all())
    if not section_open(application, BUDGET):
        return []
    if request.user.has_perm(CHANGE_ALL, application):
        return partners
    if request.user.has_perm(CHANGE_OWN, application):
        mine = member_organisation_ids(request.user)
        return [p for p in partners if p.organisation_id in mine]
    return []


def _line_or_404(application, pk: int, editable: list):
    """A line of this application of a partner this person may edit (from the prefetch)."""
    ids = {p.pk for p in editable}
    line = next((line for line in application.cost_lines.all() if line.pk == pk), None)
    if line is None or line.partner_id not in ids:
        raise Http404
    return line


def _page_context(request, application, *, form=None, line_form=None):
    context = _context(request, application, section=BUDGET)
    editable = _editable_partners(request, application)
    max_year = services.max_project_year(application.duration_months)
    if line_form is None and editable:
        line_form = CostLineForm(partners=editable, max_year=max_year)
    context.update(
        overview=services.budget_overview(
            application, editable_partner_ids={p.pk for p in editable}
        ),
        form=form
        if form is not None
        else financing_form_class()(instance=application, section=BUDGET),
        line_form=line_form,
        max_year=max_year,
        version=application.section_version(BUDGET),
    )
    return context


@login_required_404
def budget(request, year, slug):
    """The page; a POST is the financing form's save button (without JavaScript)."""
    application = application_or_404(request, year, slug)
    form = None
    if request.method == "POST":
        if not request.user.has_perm(CHANGE_ALL, application):
            raise Http404
        form = financing_form_class()(request.POST, instance=application, section=BUDGET)
        if _save_fields(request, application, BUDGET, form):
            return redirect(budget_url(application))
        application = application_or_404(request, year, slug)
    return render(
        request,
        "applications/application/sections/budget.html",
        _page_context(request, application, form=form),
    )


@login_required_404
@require_POST
def check(request, year, slug):
    """htmx: the totals and checks for what is typed, unsaved (financing and a new line)."""
    application = application_or_404(request, year, slug, perm=CHANGE_OWN)
    stored = services.stored_financing(application)
    values, unreadable = {}, []
    if request.user.has_perm(CHANGE_ALL, application):
        form = financing_form_class()(request.POST, instance=application, section=BUDGET)
        form.is_valid()
        for name in services.FINANCING_FIELDS:
            if name not in request.POST:
                continue
            if name in form.errors:
                unreadable.append(str(form.fields[name].label))
            else:
                values[name] = form.cleaned_data.get(name)
    zero = services.ZERO
    financing = budget_xlsx.Financing(
        requested_support=values.get("requested_support", stored.requested_support),
        own_contribution=values.get("own_contribution", stored.own_contribution) or zero,
        project_income=values.get("project_income", stored.project_income) or zero,
        other_financing=values.get("other_financing", stored.other_financing) or zero,
    )
    pending = None
    editable = _editable_partners(request, application)
    if editable and "line-amount" in request.POST:
        line_form = CostLineForm(
            request.POST,
            partners=editable,
            max_year=services.max_project_year(application.duration_months),
        )
        line_form.is_valid()
        data = line_form.cleaned_data
        if (
            "partner" in data
            and data.get("amount") is not None
            and "amount" not in line_form.errors
        ):
            pending = (data["partner"], data["amount"])
    overview = services.budget_overview(
        application,
        financing=financing,
        pending=pending,
        editable_partner_ids={p.pk for p in editable},
    )
    return render(
        request,
        "applications/application/budget/_checks.html",
        {"overview": overview, "unreadable": unreadable, "application": application},
    )


@login_required_404
@require_POST
def add_line(request, year, slug):
    application = application_or_404(request, year, slug, perm=CHANGE_OWN)
    editable = _editable_partners(request, application)
    max_year = services.max_project_year(application.duration_months)
    posted_partner = request.POST.get("line-partner", "")
    if not editable or (
        posted_partner.isdigit()
        and int(posted_partner) not in {p.pk for p in editable}
        and any(p.pk == int(posted_partner) for p in application.partners.all())
    ):
        raise Http404  # another partner's lines
    form = CostLineForm(request.POST, partners=editable, max_year=max_year)
    if not form.is_valid():
        messages.error(request, _("Check the fields marked below; the line was not added yet."))
        return render(
            request,
            "applications/application/sections/budget.html",
            _page_context(request, application, line_form=form),
        )
    try:
        line = services.add_line(application, **form.values())
    except application_services.ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect(budget_url(application))
    messages.success(request, _("The cost line was added."))
    return redirect(budget_url(application, f"partner-{line.partner_id}"))


@login_required_404
def edit_line(request, year, slug, pk):
    application = application_or_404(request, year, slug, perm=CHANGE_OWN)
    editable = _editable_partners(request, application)
    line = _line_or_404(application, pk, editable)
    max_year = services.max_project_year(application.duration_months)
    form = CostLineForm(
        request.POST if request.method == "POST" else None,
        initial=CostLineForm.initial_for(line),
        partners=editable,
        max_year=max_year,
        current_year=line.year,
    )
    version = application.section_version(BUDGET)
    if request.method == "POST":
        version = _version(request)
        if form.is_valid():
            try:
                services.update_line(line, values=form.values(), version=version)
            except application_services.StaleSection as exc:
                messages.error(request, str(exc))
                version = exc.current.section_version(BUDGET)
            except application_services.ApplicationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The cost line was saved."))
                return redirect(budget_url(application, f"partner-{form.values()['partner'].pk}"))
        else:
            messages.error(request, _("Check the fields marked below; nothing was saved yet."))
    context = _context(request, application, section=BUDGET)
    context.update(line=line, line_form=form, version=version)
    return render(request, "applications/application/budget/line_form.html", context)


@login_required_404
@require_POST
def delete_line(request, year, slug, pk):
    application = application_or_404(request, year, slug, perm=CHANGE_OWN)
    line = _line_or_404(application, pk, _editable_partners(request, application))
    partner_id = line.partner_id
    try:
        services.delete_line(line)
        messages.success(request, _("The cost line was removed."))
    except application_services.ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(budget_url(application, f"partner-{partner_id}"))


@login_required_404
@require_GET
def download(request, year, slug):
    application = application_or_404(request, year, slug)
    call = application.call
    content = budget_xlsx.build_workbook(
        partners=services.partner_refs(application),
        lines=services.line_data(application),
        financing=services.stored_financing(application),
        max_year=services.max_project_year(application.duration_months),
        title=application.title,
        reference=application.reference,
        cap=call.max_support_per_project,
        rate=call.max_support_rate,
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="kostenmodel-{application.reference}.xlsx"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required_404
def upload(request, year, slug):
    """Only the lead uploads a workbook: it replaces every line and the financing."""
    application = application_or_404(request, year, slug, perm=CHANGE_ALL)
    form = BudgetUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        name = os.path.basename(uploaded.name or "")
        try:
            budget_xlsx.check_name_and_size(name, uploaded.size)
            parsed = budget_xlsx.parse_workbook(
                name,
                uploaded.read(),
                partners=services.partner_refs(application),
                max_year=services.max_project_year(application.duration_months),
            )
        except budget_xlsx.BudgetFileRejected as exc:
            form.add_error("file", exc.message)
        else:
            if parsed.ok:
                try:
                    result = services.replace_budget(
                        application,
                        lines=parsed.lines,
                        financing=parsed.financing,
                        user=request.user,
                        source=name,
                    )
                except application_services.ApplicationError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request,
                        _(
                            "The cost model was replaced by the workbook. New or changed lines: "
                            "%(added)s; lines no longer in the workbook: %(removed)s; unchanged "
                            "lines: %(kept)s. The financing was taken from the sheet Financiering."
                        )
                        % {
                            "added": result.added,
                            "removed": result.removed,
                            "kept": result.kept,
                        },
                    )
                    return redirect(budget_url(application))
            else:
                errors = parsed.errors
    context = _context(request, application, section=BUDGET)
    context.update(
        upload_form=form,
        cell_errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        more_errors=max(0, len(errors) - ERRORS_SHOWN),
    )
    return render(request, "applications/application/budget/upload.html", context)
