"""Forms of the costs area: a cost line (R-COSTS, R-ELIG), finance's check, a change request
and its decision (R-CHANGE).

The rule checks run in the services as well (they lock and re-check); a form shows what the
person typed back with the message beside the field.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import CostCategory, PartnerRole
from cot_portal.accounts.models import PARTNER_TYPES, Organisation
from cot_portal.formatting import short_date
from cot_portal.forms import EuroField

from .models import ChangeKind

DATE_MESSAGES = {
    "invalid": _("Enter a date as dd/mm/yyyy, e.g. 14/11/2025."),
    "required": _("Give the date, as dd/mm/yyyy."),
}


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/jjjj", "autocomplete": "off"}),
        error_messages=DATE_MESSAGES,
    )


class CostLineForm(forms.Form):
    """R-COSTS: one incurred cost of one partner, with its evidence."""

    partner = forms.TypedChoiceField(
        label=_("Partner"),
        coerce=int,
        error_messages={"required": _("Choose the partner that incurred the cost.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *CostCategory.choices],
        error_messages={"required": _("Choose a cost category.")},
    )
    date = date_field(
        _("Date of the cost"),
        help_text=_("The invoice or payslip date, inside the project period (R-ELIG)."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        help_text=_("For example the invoice number and the supplier."),
        error_messages={"required": _("Describe the cost, e.g. the invoice number and supplier.")},
    )
    amount = EuroField(
        label=_("Amount"),
        min_value=0.01,
        help_text=_("In euros, e.g. 12.500,00."),
        error_messages={
            "required": _("Give the amount, e.g. 12.500,00."),
            "min_value": _("The amount must be more than € 0,00."),
        },
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_("The invoice or payslip summary: PDF, Word, OpenDocument, Excel, PNG or JPEG."),
        error_messages={"required": _("Upload the evidence of the cost.")},
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_objects = {p.pk: p for p in partners}
        self.fields["partner"].choices = [("", "—")] + [(p.pk, partner_label(p)) for p in partners]

    def clean_partner(self):
        return self.partner_objects[self.cleaned_data["partner"]]


def partner_label(partner) -> str:
    if getattr(partner, "left_on", None) is None:
        return partner.organisation.name
    return gettext("%(name)s (left the project on %(day)s)") % {
        "name": partner.organisation.name,
        "day": short_date(partner.left_on),
    }


class LineCheckForm(forms.Form):
    """R-COSTS: finance accepts a line, or rejects it with a reason (one form per line, its
    prefix names the line)."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the rejection: the applicant sees it."))
        return data


class AcceptPendingForm(forms.Form):
    """R-COSTS: finance accepts every line it sees waiting, after confirming."""

    lines = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_("I checked the evidence of every line waiting for the check: accept them all."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def clean_lines(self):
        raw = self.cleaned_data.get("lines") or ""
        return [int(p) for p in raw.split(",") if p.strip().isdigit()]

    def clean(self):
        data = super().clean()
        if self.has_error("lines"):  # a hidden field: its own error would not show
            del self.errors["lines"]
            self.add_error(
                None,
                _(
                    "The list of waiting lines on this page is damaged. Reload the page and try again."
                ),
            )
        return data


class ChangeRequestForm(forms.Form):
    """R-CHANGE: the change the lead applicant asks for; only the fields of its kind count."""

    kind = forms.ChoiceField(
        label=_("Kind of change"),
        choices=[("", "—"), *ChangeKind.choices],
        error_messages={"required": _("Choose the kind of change.")},
    )
    description = forms.CharField(
        label=_("What changes and why"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what changes and why.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation that joins"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only for a partner that joins."),
    )
    role = forms.ChoiceField(
        label=_("Role of the new partner"),
        required=False,
        choices=[("", "—")]
        + [(v, label) for v, label in PartnerRole.choices if v != PartnerRole.COORDINATOR],
        help_text=_("Only for a partner that joins."),
    )
    partner = forms.TypedChoiceField(
        label=_("Partner that leaves"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only for a partner that leaves."),
    )
    approved_total_cost = EuroField(
        label=_("New approved total cost"),
        required=False,
        help_text=_("Only for a budget shift, and only when the total changes, e.g. 950.000,00."),
    )
    end_date = date_field(
        _("New end date"),
        required=False,
        help_text=_("Only for a later end date."),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        current = [p for p in partners if p.left_on is None]
        self.partner_objects = {p.pk: p for p in current if p.role != PartnerRole.COORDINATOR}
        self.fields["partner"].choices = [("", "—")] + [
            (pk, p.organisation.name) for pk, p in self.partner_objects.items()
        ]
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(type__in=PARTNER_TYPES)
            .exclude(pk__in=[p.organisation_id for p in current])
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ChangeKind.PARTNER_JOINS:
            if not data.get("organisation") and "organisation" not in self.errors:
                self.add_error("organisation", _("Choose the organisation that joins."))
            if not data.get("role"):
                self.add_error("role", _("Choose the role of the new partner."))
        elif kind == ChangeKind.PARTNER_LEAVES:
            if data.get("partner") is None and "partner" not in self.errors:
                self.add_error("partner", _("Choose the partner that leaves."))
        elif kind == ChangeKind.LATER_END:
            if data.get("end_date") is None and "end_date" not in self.errors:
                self.add_error("end_date", _("Give the new end date."))
        return data

    def clean_partner(self):
        pk = self.cleaned_data.get("partner")
        return None if pk is None else self.partner_objects.get(pk)


class ChangeDecisionForm(forms.Form):
    """R-CHANGE: the call manager approves or refuses, always with a motivation (one form per
    change, its prefix names the change)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to approve or to refuse.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the motivation of the decision: the applicant sees it.")
        },
    )
