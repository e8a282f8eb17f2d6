"""The staff roles as Django groups, with the model permissions the admin needs.

Object-level decisions are made by `rules` predicates; these model permissions only open the
admin pages a role works in. Run after every migrate (post_migrate), so it is always current.
"""

from django.contrib.auth.models import Group, Permission

from .models import StaffRole

ADMIN_PERMISSIONS = {
    StaffRole.CALL_MANAGER: [
        ("applications", "call", ("add", "change", "view")),
        ("accounts", "organisation", ("add", "change", "view")),
        ("accounts", "membership", ("add", "change", "view", "delete")),
        ("letters", "letter", ("view",)),
    ],
    StaffRole.FINANCE_OFFICER: [
        ("accounts", "organisation", ("view",)),
        ("letters", "letter", ("view",)),
    ],
    StaffRole.JURY_MEMBER: [],
}


def ensure_staff_groups(**kwargs) -> None:
    for role, grants in ADMIN_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for app_label, model, actions in grants:
            codenames = [f"{action}_{model}" for action in actions]
            wanted += list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
        group.permissions.set(wanted)
