"""Reads for the dashboards."""

from cot_portal.letters.models import Letter

from .models import TaskHeartbeat


def letters_for_user(user, limit: int = 20):
    return (
        Letter.objects.filter(organisation__memberships__user=user)
        .select_related("organisation")
        .order_by("-created_at")[:limit]
    )


def heartbeats():
    return TaskHeartbeat.objects.order_by("name")
