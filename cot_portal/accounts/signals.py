"""Staff sessions are shorter than applicants' sessions (SECURITY.md)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def shorten_staff_sessions(sender, request, user, **kwargs):
    if user.staff_roles or user.is_staff:
        request.session.set_expiry(settings.COT_STAFF_SESSION_AGE)
