from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cot_portal.accounts.admin_site import SecondFactorAdminSite

# The admin is reachable only by staff who confirmed their second factor (COT_REQUIRE_2FA).
admin.site.__class__ = SecondFactorAdminSite
admin.site.site_header = _("City of Things – back office")
admin.site.site_title = _("City of Things")
admin.site.index_title = _("Back office of the call")

urlpatterns = [
    path("beheer/", admin.site.urls),
    path("account/", include("cot_portal.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cot_portal.core.urls")),
    path("", include("scoring.urls_applicant")),
    path("", include("applications.urls")),
    path("jury/", include("scoring.urls")),
    path("", include("payments.urls")),
    path("register/", include("payments.register_urls")),
]
