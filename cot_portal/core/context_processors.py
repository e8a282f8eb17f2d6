from django.conf import settings

from cot_portal.accounts.permissions import member_organisation_ids as user_organisation_ids


def portal(request):
    user = getattr(request, "user", None)
    roles = user.staff_roles if user is not None and user.is_authenticated else []
    has_organisation = bool(
        user is not None and user.is_authenticated and user_organisation_ids(user)
    )
    return {
        "staff_roles": roles,
        "portal_debug": settings.DEBUG,
        "has_organisation": has_organisation,
    }
