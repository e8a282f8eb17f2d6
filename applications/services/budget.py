"""The cost model (R-BUDGET): its figures for a page, and every write to its lines.

Reads first: `budget_overview` turns the prefetched application (selectors_applications.
application_for_page) into the table per partner and category, the totals and the rule checks,
without a query of its own, so the page and the live check show the same figures as the review
page and the submission.

Then the writes. Each locks the application (`_lock`: refused once submitted), writes the
lines, bumps the budget section's version and records the reason in the history
(`_touch`). Who may write which line is the view's question (permissions.py); a service only
refuses what is never allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .. import rules
from ..budget_xlsx import Financing, LineData, PartnerRef
from ..models import ApplicationSection, CostCategory, CostLine
from .application import ApplicationError, _lock, _touch

ZERO = Decimal("0.00")
MAX_YEAR = 10  # the database refuses a cost line after project year 10
FINANCING_FIELDS = ("requested_support", "own_contribution", "project_income", "other_financing")
SECTION = ApplicationSection.BUDGET


def max_project_year(duration_months: int | None) -> int:
    """The last project year a cost line may fall in: the duration rounded up to whole years
    (36 months → 3), or 10 while the duration is not filled in."""
    if not duration_months:
        return MAX_YEAR
    return max(1, min(MAX_YEAR, -(-duration_months // 12)))


# --- reads -------------------------------------------------------------------------------------


@dataclass
class CategoryBlock:
    value: str
    label: str
    lines: list = field(default_factory=list)
    total: Decimal = ZERO


@dataclass
class PartnerBlock:
    partner: object
    editable: bool
    categories: list[CategoryBlock]
    total: Decimal = ZERO

    @property
    def filled_categories(self) -> list[CategoryBlock]:
        return [c for c in self.categories if c.lines]

    @property
    def line_count(self) -> int:
        return sum(len(c.lines) for c in self.categories)


@dataclass
class BudgetOverview:
    partners: list[PartnerBlock]
    category_totals: list[tuple[str, str, Decimal]]
    total_cost: Decimal
    financing: Financing
    financing_total: Decimal
    max_support: Decimal
    rate_amount: Decimal
    net: Decimal
    checks: list[rules.Check]
    warnings: list[rules.Check]
    cap: Decimal
    rate_percent: str
    pending: Decimal | None = None  # an amount typed in the add-line form, not yet added

    @property
    def issues(self) -> list[rules.Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def difference(self) -> Decimal:
        return self.total_cost - self.financing_total


def stored_financing(application) -> Financing:
    return Financing(
        requested_support=application.requested_support,
        own_contribution=application.own_contribution,
        project_income=application.project_income,
        other_financing=application.other_financing,
    )


def budget_overview(
    application,
    *,
    financing: Financing | None = None,
    pending: tuple[int, Decimal] | None = None,
    editable_partner_ids=frozenset(),
) -> BudgetOverview:
    """The cost model's table, totals and checks (R-BUDGET, R-RATE, R-MAX, R-OWN, R-BAL, R-ROLE).

    `financing` replaces the stored amounts (the live check passes what is typed, unsaved);
    `pending` is a line being typed in the add-line form, as (partner id, amount), counted in
    the totals and the checks but not in the table.
    """
    call = application.call
    financing = financing or stored_financing(application)
    category_labels = [(c.value, c.label) for c in CostCategory]
    blocks = {
        p.pk: PartnerBlock(
            p,
            p.pk in editable_partner_ids,
            [CategoryBlock(value, str(label)) for value, label in category_labels],
        )
        for p in application.partners.all()
    }
    index = {value: i for i, (value, _label) in enumerate(category_labels)}
    lines = list(application.cost_lines.all())
    for line in lines:
        block = blocks.get(line.partner_id)
        if block is None:  # not possible with the foreign key; kept for a stale prefetch
            continue
        category = block.categories[index.get(line.category, len(category_labels) - 1)]
        category.lines.append(line)
        category.total += line.amount
        block.total += line.amount
    category_totals = [
        (value, str(label), sum((b.categories[i].total for b in blocks.values()), ZERO))
        for i, (value, label) in enumerate(category_labels)
    ]
    per_partner = {pk: b.total for pk, b in blocks.items()}
    pending_amount = None
    if pending is not None and pending[0] in per_partner:
        pending_amount = pending[1]
        per_partner[pending[0]] += pending_amount
    total = sum(per_partner.values(), ZERO)

    budget = rules.Budget(
        total_cost=total,
        requested=financing.requested_support or ZERO,
        own_contribution=financing.own_contribution,
        income=financing.project_income,
        other_financing=financing.other_financing,
        cap=call.max_support_per_project,
        rate=call.max_support_rate,
    )
    checks: list[rules.Check] = []
    if financing.requested_support is None:
        checks.append(
            rules.Check(
                "R-BUDGET",
                False,
                _("Fill in the requested support."),
                anchor="id_requested_support",
            )
        )
    checks += rules.budget_checks(budget)
    years = max_project_year(application.duration_months)
    if application.duration_months:
        for line in lines:
            if line.year > years:
                checks.append(
                    rules.Check(
                        "R-BUDGET",
                        False,
                        _("A cost line of %(p)s is in year %(y)s, after the project's %(n)s years.")
                        % {"p": line.partner.organisation.name, "y": line.year, "n": years},
                    )
                )
    warnings = rules.role_budget_warnings(
        [
            (b.partner.organisation.name, b.partner.role, per_partner[pk])
            for pk, b in blocks.items()
        ],
        call.follower_budget_cap,
    )
    return BudgetOverview(
        partners=list(blocks.values()),
        category_totals=category_totals,
        total_cost=total,
        financing=financing,
        financing_total=budget.financing,
        max_support=budget.max_support,
        rate_amount=rules.floor_cent(budget.rate * total),
        net=total - budget.income,
        checks=checks,
        warnings=warnings,
        cap=budget.cap,
        rate_percent=f"{(budget.rate * 100).normalize():f}%",
        pending=pending_amount,
    )


def partner_refs(application) -> list[PartnerRef]:
    return [PartnerRef(p.pk, p.organisation.name) for p in application.partners.all()]


def line_data(application) -> list[LineData]:
    return [
        LineData(line.partner_id, line.category, line.year, line.description, line.amount)
        for line in application.cost_lines.all()
    ]


# --- writes ------------------------------------------------------------------------------------


def _check_line(locked, partner, category: str, year: int, amount: Decimal) -> None:
    if partner.application_id != locked.pk:
        raise ApplicationError(_("This partner is not part of the application."))
    if category not in CostCategory.values:
        raise ApplicationError(_("Choose a cost category."))
    if not 1 <= year <= MAX_YEAR:
        raise ApplicationError(
            _("A cost line lies in project year 1 to %(max)s.") % {"max": MAX_YEAR}
        )
    if amount < 0:
        raise ApplicationError(_("The amount cannot be negative."))


def _describe(line: CostLine) -> str:
    return f"partner {line.partner_id}, {line.category}, year {line.year}, {line.amount}"


def _reason(text: str) -> str:
    """simple_history keeps at most 100 characters of a change reason."""
    return text if len(text) <= 100 else text[:99] + "…"


@transaction.atomic
def add_line(
    application,
    *,
    partner,
    category: str,
    year: int,
    description: str,
    amount: Decimal,
    version: int | None = None,
) -> CostLine:
    """A partner's cost in a category and project year. Adding overwrites nobody's work, so the
    views pass no version; a version given is still checked."""
    locked = _lock(application, ApplicationSection.BUDGET)
    _check_line(locked, partner, category, year, amount)
    line = CostLine(
        application=locked,
        partner=partner,
        category=category,
        year=year,
        description=description.strip(),
        amount=amount,
    )
    line._change_reason = _reason(f"budget: line added ({_describe(line)})")
    line.save()
    _touch(locked, SECTION, version, line._change_reason)
    return line


@transaction.atomic
def update_line(line: CostLine, *, values: dict, version: int | None = None) -> CostLine:
    """Change a line; `version` is the budget section's version the edit form was loaded at."""
    locked = _lock(line.application, ApplicationSection.BUDGET)
    line = CostLine.objects.select_for_update().select_related("partner").get(pk=line.pk)
    if line.application_id != locked.pk:
        raise ApplicationError(_("This cost line is not part of the application."))
    for name in ("partner", "category", "year", "description", "amount"):
        if name in values:
            setattr(line, name, values[name])
    line.description = line.description.strip()
    _check_line(locked, line.partner, line.category, line.year, line.amount)
    line._change_reason = _reason(f"budget: line {line.pk} changed ({_describe(line)})")
    line.save()
    _touch(locked, SECTION, version, line._change_reason)
    return line


