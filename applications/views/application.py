"""Pages of the full application, section by section (SPEC.md §4). Thin: permission → form →
service → page. The cost model has its own module (views/budget.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cot_portal.accounts.decorators import login_required_404
from cot_portal.accounts.permissions import member_organisation_ids
from cot_portal.forms import posted_errors

from .. import selectors_applications as selectors
from .. import selectors_ideas
from ..completeness import section_states
from ..forms.application import (
    LIST_FORMS,
    AttachmentForm,
    PartnerAddForm,
    PartnerEditForm,
    section_form_class,
)
from ..models import ApplicationPartner, ApplicationSection, Attachment
from ..services import application as services
from ..services.application import LIST_MODELS, SECTION_FIELDS
from ..services.submission import submit_application

SECTION_TEMPLATES = {
    s.value: f"applications/application/sections/{s.value}.html" for s in ApplicationSection
}


def application_or_404(request, year, slug, perm="applications.view_application"):
    application = selectors.application_for_page(year, slug)
    if application is None or not request.user.has_perm(perm, application):
        raise Http404
    return application


def section_url(application, section, anchor=""):
    url = reverse(
        "applications:application_section",
        kwargs={"year": application.call.year, "slug": application.slug, "section": section},
    )
    return f"{url}#{anchor}" if anchor else url


def section_open(application, section) -> bool:
    """A draft is open everywhere; during a completion only the reopened sections are."""
    if application.status == "draft":
        return True
    return section is not None and application.section_reopened(str(section))


def _context(request, application, **extra):
    states = section_states(application, timezone.localdate())
    open_here = section_open(application, extra.get("section"))
    user = request.user
    return {
        "application": application,
        "states": states,
        "sections": [(s, states[s.value]) for s in ApplicationSection],
        "can_edit": open_here and user.has_perm("applications.change_application", application),
        "can_edit_own_part": open_here
        and user.has_perm("applications.change_own_partner_part", application),
        "can_submit": user.has_perm("applications.submit_application", application),
        "completion": application.open_completion,
        "my_org_ids": member_organisation_ids(user),
        "current_state": states.get(str(extra["section"])) if extra.get("section") else None,
        **extra,
    }


@login_required_404
@require_POST
def start(request, reference):
    idea = selectors_ideas.idea_with_details(reference)
    if idea is None or idea.organisation_id not in member_organisation_ids(request.user):
        raise Http404
    try:
        application = services.start_application(idea, user=request.user)
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("applications:idea", reference=reference)
    messages.success(
        request,
        _(
            "Your application was started from your idea. Work through the sections at your own pace: everything is saved."
        ),
    )
    return redirect("applications:application", year=application.call.year, slug=application.slug)


@login_required
def my_applications(request):
    return render(
        request,
        "applications/application/my_applications.html",
        {"applications": selectors.applications_for_user(request.user)},
    )


@login_required_404
def overview(request, year, slug):
    application = application_or_404(request, year, slug)
    return render(request, "applications/application/overview.html", _context(request, application))


@login_required_404
def section(request, year, slug, section):
    if section not in SECTION_TEMPLATES or section == ApplicationSection.BUDGET:
        raise Http404
    application = application_or_404(request, year, slug)
    return _section_page(request, application, section, posted=request.method == "POST")


def _section_page(request, application, section, *, posted, attachment_form=None, status=200):
    """The section page; `posted`: save the section's fields from the POST first.
    `attachment_form`: a refused upload, shown with its error and what was typed (status 400)."""
    context = _context(request, application, section=ApplicationSection(section))
    can_edit = context["can_edit"]
    if section in SECTION_FIELDS:
        form_class = section_form_class(section)
        form = form_class(
            request.POST if posted else None,
            instance=application,
            section=section,
        )
        if posted:
            if not can_edit:
                raise Http404
            saved = _save_fields(request, application, section, form)
            if saved:
                return redirect(section_url(application, section))
        context["form"] = form
    elif posted:
        raise Http404
    if section in LIST_FORMS and can_edit:
        kwargs = {"application": application} if section == ApplicationSection.WORK_PACKAGES else {}
        context["item_form"] = LIST_FORMS[section](**kwargs)
    if section == ApplicationSection.PARTNERS:
        context["partner_form"] = (
            PartnerAddForm(organisations=selectors_ideas.partner_candidates(application))
            if can_edit
            else None
        )
        context["budgets"] = selectors.partner_budgets(application)
        context["partner_forms"] = [
            (
                p,
                PartnerEditForm(instance=p, prefix=f"p{p.pk}")
                if _may_edit_partner(request, application, p)
                else None,
            )
            for p in application.partners.all()
        ]
    if section == ApplicationSection.PROCUREMENT:
        context["procurement_rows"] = _procurement_rows(application)
    if section in (ApplicationSection.POLICY, ApplicationSection.ATTACHMENTS) and can_edit:
        context["attachment_form"] = attachment_form or AttachmentForm(
            policy=section == ApplicationSection.POLICY
        )
    context["version"] = application.section_version(section)
    return render(request, SECTION_TEMPLATES[section], context, status=status)


def _procurement_rows(application):
    """Each planned purchase with the procedure its value suggests and whether the choice is allowed."""
    from ..models import ProcurementProcedure
    from ..rules import procedure_allowed, suggested_procedure

    call = application.call
    limits = (
        call.procurement_invoice_limit,
        call.procurement_negotiated_limit,
        call.procurement_european_limit,
    )
    return [
        (
            item,
            ProcurementProcedure(suggested_procedure(item.estimated_value, *limits)).label,
            procedure_allowed(item.procedure, item.estimated_value, *limits),
        )
        for item in application.procurement_items.all()
    ]


def _save_fields(request, application, section, form) -> bool:
    values = form.valid_values()
    version = form.cleaned_data.get("version")
    try:
        services.save_section(application, section, values=values, version=version)
    except services.StaleSection as exc:
        messages.error(request, str(exc))
        form.data = form.data.copy()
        form.data["version"] = exc.current.section_version(section)
        return False
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
        return False
    if form.errors:
        messages.error(request, _("Some fields need your attention; everything else was saved."))
        application.refresh_from_db()
        form.data = form.data.copy()
        form.data["version"] = application.section_version(section)
        return False
    messages.success(request, _("Saved."))
    return True


@login_required_404
@require_POST
def autosave(request, year, slug, section):
    """htmx autosave of a section's fields: saves what is valid, answers with a status line."""
    if section not in SECTION_FIELDS:
        raise Http404
    application = application_or_404(request, year, slug, perm="applications.change_application")
    form = section_form_class(section)(request.POST, instance=application, section=section)
    values = form.valid_values()
    context = {"errors": posted_errors(form), "section": section}
    try:
        application = services.save_section(
            application, section, values=values, version=form.cleaned_data.get("version")
        )
        context.update(saved=True, when=timezone.now())
    except services.StaleSection as exc:
        context["stale"] = str(exc)
        application = exc.current
    except services.ApplicationError as exc:
        context["refused"] = str(exc)
    context["version"] = application.section_version(section)
    return render(request, "applications/application/_save_status.html", context)


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required_404
@require_POST
def add_item(request, year, slug, section):
    application = application_or_404(request, year, slug, perm="applications.change_application")
    if section == ApplicationSection.PARTNERS:
        form = PartnerAddForm(
            request.POST, organisations=selectors_ideas.partner_candidates(application)
        )
        action = services.add_partner
    elif section in LIST_FORMS:
        kwargs = {"application": application} if section == ApplicationSection.WORK_PACKAGES else {}
        form = LIST_FORMS[section](request.POST, **kwargs)
        action = None
    else:
        raise Http404
    if form.is_valid():
        try:
            if action is not None:
                action(application, **form.cleaned_data, version=_version(request))
            else:
                services.add_item(
                    application, section, values=form.cleaned_data, version=_version(request)
                )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))  # the typed item stays in the form below
        else:
            messages.success(request, _("Added."))
            return redirect(section_url(application, section))
    else:
        messages.error(request, _("Check the fields marked below; nothing was added yet."))
    application = application_or_404(request, year, slug)
    context = _context(
        request,
        application,
        section=ApplicationSection(section),
        version=application.section_version(section),
    )
    context["item_form" if action is None else "partner_form"] = form
    if section == ApplicationSection.PARTNERS:
        context["budgets"] = selectors.partner_budgets(application)
        context["partner_forms"] = [(p, None) for p in application.partners.all()]
    if section == ApplicationSection.PROCUREMENT:
        context["procurement_rows"] = _procurement_rows(application)
    if section in SECTION_FIELDS:
        context["form"] = section_form_class(section)(instance=application, section=section)
    return render(request, SECTION_TEMPLATES[section], context)


