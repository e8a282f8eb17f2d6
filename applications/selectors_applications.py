"""Reads of the full application: one query set for a page, and its content as plain data.

`application_content` is what the completeness checks read, what the cost model's live check
reads, and what a submission freezes as JSON: one source, so they can never disagree.
"""

from decimal import Decimal

from django.db.models import Prefetch

from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES

from .models import (
    Application,
    ApplicationPartner,
    CostLine,
    PartnerRole,
)


def with_content(applications):
    """`applications` with everything `application_content` reads, in a fixed number of queries."""
    return applications.select_related("call", "organisation", "created_by").prefetch_related(
        Prefetch(
            "partners",
            queryset=ApplicationPartner.objects.select_related("organisation").order_by("pk"),
        ),
        Prefetch("cost_lines", queryset=CostLine.objects.select_related("partner__organisation")),
        "work_packages__lead_partner__organisation",
        "procurement_items",
        "group_members",
        "kpis",
        "attachments",
    )


def application_for_page(year: int, slug: str):
    return (
        with_content(Application.objects.filter(call__year=year, slug=slug))
        .select_related("idea")
        .prefetch_related("completion_requests", "submissions__receipt")
        .first()
    )


def applications_for_user(user):
    org_ids = list(user.memberships.values_list("organisation_id", flat=True))
    return (
        Application.objects.filter(partners__organisation_id__in=org_ids)
        .distinct()
        .select_related("call", "organisation")
        .order_by("-created_at")
    )


def partner_budgets(application) -> dict[int, Decimal]:
    """Total of the cost lines per partner id (from the prefetched lines)."""
    totals: dict[int, Decimal] = {p.pk: Decimal("0.00") for p in application.partners.all()}
    for line in application.cost_lines.all():
        totals[line.partner_id] = totals.get(line.partner_id, Decimal("0.00")) + line.amount
    return totals


def total_cost(application) -> Decimal:
    return sum((line.amount for line in application.cost_lines.all()), Decimal("0.00"))


def local_government_count(application) -> int:
    return sum(
        1 for p in application.partners.all() if p.organisation.type in LOCAL_GOVERNMENT_TYPES
    )


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def application_content(application) -> dict:
    """The whole application as plain JSON-ready data (Decimal as strings, dates ISO)."""
    budgets = partner_budgets(application)
    return {
        "reference": application.reference,
        "call": application.call.year,
        "lead": {
            "name": application.organisation.name,
            "nis_code": application.organisation.nis_code,
        },
        "project": {
            "title": application.title,
            "summary": application.summary,
            "challenge": application.challenge,
            "solution": application.solution,
        },
        "partners": [
            {
                "id": p.pk,
                "organisation": p.organisation.name,
                "organisation_type": p.organisation.type,
                "role": p.role,
                "contribution": p.contribution,
                "contact_name": p.contact_name,
                "contact_email": p.contact_email,
                "budget": _money(budgets.get(p.pk)),
            }
            for p in application.partners.all()
        ],
        "work_packages": [
            {
                "number": wp.number,
                "title": wp.title,
                "objectives": wp.objectives,
                "lead_partner": wp.lead_partner.organisation.name if wp.lead_partner else None,
                "start_month": wp.start_month,
                "end_month": wp.end_month,
                "deliverables": wp.deliverables,
                "knowledge_sharing": wp.knowledge_sharing,
            }
            for wp in application.work_packages.all()
        ],
        "procurement": {
            "external_support": application.external_support,
            "provider_profile": application.provider_profile,
            "items": [
                {
                    "description": item.description,
                    "estimated_value": _money(item.estimated_value),
                    "procedure": item.procedure,
                    "motivation": item.motivation,
                    "prior_knowledge": item.prior_knowledge,
                    "prior_knowledge_measures": item.prior_knowledge_measures,
                    "framework_agreement": item.framework_agreement,
                    "conditional_parts": item.conditional_parts,
                }
                for item in application.procurement_items.all()
            ],
        },
        "policy": {
            "commitment": application.policy_commitment,
            "documents": [
                {"kind": a.kind, "title": a.title, "sha256": a.sha256}
                for a in application.attachments.all()
                if a.kind != "other"
            ],
        },
        "scalability": {
            "scalability": application.scalability,
            "rollout": application.rollout,
            "business_model": application.business_model,
        },
        "groups": [
            {"group": m.group, "name": m.name, "organisation": m.organisation_name, "role": m.role}
            for m in application.group_members.all()
        ],
        "themes": list(application.themes),
        "kpis": [
            {
                "name": k.name,
                "unit": k.unit,
                "baseline": _money(k.baseline),
                "target": _money(k.target),
            }
            for k in application.kpis.all()
        ],
        "planning": {
            "start_date": application.start_date.isoformat() if application.start_date else None,
            "end_date": application.end_date.isoformat() if application.end_date else None,
            "duration_months": application.duration_months,
        },
        "budget": {
            "lines": [
                {
                    "partner": line.partner.organisation.name,
                    "category": line.category,
                    "year": line.year,
                    "description": line.description,
                    "amount": _money(line.amount),
                }
                for line in application.cost_lines.all()
            ],
            "total_cost": _money(total_cost(application)),
            "requested_support": _money(application.requested_support),
            "own_contribution": _money(application.own_contribution),
            "project_income": _money(application.project_income),
            "other_financing": _money(application.other_financing),
        },
        "attachments": [
            {"kind": a.kind, "title": a.title, "sha256": a.sha256, "size": a.size}
            for a in application.attachments.all()
        ],
    }


COORDINATOR = PartnerRole.COORDINATOR


def admissibility_rows(call):
    """Submitted applications of a call with their checks and completion requests, in 3 queries."""
    from .models import AdmissibilityCheck, ApplicationStatus, CompletionRequest

    return (
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation", "call")
        .prefetch_related(
            Prefetch("admissibility_checks", queryset=AdmissibilityCheck.objects.order_by("pk")),
            Prefetch(
                "completion_requests", queryset=CompletionRequest.objects.order_by("-requested_at")
            ),
        )
        .order_by("reference")
    )
