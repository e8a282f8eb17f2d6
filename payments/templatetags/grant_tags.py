"""Template tags of the grant area.

{% load grant_tags %}
{% grant_applicant_panel user %}   the projects (grants) of the user's organisations, lead
                                   or partner, with a link to each project page; renders
                                   nothing when there are none. `heading_level=3` (default)
{{ value|kpi_number }}             a KPI value the Belgian way: `7,5`, `1.234`, `–` for none
"""

from decimal import Decimal

from babel.numbers import format_decimal
from django import template

from cot_portal.core.templatetags.portal import heading_level as _heading

register = template.Library()


@register.filter
def kpi_number(value):
    if value is None or value == "":
        return "–"
    return format_decimal(Decimal(value), format="#,##0.##", locale="nl_BE")


@register.inclusion_tag("payments/grant/_applicant_panel.html")
def grant_applicant_panel(user, heading_level=3):
    """`{% grant_applicant_panel user %}`: "My projects" — the user's own grants (two queries)."""
    from ..selectors_grant import own_grants

    if user is None or not user.is_authenticated:
        return {"grants": []}
    return {"grants": list(own_grants(user)), "h": _heading(heading_level, default=3)}