@login_required_404
@require_POST
def delete_item(request, year, slug, section, pk):
    application = application_or_404(request, year, slug, perm="applications.change_application")
    try:
        if section == ApplicationSection.PARTNERS:
            services.remove_partner(
                get_object_or_404(ApplicationPartner, pk=pk, application=application),
                version=_version(request),
            )
        elif section in (ApplicationSection.POLICY, ApplicationSection.ATTACHMENTS):
            services.delete_attachment(
                get_object_or_404(Attachment, pk=pk, application=application),
                version=_version(request),
                section=section,
            )
        elif section in LIST_MODELS:
            item = get_object_or_404(LIST_MODELS[section], pk=pk, application=application)
            services.delete_item(item, section, version=_version(request))
        else:
            raise Http404
        messages.success(request, _("Removed."))
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(section_url(application, section))


def _may_edit_partner(request, application, partner) -> bool:
    if not section_open(application, ApplicationSection.PARTNERS):
        return False
    if request.user.has_perm("applications.change_application", application):
        return True
    return request.user.has_perm(
        "applications.change_own_partner_part", application
    ) and partner.organisation_id in member_organisation_ids(request.user)


@login_required_404
@require_POST
def update_partner(request, year, slug, pk):
    application = application_or_404(request, year, slug)
    partner = get_object_or_404(ApplicationPartner, pk=pk, application=application)
    if not _may_edit_partner(request, application, partner):
        raise Http404
    form = PartnerEditForm(request.POST, instance=partner, prefix=f"p{partner.pk}")
    if form.is_valid():
        try:
            services.update_partner(partner, values=form.cleaned_data, version=_version(request))
            messages.success(request, _("Saved."))
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Check the e-mail address of the contact person."))
    return redirect(section_url(application, ApplicationSection.PARTNERS, f"partner-{partner.pk}"))


