"""Template tags of the finance area.

{% load finance_tags %}
{% finance_panel heading_level=3 %}   finance officers only: requests to check (late ones
                                      counted), proposals waiting for a second approval,
                                      payments ready for the SEPA file, with a link to the
                                      finance page; a fixed number of queries
{{ payment.iban|iban }}               BE71 0961 2345 6769 (groups of four)
"""

from django import template

from cot_portal.accounts.permissions import is_finance_officer
from cot_portal.core.templatetags.portal import heading_level as _heading

from .. import selectors_finance

register = template.Library()


@register.filter
def iban(value):
    """An IBAN in groups of four for reading; shown as typed when it is not valid."""
    import schwifty

    try:
        return schwifty.IBAN(value or "").formatted
    except ValueError:
        return value or ""


@register.inclusion_tag("payments/finance/_panel.html", takes_context=True)
def finance_panel(context, heading_level=2):
    """`{% finance_panel %}`: what waits for this finance officer, with a link to the page."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not is_finance_officer(user):
        return {"show": False}
    return {
        "show": True,
        "panel": selectors_finance.finance_panel(user),
        "h": _heading(heading_level),
    }
