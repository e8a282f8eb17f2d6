"""Dashboard panels of the co-creation track (R-COCREATE).

    {% load cocreation_tags %}
    {% cocreation_applicant_panel user %}      upcoming sessions of open calls, with links to
                                               register, and the organisation's attendance
    {% cocreation_manager_panel %}             per call: its sessions and the local governments
                                               that attended none, with the count

Both accept `heading_level=3` (default 2) to fit the page's outline. Each panel runs a fixed
number of queries, whatever the number of sessions.
"""

from django import template
from django.utils import timezone

from cot_portal.core.templatetags.portal import heading_level as _heading

from .. import selectors_cocreation as selectors
from ..models import Call

register = template.Library()

MANAGE = "applications.manage_sessions"
REGISTER = "applications.register_for_session"


@register.inclusion_tag("applications/cocreation/applicant_panel.html")
def cocreation_applicant_panel(user, heading_level=2):
    """Sessions still to come of the open calls, and what the user's organisation attended."""
    if user is None or not user.is_authenticated:
        return {"show": False}
    attendances = selectors.organisation_attendances(user)
    return {
        "show": True,
        "sessions": selectors.upcoming_sessions(user),
        "can_register": user.has_perm(REGISTER),
        "attended": selectors.attended_sessions_by_organisation(attendances),
        "open_calls": list(
            Call.objects.filter(application_deadline__gt=timezone.now()).order_by("-year")
        ),
        "h": _heading(heading_level),
        "h_sub": _heading(heading_level) + 1,
    }


@register.inclusion_tag("applications/cocreation/manager_panel.html", takes_context=True)
def cocreation_manager_panel(context, heading_level=2):
    """For call managers only (renders nothing for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.has_perm(MANAGE):
        return {"show": False}
    return {
        "show": True,
        "summaries": selectors.call_summaries(),
        "h": _heading(heading_level),
    }
