from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Grants and payments")

    def ready(self):
        from scoring.signals import decision_recorded

        from . import permissions  # noqa: F401  (registers the object permissions)
        from .services_grant import open_grants_on_decision

        decision_recorded.connect(open_grants_on_decision, dispatch_uid="payments.open_grants")
