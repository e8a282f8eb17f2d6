"""Template tags of the jury: dashboard panels and points in the user's notation."""

from decimal import Decimal

from django import template

from cot_portal.accounts.permissions import is_call_manager, is_jury_member

from .. import rules, selectors

register = template.Library()


@register.filter
def points(value):
    """`12,5` / `20` in Dutch, `12.5` in English; an en dash when there are no points."""
    if value is None or value == "":
        return "–"
    return rules.format_points(Decimal(value))


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template (for per-criterion dictionaries)."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.inclusion_tag("scoring/includes/jury_panel.html")
def jury_panel(user):
    """`{% jury_panel user %}`: per call, the ideas a jury member still has to declare or score."""
    rows = selectors.jury_panel(user) if is_jury_member(user) else []
    return {"rows": rows, "show": is_jury_member(user)}


@register.inclusion_tag("scoring/includes/shortlist_manager_panel.html", takes_context=True)
def shortlist_manager_panel(context):
    """`{% shortlist_manager_panel %}`: per call, submitted / scored / decided / published."""
    user = context.get("user")
    show = user is not None and is_call_manager(user)
    return {"calls": selectors.manager_panel() if show else [], "show": show}
