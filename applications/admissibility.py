"""The admissibility criteria of SPEC.md §5 (R-ADM), computed from a submitted application.

Reads only what it is given (the prefetched application, the first receipt time, whether the
lead attended co-creation) and combines the pure rules of rules.py, so each result carries the
figures it rests on.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES, PARTNER_TYPES
from cot_portal.formatting import short_datetime

from . import rules
from .completeness import budget_of, section_states
from .models import AdmissibilityCriterion as C
from .models import ApplicationSection


@dataclass(frozen=True)
class Result:
    criterion: str
    ok: bool
    figures: str


def compute(application, *, first_received_at, lead_attended: bool) -> list[Result]:
    call = application.call
    deadline = call.application_deadline
    results = []

    on_time = rules.received_in_time(first_received_at, deadline)
    results.append(
        Result(
            C.ON_TIME,
            on_time,
            _("Received %(received)s; deadline %(deadline)s.")
            % {"received": short_datetime(first_received_at), "deadline": short_datetime(deadline)},
        )
    )

    submission_day = timezone.localdate(first_received_at)
    states = section_states(application, submission_day)
    incomplete = [
        f"{ApplicationSection(s).label}: {check.message}"
        for s, state in states.items()
        if s not in (ApplicationSection.PLANNING, ApplicationSection.BUDGET)
        for check in state.issues
    ]
    results.append(
        Result(
            C.COMPLETE,
            not incomplete,
            _("Every section is complete.") if not incomplete else " ".join(incomplete),
        )
    )

    problems = []
    if application.organisation.type not in LOCAL_GOVERNMENT_TYPES:
        problems.append(
            _("Lead applicant %(name)s is not a city, municipality or the VGC.")
            % {"name": application.organisation.name}
        )
    for partner in application.partners.all():
        if partner.organisation.type not in PARTNER_TYPES:
            problems.append(
                _("%(name)s is not an allowed partner type.") % {"name": partner.organisation.name}
            )
    results.append(
        Result(
            C.TYPES,
            not problems,
            " ".join(problems)
            or ngettext(
                "Lead applicant %(name)s and its %(n)s partner are of the allowed types.",
                "Lead applicant %(name)s and its %(n)s partners are of the allowed types.",
                len(application.partners.all()) - 1,
            )
            % {"name": application.organisation.name, "n": len(application.partners.all()) - 1},
        )
    )

    duration = rules.duration_check(
        application.start_date, application.end_date, call.max_duration_months
    )
    results.append(Result(C.DURATION, duration.ok, duration.message))

    decision = call.decision_date or call.decision_date_estimated
    start = rules.start_date_check(
        application.start_date, submission_day, decision, call.start_window_months
    )
    estimated = "" if call.decision_date else " " + _("(the decision date is still an estimate)")
    results.append(Result(C.START, start.ok, start.message + estimated))

    checks = [c for c in rules.budget_checks(budget_of(application)) if not c.warning]
    failed = [c.message for c in checks if not c.ok]
    if application.requested_support is None:
        failed.insert(0, _("The requested support is not filled in."))
    results.append(
        Result(
            C.BALANCED,
            not failed,
            " ".join(failed) or next(c.message for c in checks if c.rule == "R-BAL"),
        )
    )

    attendance = (
        _("%(name)s attended at least one co-creation session.")
        if lead_attended
        else _("No co-creation attendance is recorded for %(name)s.")
    )
    results.append(
        Result(C.COCREATION, lead_attended, attendance % {"name": application.organisation.name})
    )
    return results
