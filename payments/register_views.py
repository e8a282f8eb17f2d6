"""The public register of funded projects and what feeds it (issue 9, R-SHARE, R-THEME, R-KPI).

Public, no login: the list with search and filters, a project's page, the open-data exports.
Logged in: the lead applicant's end-results page (upload, offer for publication, interest in
reuse), the call manager's review of offered results, and "wij willen dit ook" for another
municipality. Thin: permission → form → service → redirect/render; an object the person may not
act on is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cot_portal.accounts.decorators import login_required_404

from . import register_opendata as opendata
from . import register_selectors as selectors
from . import register_services as services
from .models import EndResult, Grant, PublicationStatus
from .register_forms import (
    EndResultForm,
    OfferForm,
    RefuseForm,
    RegisterFilterForm,
    ReuseInterestForm,
)

PAGE_SIZE = 20


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _filtered(request):
    """The filter form bound to the query string and the projects it selects (valid part)."""
    form = RegisterFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, selectors.search_projects(form.criteria())


# --- Public pages -------------------------------------------------------------------------------


@require_GET
def register_list(request):
    """R-SHARE: the funded projects of every call, searchable and filterable, paginated."""
    form, projects = _filtered(request)
    paginator = Paginator(selectors.for_list(projects), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    rows = [
        {
            "grant": grant,
            "themes": selectors.themes_of(grant),
            "partners": [
                p
                for p in selectors.partners_of(grant)
                if p.organisation_id != grant.organisation_id
            ],
            "results": selectors.published_results(grant),
        }
        for grant in page.object_list
    ]
    return render(
        request,
        "payments/register/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "count": paginator.count,
            "query": query.urlencode(),
            "may_review": request.user.has_perm("payments.review_end_results"),
        },
        status=400 if form.errors else 200,
    )


def _interest_context(request, grant, interest_form=None) -> dict:
    organisations = selectors.interest_organisations(request.user, grant)
    registered = {
        interest.organisation_id: interest
        for interest in grant.reuse_interests.filter(organisation__in=organisations)
    }
    open_organisations = [org for org in organisations if org.pk not in registered]
    if interest_form is None and open_organisations:
        interest_form = ReuseInterestForm(organisations=open_organisations)
    return {
        "interest_form": interest_form,
        "registered_interests": list(registered.values()),
    }


@require_GET
def project(request, reference):
    """R-SHARE, R-THEME, R-KPI: one funded project as the public sees it."""
    return _project_page(request, reference)


def _project_page(request, reference, interest_form=None, status=200):
    grant = selectors.public_project(reference)
    context = {
        "grant": grant,
        "application": grant.application,
        "themes": selectors.themes_of(grant),
        "partners": selectors.partners_of(grant),
        "kpis": selectors.kpi_rows(grant),
        "results": selectors.published_results(grant),
        "may_manage": request.user.has_perm("payments.manage_end_results", grant),
    }
    if request.user.is_authenticated:
        context.update(_interest_context(request, grant, interest_form))
    return render(request, "payments/register/project.html", context, status=status)


@login_required_404
@require_POST
def register_interest(request, reference):
    """R-SHARE: "wij willen dit ook" for a municipality that is not in the project."""
    grant = get_object_or_404(Grant, reference=reference)
    if not request.user.has_perm("payments.register_reuse_interest", grant):
        raise Http404
    # Every eligible organisation is a valid choice; one that already registered gets the
    # service's message rather than a bare "not a valid choice".
    organisations = selectors.interest_organisations(request.user, grant)
    form = ReuseInterestForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            services.register_reuse_interest(
                grant,
                organisation=form.chosen_organisation(),
                message=form.cleaned_data["message"],
                user=request.user,
                base_url=_base_url(request),
            )
        except PermissionDenied as error:
            raise Http404 from error
        except services.RegisterError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                _("Thank you. The project's lead sees that %(organisation)s is interested.")
                % {"organisation": form.chosen_organisation().name},
            )
            return redirect("register:project", reference=grant.reference)
    return _project_page(request, reference, interest_form=form, status=400)


@require_GET
def organisation(request, slug):
    """The identifier of an organisation in the open data resolves to its projects."""
    if not selectors.is_in_register(slug):
        raise Http404
    return redirect(reverse("register:list") + f"?gemeente={slug}")


@require_GET
def call(request, year):
    """The identifier of a call in the open data resolves to its funded projects."""
    return redirect(reverse("register:list") + f"?jaar={year}")


# --- Open data -----------------------------------------------------------------------------------


def _export_rows(request):
    _form, projects = _filtered(request)
    grants = selectors.for_export(projects)
    return opendata.records(grants, request.build_absolute_uri)


def _open(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def export_csv(request):
    """R-SHARE: the register (with the list's filters) as CSV, one line per project."""
    response = HttpResponse(
        opendata.as_csv(_export_rows(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="city-of-things-register.csv"'
    return _open(response)


@require_GET
def export_json(request):
    """R-SHARE: the register as JSON."""
    body = opendata.as_json(
        _export_rows(request), context_url=request.build_absolute_uri(reverse("register:context"))
    )
    return _open(HttpResponse(body, content_type="application/json; charset=utf-8"))


@require_GET
def export_jsonld(request):
    """R-OSLO: the register as JSON-LD (OSLO Subsidieregister / Organisatie, schema.org)."""
    body = opendata.as_jsonld(_export_rows(request), request.build_absolute_uri)
    return _open(HttpResponse(body, content_type="application/ld+json; charset=utf-8"))


@require_GET
def jsonld_context(request):
    """R-OSLO: the JSON-LD context of the register (the static, documented file)."""
    return _open(
        HttpResponse(
            opendata.CONTEXT_PATH.read_bytes(), content_type="application/ld+json; charset=utf-8"
        )
    )


# --- The lead applicant's end results -------------------------------------------------------------


def _lead_grant(request, reference) -> Grant:
    grant = get_object_or_404(
        Grant.objects.select_related("application", "organisation", "call"), reference=reference
    )
    if not request.user.has_perm("payments.manage_end_results", grant):
        raise Http404
    return grant


def _end_results_page(request, grant, *, form=None, offer_forms=None, status=200):
    offer_forms = offer_forms or {}
    results = selectors.end_results_of(grant)
    rows = [
        {
            "result": result,
            "open": request.user.has_perm("payments.change_endresult", result),
            "offer_form": offer_forms.get(result.pk) or OfferForm(prefix=f"r{result.pk}"),
        }
        for result in results
    ]
    return render(
        request,
        "payments/register/end_results.html",
        {
            "grant": grant,
            "rows": rows,
            "form": form or EndResultForm(),
            "interests": selectors.reuse_interests_of(grant),
        },
        status=status,
    )


@login_required_404
def end_results(request, reference):
    """R-SHARE: the lead uploads end results and offers them for publication; sees who is
    interested in reuse."""
    grant = _lead_grant(request, reference)
    if request.method != "POST":
        return _end_results_page(request, grant)
    form = EndResultForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.add_end_result(
                grant,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                lessons_good=data["lessons_good"],
                lessons_bad=data["lessons_bad"],
                uploaded=data["file"],
                offer=data["offer"],
                acknowledged=data["acknowledged"],
                user=request.user,
            )
        except PermissionDenied as error:
            raise Http404 from error
        except services.RegisterError as error:
            error.add_to(form)
        else:
            if result.status == PublicationStatus.REQUESTED:
                messages.success(
                    request,
                    _("“%(title)s” is saved and offered for publication. VLAIO checks it.")
                    % {"title": result.title},
                )
            else:
                messages.success(
                    request,
                    _("“%(title)s” is saved. Offer it for publication when it is ready.")
                    % {"title": result.title},
                )
            return redirect("register:end_results", reference=grant.reference)
    return _end_results_page(request, grant, form=form, status=400)


def _open_result(request, reference, pk) -> EndResult:
    """One of the project's end results the lead may still offer or remove; else 404."""
    grant = _lead_grant(request, reference)
    result = get_object_or_404(EndResult, pk=pk, grant=grant)
    result.grant = grant
    if not request.user.has_perm("payments.change_endresult", result):
        raise Http404
    return result


@login_required_404
@require_POST
def offer_result(request, reference, pk):
    """R-SHARE: offer one result for publication, acknowledging the right of use."""
    result = _open_result(request, reference, pk)
    form = OfferForm(request.POST, prefix=f"r{result.pk}")
    if form.is_valid():
        try:
            services.offer_end_result(result, acknowledged=True, user=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(
            request,
            _("“%(title)s” is offered for publication. VLAIO checks it.") % {"title": result.title},
        )
        return redirect("register:end_results", reference=reference)
    return _end_results_page(request, result.grant, offer_forms={result.pk: form}, status=400)


@login_required_404
@require_POST
def remove_result(request, reference, pk):
    result = _open_result(request, reference, pk)
    try:
        services.remove_end_result(result, user=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("“%(title)s” is removed.") % {"title": result.title})
    return redirect("register:end_results", reference=reference)


# --- The call manager's review -----------------------------------------------------------------


def _review_page(request, refuse_forms=None, status=200):
    refuse_forms = refuse_forms or {}
    rows = [
        {
            "result": result,
            "refuse_form": refuse_forms.get(result.pk) or RefuseForm(prefix=f"r{result.pk}"),
        }
        for result in selectors.results_waiting_for_approval()
        if request.user.has_perm("payments.decide_endresult", result)
    ]
    return render(request, "payments/register/review.html", {"rows": rows}, status=status)


@login_required_404
def review(request):
    """R-SHARE: the end results offered for publication, for the call manager's decision."""
    if not request.user.has_perm("payments.review_end_results"):
        raise Http404
    return _review_page(request)


@login_required_404
@require_POST
def decide(request, pk):
    """R-SHARE: publish an offered end result, or refuse it with a note."""
    if not request.user.has_perm("payments.review_end_results"):
        raise Http404
    result = get_object_or_404(EndResult.objects.select_related("grant"), pk=pk)
    if not request.user.has_perm("payments.decide_endresult", result):
        raise Http404
    try:
        if request.POST.get("action") == "publish":
            services.publish_end_result(result, user=request.user, base_url=_base_url(request))
            messages.success(
                request, _("“%(title)s” is published in the register.") % {"title": result.title}
            )
            return redirect("register:review")
        form = RefuseForm(request.POST, prefix=f"r{result.pk}")
        if not form.is_valid():
            return _review_page(request, refuse_forms={result.pk: form}, status=400)
        services.refuse_end_result(
            result, note=form.cleaned_data["note"], user=request.user, base_url=_base_url(request)
        )
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(
        request,
        _("“%(title)s” is not published; the lead applicant reads your note.")
        % {"title": result.title},
    )
    return redirect("register:review")
