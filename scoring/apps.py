from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Jury and decisions")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the object permissions)