@transaction.atomic
def delete_line(line: CostLine, *, version: int | None = None) -> None:
    locked = _lock(line.application, ApplicationSection.BUDGET)
    line = CostLine.objects.select_for_update().filter(pk=line.pk, application=locked).first()
    if line is None:  # removed by a colleague in the meantime: nothing left to do
        return
    line._change_reason = _reason(f"budget: line {line.pk} removed ({_describe(line)})")
    line.delete()
    _touch(locked, SECTION, version, line._change_reason)


@dataclass(frozen=True)
class Replaced:
    added: int
    removed: int
    kept: int


@transaction.atomic
def replace_budget(
    application,
    *,
    lines: list[LineData],
    financing: Financing,
    user=None,
    source: str = "kostenmodel.xlsx",
    version: int | None = None,
) -> Replaced:
    """Make the cost model exactly `lines` and `financing` (an uploaded workbook), all or nothing.

    Lines that are the same before and after (partner, category, year, description, amount)
    are kept, so the history records only what the workbook really changed; everything is
    written in one transaction with the application locked.
    """
    locked = _lock(application, ApplicationSection.BUDGET)
    partners = {p.pk: p for p in locked.partners.all()}
    for data in lines:
        if data.partner_id not in partners:
            raise ApplicationError(
                _("The partners of the application changed while you uploaded. Upload again.")
            )
        if data.category not in CostCategory.values or not 1 <= data.year <= MAX_YEAR:
            raise ApplicationError(_("The workbook has a line the cost model cannot hold."))
        if data.amount < 0:
            raise ApplicationError(_("The amount cannot be negative."))
    reason = _reason(f"budget: replaced from {source}")
    existing = list(CostLine.objects.select_for_update().filter(application=locked))
    unmatched: dict[tuple, list[CostLine]] = {}
    for line in existing:
        key = (line.partner_id, line.category, line.year, line.description, line.amount)
        unmatched.setdefault(key, []).append(line)
    to_add: list[CostLine] = []
    kept = 0
    for data in lines:
        same = unmatched.get(data.key)
        if same:
            same.pop()
            kept += 1
            continue
        to_add.append(
            CostLine(
                application=locked,
                partner=partners[data.partner_id],
                category=data.category,
                year=data.year,
                description=data.description,
                amount=data.amount,
            )
        )
    removed = [line for group in unmatched.values() for line in group]
    for line in removed:
        line._change_reason = reason
        if user is not None:
            line._history_user = user
        line.delete()
    if to_add:
        bulk_create_with_history(
            to_add, CostLine, batch_size=500, default_user=user, default_change_reason=reason
        )
    for name in FINANCING_FIELDS:
        setattr(locked, name, getattr(financing, name))
    _touch(locked, SECTION, version, reason)
    return Replaced(added=len(to_add), removed=len(removed), kept=kept)
