from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    roles = user.staff_roles if user is not None and user.is_authenticated else []
    return {"staff_roles": roles, "portal_debug": settings.DEBUG}
