"""Idea registration pages (SPEC.md §3): thin — permission, form, service, page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cot_portal.accounts.decorators import login_required_404
from cot_portal.accounts.permissions import member_organisation_ids
from cot_portal.formatting import short_datetime
from cot_portal.forms import posted_errors

from .. import selectors_ideas as selectors
from ..forms.ideas import IdeaForm, NewIdeaForm, PartnerForm
from ..models import Call, Idea, IdeaPartner, IdeaStatus
from ..rules import IDEA_REQUIRED_FIELDS, idea_missing_fields
from ..services import ideas as services


def _idea_or_404(request, reference, perm="applications.view_idea"):
    idea = selectors.idea_with_details(reference)
    if idea is None or not request.user.has_perm(perm, idea):
        raise Http404
    return idea


@login_required
def my_ideas(request):
    organisations = services.organisations_for_idea_creation(request.user)
    open_calls = [call for call in Call.objects.order_by("-year") if call.idea_phase_open]
    return render(
        request,
        "applications/ideas/my_ideas.html",
        {
            "ideas": selectors.ideas_for_user(request.user),
            "open_calls": open_calls if organisations.exists() else [],
        },
    )


@login_required
def new_idea(request, year):
    call = get_object_or_404(Call, year=year)
    organisations = services.organisations_for_idea_creation(request.user)
    if not organisations.exists():
        raise Http404
    form = NewIdeaForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.create_idea(
                call=call,
                organisation=form.cleaned_data["organisation"],
                user=request.user,
                title=form.cleaned_data["title"],
            )
        except services.IdeaError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Your idea was created. Everything you type is saved automatically.")
            )
            return redirect("applications:idea", reference=idea.reference)
    return render(request, "applications/ideas/new.html", {"call": call, "form": form})


def _colleague_changes(idea, version) -> list[str]:
    """Fields a colleague changed since `version`, from the idea's history."""
    base = idea.history.filter(version=version).order_by("-history_date").first()
    if base is None:
        return []
    return [
        str(Idea._meta.get_field(name).verbose_name)
        for name in services.EDITABLE_FIELDS
        if getattr(base, name) != getattr(idea, name)
    ]


@login_required_404
def idea_page(request, reference):
    idea = _idea_or_404(request, reference)
    editable = request.user.has_perm("applications.change_idea", idea)
    context = {
        "idea": idea,
        "editable": editable,
        "editable_by_lead": idea.organisation_id in member_organisation_ids(request.user),
    }
    if editable:
        form = IdeaForm(request.POST or None, instance=idea)
        if request.method == "POST":
            form, idea, done = _save_from_form(request, idea, form)
            if done:
                return done
        context.update(
            form=form, partner_form=PartnerForm(organisations=selectors.partner_candidates(idea))
        )
        context["missing"] = _missing_labels(idea)
    elif request.method == "POST":
        if idea.status != IdeaStatus.DRAFT or not context["editable_by_lead"]:
            raise Http404
        # The deadline passed while the person was typing: refuse with the figures, and show
        # what they typed (read-only) so nothing is lost; the stored draft stays as it was.
        messages.error(
            request,
            _(
                "The deadline for ideas was %(deadline)s. Your submission arrived at %(received)s and "
                "cannot be accepted. Your draft is kept."
            )
            % {
                "deadline": short_datetime(idea.call.idea_deadline),
                "received": short_datetime(timezone.now()),
            },
        )
        context["late_form"] = IdeaForm(request.POST, instance=idea)
        for field in context["late_form"].fields.values():
            field.widget.attrs["readonly"] = True  # shows the typed text (disabled would not)
    if request.user.has_perm("applications.change_call"):
        context["show_similar"] = True
        context["similar"] = (
            selectors.similar_ideas(idea) if idea.status != IdeaStatus.DRAFT else []
        )
    context["idea"] = idea
    return render(request, "applications/ideas/idea.html", context)


