"""Test data for the jury's work on ideas, built through the scoring services where it matters."""

from decimal import Decimal

from django.utils import timezone

from applications.models import IdeaStatus
from cot_portal.accounts.models import StaffRole
from scoring import services
from scoring.services import CriterionInput
from tests.factories import IdeaFactory, UserFactory

FULL_2025 = [
    Decimal("15"),
    Decimal("12.5"),
    Decimal("14"),
    Decimal("10"),
    Decimal("7.5"),
    Decimal("6"),
]


def juror(**kwargs):
    return UserFactory(roles=[StaffRole.JURY_MEMBER], **kwargs)


def call_manager(**kwargs):
    return UserFactory(roles=[StaffRole.CALL_MANAGER], **kwargs)


def submitted_idea(**kwargs):
    """An idea that was submitted before the deadline (status `submitted`)."""
    kwargs.setdefault("status", IdeaStatus.SUBMITTED)
    kwargs.setdefault("submitted_at", timezone.now())
    return IdeaFactory(**kwargs)


def declare(idea, user, conflict: bool = False, reason: str = ""):
    return services.declare_idea_conflict(
        idea=idea,
        juror=user,
        has_conflict=conflict,
        reason=reason or ("Werkt er" if conflict else ""),
    )


def scores(points=None, feedback: str = "Sterk punt."):
    points = FULL_2025 if points is None else points
    return {
        n: CriterionInput(None if p is None else Decimal(p), f"{feedback} ({n})")
        for n, p in enumerate(points, start=1)
    }


def submitted_sheet(idea, user, points=None, feedback: str = "Sterk punt."):
    """A juror declares no conflict and submits a complete sheet."""
    declare(idea, user)
    return services.save_idea_sheet(
        idea=idea, juror=user, scores=scores(points, feedback), submit=True
    )


def decide(idea, manager, shortlisted: bool | None = True, points=None, **kwargs):
    """The call manager's consensus (the 2025 sample points by default) and decision."""
    consensus = scores(points, "Consensusfeedback")
    return services.save_idea_assessment(
        idea=idea, manager=manager, consensus=consensus, shortlisted=shortlisted, **kwargs
    )
