"""Records that are never edited or deleted once stored: the model-layer guard.

A submitted snapshot, a letter, a payment, the Government's decision and its outcomes, and the
advice once decided are the portal's proof of what happened. Services write them through a few
known steps (a PDF rendered after the commit, a letter attached, a payment approved); every
other change is refused here, whatever view, admin or shell line asks for it. `LedgerEntry`
goes further (payments/migrations/0002: PostgreSQL refuses UPDATE and DELETE on the table).

A model lists its fields in three kinds:

- `record_frozen_fields`: fixed when the row is created;
- `record_fill_once_fields`: empty when created, filled once (a rendered PDF, the letter that
  carried the outcome), then fixed;
- `record_final_fields`: free while the record is still open, fixed once `record_is_final` says
  so on the stored row (a payment released or rejected, an advice the Government decided on).

`delete()` always raises. A QuerySet's `update()` and `delete()` do not pass through here:
services never use them on these models, and the admin and the views cannot reach them.
"""

from django.db import models
from django.db.models.fields.files import FieldFile


class RecordChangeRefused(ValueError):
    """A stored record was asked to change or to disappear."""


def _stored_value(instance, field: models.Field):
    value = getattr(instance, field.attname)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _is_empty(value) -> bool:
    return value in (None, "", [], {})


class GuardedRecord:
    """Mixin for a models.Model whose stored rows only change along the steps above."""

    record_frozen_fields: tuple[str, ...] = ()
    record_fill_once_fields: tuple[str, ...] = ()
    record_final_fields: tuple[str, ...] = ()

    def record_is_final(self) -> bool:
        """On the stored row: is the record closed (its `record_final_fields` fixed)?"""
        return False

    def record_changes(self, update_fields=None) -> list[str]:
        """The names of the fields this save would change against the rules (empty: allowed)."""
        if self._state.adding or self.pk is None:
            return []
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        if stored is None:
            return []
        fixed = list(self.record_frozen_fields)
        if stored.record_is_final():
            fixed += self.record_final_fields
        wanted = None if update_fields is None else set(update_fields)
        refused = []
        for name in (*fixed, *self.record_fill_once_fields):
            if wanted is not None and name not in wanted:
                continue
            field = self._meta.get_field(name)
            before, after = _stored_value(stored, field), _stored_value(self, field)
            if before == after:
                continue
            if name in self.record_fill_once_fields and name not in fixed and _is_empty(before):
                continue
            refused.append(name)
        return refused

    def save(self, *args, **kwargs):
        refused = self.record_changes(kwargs.get("update_fields"))
        if refused:
            raise RecordChangeRefused(
                f"{self._meta.label} is a stored record: {', '.join(refused)} cannot change."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordChangeRefused(f"{self._meta.label} is a stored record: it cannot be deleted.")
