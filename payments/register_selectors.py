"""Reads for the public register of funded projects and its open data (R-SHARE, R-THEME, R-KPI).

The register lists Grant rows only: a grant exists once the Government's decision funded the
application, so nothing of an application that was not (yet) funded can be reached from here.
Every query of a page is fixed in number: related rows come with select_related/prefetch, so the
list costs the same with 2 or 200 projects (tests/integration/test_register.py asserts it).

What is public about a project is exactly what `public_project` and the templates and exports
built on it show: title, summary, lead and partners with their roles, themes, awarded amount,
period, status, the KPIs with their latest accepted values, and the published end results.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from applications.models import KPI, ApplicationPartner, Call, PartnerRole, Theme
from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES, Organisation
from cot_portal.accounts.permissions import member_organisation_ids

from .models import (
    CheckStatus,
    ContentReport,
    EndResult,
    Grant,
    GrantStatus,
    PublicationStatus,
    ResultKind,
    ReuseInterest,
)

# --- The funded projects and their filters -----------------------------------------------------


KIND_ORDER = {kind: position for position, kind in enumerate(ResultKind.values)}


def in_kind_order(results) -> list[EndResult]:
    """Playbook, model specification, framework agreement, lessons learned, other."""
    return sorted(results, key=lambda r: (KIND_ORDER.get(r.kind, len(KIND_ORDER)), r.pk))


def _published_results() -> QuerySet:
    return EndResult.objects.filter(status=PublicationStatus.PUBLISHED)


def _has_published_results():
    return Exists(
        EndResult.objects.filter(grant=OuterRef("pk"), status=PublicationStatus.PUBLISHED)
    )


def funded_projects() -> QuerySet:
    """Every grant of every call: the funded projects the register may show."""
    return Grant.objects.all()


@dataclass(frozen=True)
class RegisterFilter:
    """What a visitor searches and filters on; empty values filter nothing."""

    text: str = ""
    year: int | None = None
    theme: str = ""
    municipality: str = ""  # an Organisation slug: lead or partner
    status: str = ""  # a GrantStatus value
    with_results: bool = False


def _search(queryset: QuerySet, text: str) -> QuerySet:
    """Dutch full text on PostgreSQL (title, summary, lead); `icontains` on SQLite (R-SHARE).

    The reference and the lead's name also match on a plain substring, so "AANVR-2030" or
    "Gent" find what a visitor expects even where the Dutch stemmer would not.
    """
    text = text.strip()
    if not text:
        return queryset
    plain = (
        Q(reference__icontains=text)
        | Q(organisation__name__icontains=text)
        | Q(application__title__icontains=text)
    )
    if connection.vendor != "postgresql":
        return queryset.filter(plain | Q(application__summary__icontains=text))
    vector = (
        SearchVector("application__title", weight="A", config="dutch")
        + SearchVector("application__summary", weight="B", config="dutch")
        + SearchVector("organisation__name", weight="C", config="dutch")
    )
    query = SearchQuery(text, search_type="websearch", config="dutch")
    return (
        queryset.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(Q(search=query) | plain)
        .order_by("-rank", "-call__year", "reference")
    )


def search_projects(criteria: RegisterFilter) -> QuerySet:
    """The funded projects matching `criteria`, newest call first (R-SHARE, R-THEME)."""
    queryset = funded_projects().order_by("-call__year", "reference")
    if criteria.year:
        queryset = queryset.filter(call__year=criteria.year)
    if criteria.theme:
        if connection.vendor == "postgresql":
            queryset = queryset.filter(application__themes__contains=[criteria.theme])
        else:  # SQLite has no JSON containment; the six theme codes never contain one another.
            queryset = queryset.filter(application__themes__icontains=f'"{criteria.theme}"')
    if criteria.municipality:
        partner = ApplicationPartner.objects.filter(
            application=OuterRef("application"), organisation__slug=criteria.municipality
        )
        queryset = queryset.filter(Q(organisation__slug=criteria.municipality) | Exists(partner))
    if criteria.status:
        queryset = queryset.filter(status=criteria.status)
    if criteria.with_results:
        queryset = queryset.filter(_has_published_results())
    return _search(queryset, criteria.text)


def for_list(queryset: QuerySet) -> QuerySet:
    """What a row of the register list shows, in a fixed number of queries."""
    return queryset.select_related("application", "organisation", "call").prefetch_related(
        Prefetch(
            "application__partners",
            queryset=ApplicationPartner.objects.select_related("organisation").order_by("pk"),
            to_attr="public_partners",
        ),
        Prefetch("end_results", queryset=_published_results(), to_attr="published_results"),
    )


def for_export(queryset: QuerySet) -> QuerySet:
    """Everything an open-data row holds (list + KPIs + the accepted reports' values)."""
    return for_list(queryset).prefetch_related(
        Prefetch("application__kpis", queryset=KPI.objects.order_by("pk"), to_attr="public_kpis"),
        Prefetch(
            "reports",
            queryset=ContentReport.objects.filter(status=CheckStatus.ACCEPTED)
            .only("pk", "grant_id", "kpi_values", "submitted_at", "status")
            .order_by("-submitted_at", "-pk"),
            to_attr="accepted_reports",
        ),
    )


def filter_years() -> list[int]:
    """The years of the calls that funded at least one project."""
    return list(
        Call.objects.filter(grants__isnull=False)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def _in_register():
    """An organisation that leads or partners a funded project, as EXISTS subqueries: a join
    over every partnership of every application (then DISTINCT) grows with all applications."""
    leads = Grant.objects.filter(organisation=OuterRef("pk"))
    partners = ApplicationPartner.objects.filter(
        organisation=OuterRef("pk"), application__grant__isnull=False
    )
    return Exists(leads) | Exists(partners)


def filter_municipalities() -> list[tuple[str, str]]:
    """(slug, name) of the cities, municipalities and the VGC that lead or partner a project."""
    return list(
        Organisation.objects.filter(type__in=LOCAL_GOVERNMENT_TYPES)
        .filter(_in_register())
        .values_list("slug", "name")
        .order_by("name")
    )


def is_in_register(organisation_slug: str) -> bool:
    """Whether the organisation leads or partners a funded project (its data is public then)."""
    return Organisation.objects.filter(slug=organisation_slug).filter(_in_register()).exists()


# --- One project --------------------------------------------------------------------------------


def public_project(reference: str) -> Grant:
    """The funded project with this reference, with what its public page shows; else 404."""
    grant = for_export(Grant.objects.filter(reference=reference)).first()
    if grant is None:
        raise Http404
    return grant


def themes_of(grant) -> list[tuple[str, str]]:
    """R-THEME: (code, label) of the application's themes, in the order of the six dimensions."""
    chosen = set(grant.application.themes or [])
    return [(theme.value, str(theme.label)) for theme in Theme if theme.value in chosen]


def partners_of(grant) -> list[ApplicationPartner]:
    """The lead (coordinator) first, then the partners, each with their role (R-ROLE)."""
    partners = getattr(grant.application, "public_partners", None)
    if partners is None:
        partners = list(grant.application.partners.select_related("organisation").order_by("pk"))
    return sorted(partners, key=lambda p: (p.role != PartnerRole.COORDINATOR, p.pk))


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, dict):  # tolerate {"value": "…"} should a report ever store that
        value = value.get("value")
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class KpiRow:
    """R-KPI: an indicator with its baseline and target, and its latest accepted value."""

    pk: int
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    latest: Decimal | None  # None: not reported yet (in an accepted report)

    @property
    def baseline_text(self) -> str:
        return number_text(self.baseline)

    @property
    def target_text(self) -> str:
        return number_text(self.target)

    @property
    def latest_text(self) -> str:
        return number_text(self.latest)


def number_text(value: Decimal | None) -> str:
    """A number the Belgian way without needless decimals: 12, 6,5, 1.234,56."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##", locale="nl_BE")


def kpi_rows(grant) -> list[KpiRow]:
    """The KPIs of the project; `latest` comes from the most recent accepted report that holds a
    value for the KPI (ContentReport.kpi_values is keyed by the KPI id as text)."""
    kpis = getattr(grant.application, "public_kpis", None)
    if kpis is None:
        kpis = list(grant.application.kpis.order_by("pk"))
    reports = getattr(grant, "accepted_reports", None)
    if reports is None:
        reports = list(
            grant.reports.filter(status=CheckStatus.ACCEPTED).order_by("-submitted_at", "-pk")
        )
    rows = []
    for kpi in kpis:
        latest = None
        for report in reports:
            latest = _as_decimal((report.kpi_values or {}).get(str(kpi.pk)))
            if latest is not None:
                break
        rows.append(KpiRow(kpi.pk, kpi.name, kpi.unit, kpi.baseline, kpi.target, latest))
    return rows


def published_results(grant) -> list[EndResult]:
    results = getattr(grant, "published_results", None)
    if results is None:
        results = list(_published_results().filter(grant=grant))
    return in_kind_order(results)


def grant_status_label(grant) -> str:
    return str(GrantStatus(grant.status).label)


# --- The lead's end results, the call manager's review, reuse interest --------------------------


def end_results_of(grant) -> list[EndResult]:
    """Every end result of the project, whatever its publication status (the lead's page)."""
    return in_kind_order(grant.end_results.all())


def results_waiting_for_approval() -> list[EndResult]:
    """End results offered for publication, oldest request first (the call manager's page)."""
    return list(
        EndResult.objects.filter(status=PublicationStatus.REQUESTED)
        .select_related("grant__application", "grant__organisation", "grant__call")
        .order_by("requested_at", "pk")
    )


def reuse_interests_of(grant) -> list[ReuseInterest]:
    return list(grant.reuse_interests.select_related("organisation", "contact"))


def involved_organisation_ids(grant) -> set[int]:
    """The lead and every partner of the project."""
    return {grant.organisation_id} | set(
        grant.application.partners.values_list("organisation_id", flat=True)
    )


def interest_organisations(user, grant) -> list[Organisation]:
    """The cities and municipalities (and the VGC) of `user` that could say "wij willen dit ook"
    for `grant`: not its lead, not one of its partners (R-SHARE)."""
    own = member_organisation_ids(user)
    if not own:
        return []
    return list(
        Organisation.objects.filter(pk__in=own, type__in=LOCAL_GOVERNMENT_TYPES)
        .exclude(pk__in=involved_organisation_ids(grant))
        .order_by("name")
    )
