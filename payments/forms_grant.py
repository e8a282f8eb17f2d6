"""The forms of the project page: actual start, agreement, reports, and the call manager's check
(issue 8; R-START, R-COOP, R-TR2, R-TR3, R-KPI).

The rule checks run in the services (`services_tranches`); a refusal comes back beside its field
and what the person typed stays in the form.
"""

from decimal import Decimal

from babel.numbers import format_decimal
from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.forms import BelgianDecimalField

from .models import ReportKind

DATE_HELP = _("As dd/mm/yyyy, e.g. 14/11/2025.")


def _format_number(value: Decimal) -> str:
    """`12`, `7,5`, `1.234,25`: a KPI's baseline or target the Belgian way."""
    return format_decimal(value, format="#,##0.##", locale="nl_BE")


class StartForm(forms.Form):
    """R-START: the day the project actually started (or starts)."""

    day = forms.DateField(
        label=_("Actual start date"),
        help_text=DATE_HELP,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/jjjj", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter a date as dd/mm/yyyy, e.g. 01/03/2026."),
            "required": _("Give the actual start date of the project."),
        },
    )


class AgreementForm(forms.Form):
    """R-COOP: the signed cooperation agreement (PDF, Word, OpenDocument)."""

    file = forms.FileField(
        label=_("Signed cooperation agreement"),
        help_text=_("PDF, Word (.docx) or OpenDocument (.odt), at most 20 MB."),
        error_messages={"required": _("Choose the file of the signed agreement.")},
    )


class ReportForm(forms.Form):
    """R-TR2 / R-TR3 / R-KPI: an interim or final report with a value per KPI.

    The final report needs every KPI value and the end results (award report, framework
    agreement, playbook for other municipalities).
    """

    summary = forms.CharField(
        label=_("Summary of the progress"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Summarise the progress of the project.")},
    )
    file = forms.FileField(
        label=_("Report"),
        help_text=_("PDF, Word (.docx) or OpenDocument (.odt), at most 20 MB."),
        error_messages={"required": _("Upload the report.")},
    )

    def __init__(self, *args, kind: str, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.kpis = list(kpis)
        final = kind == ReportKind.FINAL
        if final:
            self.fields["file"].label = _("Final content and financial report")
            self.fields["award_report"] = forms.FileField(
                label=_("Award report"),
                error_messages={"required": _("Upload the award report.")},
            )
            self.fields["framework_agreement"] = forms.FileField(
                label=_("Framework agreement"),
                error_messages={"required": _("Upload the framework agreement.")},
            )
            self.fields["playbook"] = forms.FileField(
                label=_("Playbook for other municipalities"),
                error_messages={"required": _("Upload the playbook for other municipalities.")},
            )
        else:
            self.fields["file"].label = _("Interim content report")
        for kpi in self.kpis:
            self.fields[f"kpi_{kpi.pk}"] = BelgianDecimalField(
                label=_("%(kpi)s (in %(unit)s)") % {"kpi": kpi.name, "unit": kpi.unit},
                required=final,
                help_text=_("Baseline %(baseline)s, target %(target)s.")
                % {"baseline": _format_number(kpi.baseline), "target": _format_number(kpi.target)},
                error_messages={
                    "required": _("The final report needs the value of this KPI (R-KPI).")
                },
            )

    @property
    def kpi_fields(self):
        return [self[f"kpi_{kpi.pk}"] for kpi in self.kpis]

    @property
    def end_result_fields(self):
        return [
            self[name]
            for name in ("award_report", "framework_agreement", "playbook")
            if name in self.fields
        ]

    def kpi_values(self) -> dict[str, Decimal]:
        return {
            str(kpi.pk): self.cleaned_data[f"kpi_{kpi.pk}"]
            for kpi in self.kpis
            if self.cleaned_data.get(f"kpi_{kpi.pk}") is not None
        }


class CheckForm(forms.Form):
    """The call manager accepts or refuses an agreement or report; a refusal needs a note."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose accept or refuse.")},
    )
    note = forms.CharField(
        label=_("Note for the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you refuse: what must be corrected."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Explain why you refuse: the applicant reads your note."))
        return data

    @property
    def accepted(self) -> bool:
        return self.cleaned_data.get("decision") == "accept"
