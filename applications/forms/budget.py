"""Forms of the cost model: one cost line, and the workbook upload.

The financing amounts use the budget section's form (forms/application.section_form_class).
Partner choices come from the prefetched partners, so rendering a form costs no query.
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.forms import EuroField

from ..budget_xlsx import MAX_DESCRIPTION
from ..models import ApplicationSection, CostCategory
from .application import section_form_class

NOT_NULL_AMOUNTS = ("own_contribution", "project_income", "other_financing")


def _zero_if_blank(name):
    def clean(self):
        value = self.cleaned_data.get(name)
        return Decimal("0.00") if value is None else value

    return clean


def financing_form_class():
    """The budget section's form, where an emptied own contribution, project income or other
    financing means € 0,00 (those columns cannot be empty; the requested support can)."""
    attrs = {f"clean_{name}": _zero_if_blank(name) for name in NOT_NULL_AMOUNTS}
    return type("FinancingForm", (section_form_class(ApplicationSection.BUDGET),), attrs)


class CostLineForm(forms.Form):
    partner = forms.TypedChoiceField(label=_("Partner"), coerce=int)
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    year = forms.TypedChoiceField(label=_("Project year"), coerce=int)
    description = forms.CharField(label=_("Description"), max_length=MAX_DESCRIPTION)
    amount = EuroField(
        label=_("Amount"),
        min_value=0,
        help_text=_("In euros, e.g. 12.500,00."),
        error_messages={"min_value": _("The amount cannot be negative.")},
    )

    def __init__(self, *args, partners, max_year: int, current_year: int | None = None, **kwargs):
        """`partners`: the ApplicationPartner rows this person may add lines for. An existing
        line after `max_year` keeps its year as a choice, so an edit never moves it silently."""
        kwargs.setdefault("prefix", "line")
        super().__init__(*args, **kwargs)
        self.partners = {p.pk: p for p in partners}
        self.fields["partner"].choices = [(p.pk, p.organisation.name) for p in partners]
        years = list(range(1, max_year + 1))
        if current_year and current_year not in years:
            years.append(current_year)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].help_text = _("Year 1 is the first twelve months from the start.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_description(self):
        value = " ".join(self.cleaned_data["description"].split())
        if not value:
            raise forms.ValidationError(_("Describe the cost."))
        return value

    def values(self) -> dict:
        """The cleaned values, with the partner as its object (for the service)."""
        data = dict(self.cleaned_data)
        data["partner"] = self.partners[data["partner"]]
        return data

    @classmethod
    def initial_for(cls, line) -> dict:
        return {
            "partner": line.partner_id,
            "category": line.category,
            "year": line.year,
            "description": line.description,
            "amount": line.amount,
        }


class BudgetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Cost model (.xlsx)"),
        help_text=_(
            "The workbook downloaded from this page, filled in. At most 5 MB and 5,000 lines."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
