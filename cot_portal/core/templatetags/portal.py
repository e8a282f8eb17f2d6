from django import template

from cot_portal import formatting

register = template.Library()

register.filter("euro", formatting.euro)
register.filter("short_date", formatting.short_date)
register.filter("short_datetime", formatting.short_datetime)


@register.filter
def get_item(mapping, key):
    """`{{ budgets|get_item:partner.pk }}`: a dictionary lookup with a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def euro_text(value):
    """An amount stored as text in a snapshot ("1234.50") shown as `€ 1.234,50`."""
    from decimal import Decimal, InvalidOperation

    try:
        return formatting.euro(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""


def heading_level(level, default: int = 2) -> int:
    """The heading level a panel tag was given (`heading_level=3`), kept within h2–h5."""
    try:
        return min(max(int(level), 2), 5)
    except (TypeError, ValueError):
        return default
