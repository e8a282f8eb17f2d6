from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "cot_portal.letters"
    label = "letters"
    verbose_name = _("Letters")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the object permissions)