def _missing_labels(idea) -> list[str]:
    missing = idea_missing_fields({name: getattr(idea, name) for name in IDEA_REQUIRED_FIELDS})
    return [Idea._meta.get_field(name).verbose_name for name in missing]


def _save_from_form(request, idea, form):
    """Save (and, when asked, submit) what was posted; never lose what was typed."""
    values = form.valid_values()
    version = form.cleaned_data.get("version") or idea.version
    try:
        result = services.save_idea(idea, user=request.user, values=values, version=version)
    except services.StaleVersion as exc:
        changed = _colleague_changes(exc.current, version)
        messages.error(
            request,
            str(exc)
            + (" " + _("Changed by your colleague: %s.") % ", ".join(changed) if changed else ""),
        )
        form.data = form.data.copy()
        form.data["version"] = exc.current.version
        return form, exc.current, None
    idea = result.idea
    if form.errors:
        messages.error(request, _("Some fields need your attention; everything else was saved."))
        form.data = form.data.copy()
        form.data["version"] = idea.version
        return form, idea, None
    if request.POST.get("action") == "submit":
        try:
            services.submit_idea(idea, user=request.user)
        except services.IdeaError as exc:
            messages.error(request, str(exc))
            return form, idea, redirect("applications:idea", reference=idea.reference)
        messages.success(
            request, _("Your idea was submitted. The receipt is in your mailbox and below.")
        )
    else:
        messages.success(request, _("Saved."))
    return form, idea, redirect("applications:idea", reference=idea.reference)


@login_required_404
@require_POST
def autosave(request, reference):
    """htmx autosave: saves the valid fields and answers with a status line."""
    idea = _idea_or_404(request, reference, perm="applications.change_idea")
    form = IdeaForm(request.POST, instance=idea)
    values = form.valid_values()
    version = form.cleaned_data.get("version") or 0
    context = {"idea": idea, "errors": posted_errors(form)}
    try:
        result = services.save_idea(idea, user=request.user, values=values, version=version)
        context.update(idea=result.idea, saved=True)
        context["missing"] = _missing_labels(result.idea)
    except services.StaleVersion as exc:
        context.update(
            stale=str(exc), changed=_colleague_changes(exc.current, version), idea=exc.current
        )
    except services.IdeaError as exc:
        context["refused"] = str(exc)
    return render(request, "applications/ideas/_save_status.html", context)


@login_required_404
@require_POST
def add_partner(request, reference):
    idea = _idea_or_404(request, reference, perm="applications.change_idea")
    form = PartnerForm(request.POST, organisations=selectors.partner_candidates(idea))
    if form.is_valid():
        try:
            services.add_partner(idea, **form.cleaned_data)
            messages.success(
                request,
                _("%(name)s was added as partner.")
                % {"name": form.cleaned_data["organisation"].name},
            )
        except services.IdeaError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose an organisation and its role."))
    return redirect(f"{idea_url(idea)}#partners")


@login_required_404
@require_POST
def remove_partner(request, reference, pk):
    idea = _idea_or_404(request, reference, perm="applications.change_idea")
    partner = get_object_or_404(IdeaPartner, pk=pk, idea=idea)
    services.remove_partner(partner)
    messages.success(
        request, _("%(name)s is no longer a partner.") % {"name": partner.organisation.name}
    )
    return redirect(f"{idea_url(idea)}#partners")


def idea_url(idea):
    from django.urls import reverse

    return reverse("applications:idea", kwargs={"reference": idea.reference})


@login_required_404
def call_ideas(request, year):
    """The call manager's overview of a call's ideas."""
    if not request.user.has_perm("applications.change_call"):
        raise Http404
    call = get_object_or_404(Call, year=year)
    return render(
        request,
        "applications/ideas/call_ideas.html",
        {
            "call": call,
            "ideas": selectors.ideas_of_call(call),
            "counts": selectors.status_counts(call),
        },
    )
