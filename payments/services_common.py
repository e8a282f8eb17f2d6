"""What the payments services do the same way: lock the grant first, check the permission, link
into the portal, and e-mail only once the change is committed."""

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction

from .models import Grant

SIGNATURE = "VLAIO – City of Things"


def lock_grant(grant) -> Grant:
    """Lock the grant's row (a Grant or its id) before any write of its area: the writes of one
    grant then run one after the other."""
    return (
        Grant.objects.select_for_update(of=("self",))
        .select_related("application", "call", "organisation")
        .get(pk=getattr(grant, "pk", grant))
    )


def require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def portal_link(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def mail_after_commit(subject: str, lines: list[str], recipients: list[str]) -> None:
    """Send the lines, signed, once the transaction commits (never for a rolled-back change)."""
    if not recipients:
        return
    body = "\n\n".join([*lines, SIGNATURE])
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
