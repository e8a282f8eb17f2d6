from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ApplicationSection

VERDICTS = [
    ("", _("As computed by the portal")),
    ("met", _("Met")),
    ("not_met", _("Not met")),
]


class CriterionForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Your verdict"), choices=VERDICTS, required=False)
    reason = forms.CharField(
        label=_("Reason for the applicant (in the letter if not admissible)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when you decide a criterion is not met although the portal computed it as met."
        ),
    )
    note = forms.CharField(
        label=_("Internal note (the applicant never sees it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def ok(self):
        return {"": None, "met": True, "not_met": False}[self.cleaned_data["verdict"]]


class CompletionForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=_("Sections to reopen"),
        choices=ApplicationSection.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one section to reopen.")},
    )
    message = forms.CharField(
        label=_("What must be completed (the applicant reads this)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateTimeField(
        label=_("Respond before"),
        help_text=_("Date and time in Brussels time, e.g. 05/12/2025 12:00."),
        widget=forms.DateTimeInput(
            attrs={"placeholder": "dd/mm/jjjj uu:mm", "autocomplete": "off"}
        ),
        error_messages={
            "invalid": _("Enter a date and time as dd/mm/yyyy hh:mm, e.g. 05/12/2025 12:00.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
