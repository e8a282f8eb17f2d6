"""Which parts of an application are complete, per section, with each missing item (R-APP).

Reads only the prefetched application (selectors_applications.application_for_page) and
combines the pure rules of rules.py; the review page, the section badges and submission use it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from cot_portal.accounts.models import PARTNER_TYPES

from . import rules
from .models import POLICY_KINDS, ApplicationSection, CostCategory
from .selectors_applications import local_government_count, partner_budgets, total_cost


@dataclass
class SectionState:
    section: str
    issues: list[rules.Check] = field(default_factory=list)
    warnings: list[rules.Check] = field(default_factory=list)
    passed: list[rules.Check] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.issues

    def need(self, ok: bool, message: str, rule: str = "R-APP", anchor: str = ""):
        (self.passed if ok else self.issues).append(rules.Check(rule, ok, message, anchor=anchor))

    def add(self, check: rules.Check):
        if check.warning:
            self.warnings.append(check)
        elif check.ok:
            self.passed.append(check)
        else:
            self.issues.append(check)


def _filled(value) -> bool:
    return bool((value or "").strip())


def budget_of(application) -> rules.Budget:
    call = application.call
    return rules.Budget(
        total_cost=total_cost(application),
        requested=application.requested_support or Decimal("0.00"),
        own_contribution=application.own_contribution,
        income=application.project_income,
        other_financing=application.other_financing,
        cap=call.max_support_per_project,
        rate=call.max_support_rate,
    )


def section_states(application, today) -> dict[str, SectionState]:
    call = application.call
    states = {s.value: SectionState(s.value) for s in ApplicationSection}
    label = lambda name: str(application._meta.get_field(name).verbose_name)  # noqa: E731

    s = states[ApplicationSection.PROJECT]
    for name in ("title", "summary", "challenge", "solution"):
        s.need(
            _filled(getattr(application, name)),
            _("Fill in: %s.") % label(name),
            anchor=f"id_{name}",
        )

    s = states[ApplicationSection.PARTNERS]
    partners = list(application.partners.all())
    s.add(
        rules.minimum_local_governments_check(
            local_government_count(application), call.min_local_governments
        )
    )
    for p in partners:
        if p.organisation.type not in PARTNER_TYPES:
            s.need(
                False,
                _("%(name)s cannot be a partner: companies take part as subcontractors.")
                % {"name": p.organisation.name},
                "R-ROLE",
            )
    budgets = partner_budgets(application)
    for check in rules.role_budget_warnings(
        [(p.organisation.name, p.role, budgets.get(p.pk, Decimal("0.00"))) for p in partners],
        call.follower_budget_cap,
    ):
        s.add(check)

    s = states[ApplicationSection.WORK_PACKAGES]
    wps = list(application.work_packages.all())
    s.need(bool(wps), _("Add the work packages of the work plan."))
    s.add(rules.knowledge_sharing_check(any(wp.knowledge_sharing for wp in wps)))
    for wp in wps:
        if wp.lead_partner_id is None:
            s.need(False, _("WP%(n)s has no lead partner.") % {"n": wp.number})
        if application.duration_months and wp.end_month > application.duration_months:
            s.need(
                False,
                _("WP%(n)s ends in month %(end)s, after the project's %(d)s months.")
                % {"n": wp.number, "end": wp.end_month, "d": application.duration_months},
            )

    s = states[ApplicationSection.PROCUREMENT]
    for name in ("external_support", "provider_profile"):
        s.need(
            _filled(getattr(application, name)),
            _("Fill in: %s.") % label(name),
            anchor=f"id_{name}",
        )
    has_external_costs = any(
        line.category == CostCategory.EXTERNAL for line in application.cost_lines.all()
    )
    items = list(application.procurement_items.all())
    if has_external_costs:
        s.need(bool(items), _("The cost model has external services: list the planned purchases."))
    for item in items:
        if not rules.procedure_allowed(
            item.procedure,
            item.estimated_value,
            call.procurement_invoice_limit,
            call.procurement_negotiated_limit,
            call.procurement_european_limit,
        ):
            s.need(
                False,
                _("“%(what)s”: the procedure “%(proc)s” is not allowed at this value.")
                % {"what": item.description, "proc": item.get_procedure_display()},
                "SPEC §10",
            )
        if item.prior_knowledge and not _filled(item.prior_knowledge_measures):
            s.need(
                False,
                _("“%(what)s”: describe the measures against prior knowledge.")
                % {"what": item.description},
                "SPEC §10",
            )

    s = states[ApplicationSection.POLICY]
    s.need(
        _filled(application.policy_commitment),
        _("Fill in: %s.") % label("policy_commitment"),
        anchor="id_policy_commitment",
    )
    s.need(
        any(a.kind in POLICY_KINDS for a in application.attachments.all()),
        _("Add a bestuursakkoord, meerjarenbegroting or other official document."),
    )

    s = states[ApplicationSection.SCALABILITY]
    for name in ("scalability", "rollout", "business_model"):
        s.need(
            _filled(getattr(application, name)),
            _("Fill in: %s.") % label(name),
            anchor=f"id_{name}",
        )

    s = states[ApplicationSection.GROUPS]
    members = list(application.group_members.all())
    s.need(
        any(m.group == "steering" for m in members),
        _("Name the members of the steering group."),
        "R-GROUPS",
    )

    s = states[ApplicationSection.THEMES_KPIS]
    s.need(bool(application.themes), _("Choose at least one theme."), "R-THEME")
    s.need(
        bool(list(application.kpis.all())),
        _("Add at least one KPI with baseline and target."),
        "R-KPI",
    )

    s = states[ApplicationSection.PLANNING]
    s.add(
        rules.duration_check(application.start_date, application.end_date, call.max_duration_months)
    )
    decision = call.decision_date or call.decision_date_estimated
    s.add(rules.start_date_check(application.start_date, today, decision, call.start_window_months))

    s = states[ApplicationSection.BUDGET]
    if application.requested_support is None:
        s.need(
            False, _("Fill in the requested support."), "R-BUDGET", anchor="id_requested_support"
        )
    for check in rules.budget_checks(budget_of(application)):
        s.add(check)
    if application.duration_months:
        years = -(-application.duration_months // 12)
        for line in application.cost_lines.all():
            if line.year > years:
                s.need(
                    False,
                    _("A cost line of %(p)s is in year %(y)s, after the project's %(n)s years.")
                    % {"p": line.partner.organisation.name, "y": line.year, "n": years},
                    "R-BUDGET",
                )
    return states


def missing_items(application, today) -> list[tuple[str, rules.Check]]:
    return [
        (section, check)
        for section, state in section_states(application, today).items()
        for check in state.issues
    ]
