"""Reminders that go out once, however often the job that sends them runs."""

from ..models import ReminderSent


def claim(kind: str, key) -> bool:
    """Record that reminder `kind` for `key` goes out now; False if it already went out.

    Call inside the transaction that sends it: a failed send rolls the record back.
    """
    return ReminderSent.objects.get_or_create(kind=kind, object_key=str(key))[1]


def claim_due(prefix: str, key, due_days: list[int]) -> list[int]:
    """Of the reminders due ("N days before"), the ones not yet sent for `key`, now recorded."""
    return [days for days in due_days if claim(f"{prefix}-{days}d", key)]