@login_required_404
@require_POST
def upload_attachment(request, year, slug, section):
    application = application_or_404(request, year, slug, perm="applications.change_application")
    if section not in (ApplicationSection.POLICY, ApplicationSection.ATTACHMENTS):
        raise Http404
    form = AttachmentForm(request.POST, request.FILES, policy=section == ApplicationSection.POLICY)
    if form.is_valid():
        try:
            services.add_attachment(
                application,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                uploaded=form.cleaned_data["file"],
                user=request.user,
                version=_version(request),
                section=section,
            )
        except services.ApplicationError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("The file was added."))
            return redirect(section_url(application, section))
    # Refused: the page again, the reason beside the file, the kind and title kept.
    messages.error(request, _("The file was not added. See the reason below."))
    return _section_page(
        request, application, section, posted=False, attachment_form=form, status=400
    )


@login_required_404
def review(request, year, slug):
    application = application_or_404(request, year, slug)
    if request.method == "POST":
        if not request.user.has_perm("applications.submit_application", application):
            raise Http404
        try:
            submission = submit_application(application, user=request.user)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Your application was submitted on %(when)s. The receipt and the PDF follow by e-mail and appear below."
                )
                % {
                    "when": timezone.localtime(submission.submitted_at).strftime(
                        "%d/%m/%Y %H:%M:%S"
                    )
                },
            )
            return redirect("applications:application", year=year, slug=slug)
        application = application_or_404(request, year, slug)
    return render(request, "applications/application/review.html", _context(request, application))
