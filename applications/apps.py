from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Calls, ideas and applications")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the object permissions)
