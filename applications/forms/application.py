"""Forms of the full application, one per section or list item. Everything optional in a
draft; the review page says what is still missing (completeness.py)."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.forms import EuroField, posted_valid_values

from ..models import (
    KPI,
    Application,
    ApplicationPartner,
    ApplicationSection,
    Attachment,
    GroupMember,
    PartnerRole,
    ProcurementItem,
    Theme,
    WorkPackage,
)
from ..rules import latest_end
from ..services.application import SECTION_FIELDS


class PortalForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def valid_values(self) -> dict:
        return posted_valid_values(self)


TEXTAREA = forms.Textarea(attrs={"rows": 5})


ZERO_WHEN_EMPTY = ("own_contribution", "project_income", "other_financing")


class SectionForm(PortalForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        start = data.get("start_date")
        if start is not None:
            try:  # a start so far ahead that its end (R-DUR) is past the calendar
                latest_end(start, self.instance.call.max_duration_months)
            except (OverflowError, ValueError):
                self.add_error("start_date", _("This start date is too far in the future."))
        for name in ZERO_WHEN_EMPTY:
            if name in self.fields and name in data and data[name] is None:
                data[name] = Decimal("0.00")  # an emptied amount means none, not unknown
        return data

    def __init__(self, *args, section: str, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.section_version(section)
        call = self.instance.call
        if "start_date" in self.fields:
            self.fields["start_date"].help_text = _(
                "Not before the submission date and at the latest %(m)s months after the decision (R-START)."
            ) % {"m": call.start_window_months}
        if "end_date" in self.fields:
            self.fields["end_date"].help_text = _(
                "The project lasts at most %(m)s months (R-DUR): the portal shows the last possible end date once the start date is saved."
            ) % {"m": call.max_duration_months}
            if self.instance.start_date:
                from ..rules import latest_end

                last = latest_end(self.instance.start_date, call.max_duration_months)
                self.fields["end_date"].help_text = _(
                    "The project lasts at most %(m)s months (R-DUR): with this start date it ends on %(last)s at the latest."
                ) % {"m": call.max_duration_months, "last": last.strftime("%d/%m/%Y")}
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 5


def section_form_class(section: str):
    fields = list(SECTION_FIELDS[ApplicationSection(section)])
    attrs = {"Meta": type("Meta", (), {"model": Application, "fields": fields})}
    if "themes" in fields:
        attrs["themes"] = forms.MultipleChoiceField(
            label=_("Themes"),
            choices=Theme.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("The smart-city dimensions the project contributes to (R-THEME)."),
        )
    if "start_date" in fields:
        attrs["start_date"] = forms.DateField(
            label=_("Planned start date"),
            required=False,
            widget=forms.DateInput(attrs={"placeholder": "dd/mm/jjjj", "autocomplete": "off"}),
            help_text=_(
                "Not before the submission date and at the latest 6 months after the decision (R-START)."
            ),
            error_messages={"invalid": _("Enter a date as dd/mm/yyyy, e.g. 01/03/2026.")},
        )
        attrs["end_date"] = forms.DateField(
            label=_("Planned end date"),
            required=False,
            widget=forms.DateInput(attrs={"placeholder": "dd/mm/jjjj", "autocomplete": "off"}),
            help_text=_(
                "The project lasts at most 36 months (R-DUR): a project that starts on 01/03/2026 ends by 28/02/2029."
            ),
            error_messages={"invalid": _("Enter a date as dd/mm/yyyy, e.g. 28/02/2029.")},
        )
    for name in ("requested_support", "own_contribution", "project_income", "other_financing"):
        if name in fields:
            attrs[name] = EuroField(
                label=Application._meta.get_field(name).verbose_name.capitalize(),
                required=False,
                min_value=0,
            )
    return type(f"{section.title()}Form", (SectionForm,), attrs)


class PartnerAddForm(PortalForm):
    class Meta:
        model = ApplicationPartner
        fields = ["organisation", "role", "contribution", "contact_name", "contact_email"]
        widgets = {"contribution": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].choices = [
            c for c in PartnerRole.choices if c[0] != PartnerRole.COORDINATOR
        ]


class PartnerEditForm(PortalForm):
    class Meta:
        model = ApplicationPartner
        fields = ["contribution", "contact_name", "contact_email"]
        widgets = {"contribution": forms.Textarea(attrs={"rows": 3})}


class WorkPackageForm(PortalForm):
    class Meta:
        model = WorkPackage
        fields = [
            "title",
            "objectives",
            "lead_partner",
            "start_month",
            "end_month",
            "deliverables",
            "knowledge_sharing",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "deliverables": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_partner"].queryset = application.partners.select_related("organisation")
        self.fields["lead_partner"].label_from_instance = lambda p: p.organisation.name
        self.fields["knowledge_sharing"].help_text = _(
            "Tick this for the mandatory knowledge-sharing and communication work package (R-WP-KS)."
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end < start:
            self.add_error("end_month", _("The end month cannot come before the start month."))
        return data


class ProcurementItemForm(PortalForm):
    estimated_value = EuroField(label=_("Estimated value excluding VAT"), min_value=0)

    class Meta:
        model = ProcurementItem
        fields = [
            "description",
            "estimated_value",
            "procedure",
            "motivation",
            "prior_knowledge",
            "prior_knowledge_measures",
            "framework_agreement",
            "conditional_parts",
        ]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 2}),
            "prior_knowledge_measures": forms.Textarea(attrs={"rows": 2}),
        }


class GroupMemberForm(PortalForm):
    class Meta:
        model = GroupMember
        fields = ["group", "name", "organisation_name", "role"]


class KPIForm(PortalForm):
    class Meta:
        model = KPI
        fields = ["name", "unit", "baseline", "target"]
        localized_fields = ["baseline", "target"]


class AttachmentForm(PortalForm):
    class Meta:
        model = Attachment
        fields = ["kind", "title", "file"]

    def __init__(self, *args, policy=False, **kwargs):
        super().__init__(*args, **kwargs)
        if policy:
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != "other"
            ]
        self.fields["title"].required = False
        self.fields["file"].help_text = _(
            "PDF, Word, OpenDocument, Excel, PNG or JPEG; at most 20 MB."
        )


LIST_FORMS = {
    ApplicationSection.WORK_PACKAGES: WorkPackageForm,
    ApplicationSection.PROCUREMENT: ProcurementItemForm,
    ApplicationSection.GROUPS: GroupMemberForm,
    ApplicationSection.THEMES_KPIS: KPIForm,
}
