"""The back office's admin site: with COT_REQUIRE_2FA on, staff with a confirmed second factor only.

The setting is read on every request, not once when the URLconf is imported, so a process
never keeps the choice of whichever code imported the URLconf first.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class SecondFactorAdminSite(OTPAdminSite):
    """django-otp's admin site when the second factor is required, Django's own otherwise
    (a DEBUG run with COT_REQUIRE_2FA=0)."""

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.COT_REQUIRE_2FA else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.COT_REQUIRE_2FA else None

    def has_permission(self, request):
        if settings.COT_REQUIRE_2FA:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
