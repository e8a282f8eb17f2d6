from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cot_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import permissions, signals  # noqa: F401
        from .groups import ensure_staff_groups

        post_migrate.connect(ensure_staff_groups, dispatch_uid="ensure_staff_groups")
