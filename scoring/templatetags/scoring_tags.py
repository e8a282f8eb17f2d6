"""Template tags of the jury: dashboard panels and points in the portal's notation.

    {% load scoring_tags %}
    {% jury_panel user %}               per call whose shortlist is not published: the ideas a
                                        jury member still has to declare and to score, with a link
    {% shortlist_manager_panel %}       call managers only: per call, submitted / scored / decided
                                        ideas, published or not, with a link to the shortlist
    {% application_jury_panel user %}   the calls whose jury this person sits on: assigned and
                                        submitted application sheets
    {% application_manager_panel %}     call managers only: per call, ranked applications, sheets,
                                        advice and decision, with links to the jury and ranking

All accept `heading_level=3` (default 2) to fit the page's outline, render nothing for people
without the role, and run a fixed number of queries whatever the number of ideas or applications.
"""

from decimal import Decimal

from django import template

from cot_portal.accounts.permissions import is_call_manager, is_jury_member
from cot_portal.core.templatetags.portal import heading_level as _heading

from .. import rules, selectors, selectors_ranking

register = template.Library()


@register.filter
def points(value):
    """`12,5` / `20` (Belgian format); an en dash when there are no points."""
    if value is None or value == "":
        return "–"
    return rules.format_points(Decimal(value))


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template (for per-criterion dictionaries)."""
    if mapping is None:
        return None
    return mapping.get(key)


def _is_call_manager(context) -> bool:
    """Whether the page's user (the request's, else the context's `user`) is a call manager."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user is not None and is_call_manager(user)


@register.inclusion_tag("scoring/includes/jury_panel.html")
def jury_panel(user, heading_level=2):
    """`{% jury_panel user %}`: per call, the ideas a jury member still has to declare or score."""
    if user is None or not is_jury_member(user):
        return {"show": False}
    return {"show": True, "rows": selectors.jury_panel(user), "h": _heading(heading_level)}


@register.inclusion_tag("scoring/includes/shortlist_manager_panel.html", takes_context=True)
def shortlist_manager_panel(context, heading_level=2):
    """`{% shortlist_manager_panel %}`: per call, submitted / scored / decided / published."""
    if not _is_call_manager(context):
        return {"show": False}
    return {"show": True, "calls": selectors.manager_panel(), "h": _heading(heading_level)}


@register.inclusion_tag("scoring/includes/application_manager_panel.html", takes_context=True)
def application_manager_panel(context, heading_level=2):
    """`{% application_manager_panel %}`: per call, the jury's work on full applications."""
    if not _is_call_manager(context):
        return {"show": False}
    return {
        "show": True,
        "calls": selectors_ranking.manager_application_panel(),
        "h": _heading(heading_level),
    }


@register.inclusion_tag("scoring/includes/application_jury_panel.html")
def application_jury_panel(user, heading_level=2):
    """`{% application_jury_panel user %}`: the calls whose jury this person sits on."""
    rows = selectors_ranking.juror_application_panel(user) if user is not None else []
    return {"show": bool(rows), "rows": rows, "h": _heading(heading_level)}
