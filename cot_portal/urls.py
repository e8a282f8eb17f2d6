from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

if settings.COT_REQUIRE_2FA:
    # The admin is reachable only by staff who confirmed their second factor.
    admin.site.__class__ = OTPAdminSite
admin.site.site_header = _("City of Things – back office")
admin.site.site_title = _("City of Things")
admin.site.index_title = _("Back office of the call")

urlpatterns = [
    path("beheer/", admin.site.urls),
    path("account/", include("cot_portal.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cot_portal.core.urls")),
    path("", include("applications.urls")),
    path("jury/", include("scoring.urls")),
]
