"""Labels for the codes kept in a submission snapshot (the JSON keeps codes; the PDF shows words)."""

from django import template

from ..models import (
    AttachmentKind,
    CostCategory,
    GroupKind,
    PartnerRole,
    ProcurementProcedure,
    Theme,
)

register = template.Library()

CHOICES = {
    "role": PartnerRole,
    "procedure": ProcurementProcedure,
    "category": CostCategory,
    "theme": Theme,
    "group": GroupKind,
    "attachment": AttachmentKind,
}


@register.filter
def choice_label(code, kind):
    """`{{ partner.role|choice_label:"role" }}` → "Coördinator"."""
    choices = CHOICES[kind]
    try:
        return choices(code).label
    except ValueError:
        return code
