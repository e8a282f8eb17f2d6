from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.forms import EuroField, posted_valid_values

from ..models import Idea, IdeaPartner, PartnerRole, Theme

HELP = {
    "title": _("A short, recognisable name, e.g. “Slimme parkeersensoren in de binnenstad”."),
    "challenge": _(
        "Which complex challenge with local impact do you want to tackle, and for whom?"
    ),
    "solution": _(
        "Which data-based solution do you have in mind, and what is innovative about it? Mere digitisation of a process does not qualify."
    ),
    "capacity_building": _(
        "How does the project build capacity and keep knowledge inside the local governments?"
    ),
    "policy_alignment": _(
        "How does the idea fit local policy (bestuursakkoord, meerjarenplan) and Flemish policy?"
    ),
    "support_rollout": _(
        "Who supports the idea, and how can many Flemish local governments roll it out later?"
    ),
    "openness": _(
        "How do you apply openness and interoperability: OSLO, open standards, open data?"
    ),
    "work_packages": _("Your first thoughts on the work packages."),
    "budget_total": _("An estimate in euros, e.g. 1.200.000,00."),
    "budget_notes": _("What the budget mainly covers: personnel, external services, investments."),
}


class IdeaForm(forms.ModelForm):
    """The idea form. Everything but the title may stay empty in a draft; submit checks all."""

    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more smart-city dimensions."),
    )
    budget_total = EuroField(
        label=_("Provisional total budget (euro)"), required=False, min_value=0
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Idea
        fields = [
            "title",
            "challenge",
            "solution",
            "capacity_building",
            "policy_alignment",
            "support_rollout",
            "openness",
            "work_packages",
            "budget_total",
            "budget_notes",
            "themes",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "challenge",
                "solution",
                "capacity_building",
                "policy_alignment",
                "support_rollout",
                "openness",
                "work_packages",
                "budget_notes",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in HELP.items():
            self.fields[name].help_text = text
        self.fields["budget_total"].help_text = HELP["budget_total"]
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_title(self):
        title = (self.cleaned_data.get("title") or "").strip()
        if not title:
            raise forms.ValidationError(_("An idea needs a title."))
        return title

    def valid_values(self) -> dict:
        return posted_valid_values(self)


class NewIdeaForm(forms.Form):
    title = forms.CharField(label=_("Title of your idea"), max_length=200, help_text=HELP["title"])
    organisation = forms.ModelChoiceField(label=_("Register for"), queryset=None, empty_label=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations.first()
        self.helper = FormHelper()
        self.helper.form_tag = False


class PartnerForm(forms.ModelForm):
    class Meta:
        model = IdeaPartner
        fields = ["organisation", "role", "contribution"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].choices = [
            c for c in PartnerRole.choices if c[0] != PartnerRole.COORDINATOR
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
