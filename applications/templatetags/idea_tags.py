"""Dashboard panels of the idea phase."""

from django import template

from .. import selectors_ideas as selectors
from ..models import Call
from ..services.ideas import organisations_for_idea_creation

register = template.Library()


@register.inclusion_tag("applications/ideas/_applicant_panel.html")
def idea_applicant_panel(user):
    calls = [call for call in Call.objects.order_by("-year") if call.idea_phase_open]
    can_create = organisations_for_idea_creation(user).exists()
    return {
        "ideas": list(selectors.ideas_for_user(user)[:10]),
        "open_calls": calls if can_create else [],
    }


@register.inclusion_tag("applications/ideas/_manager_panel.html")
def idea_manager_panel():
    calls = list(Call.objects.order_by("-year")[:3])
    return {"rows": [(call, selectors.status_counts(call)) for call in calls]}


@register.inclusion_tag("applications/application/_applicant_panel.html")
def application_applicant_panel(user):
    from ..selectors_applications import applications_for_user

    return {"applications": list(applications_for_user(user)[:10])}
