"""Forms of the public register (issue 9, R-SHARE, R-THEME). English source, Dutch via gettext.

The filter form reads the query string (GET): its field names are the Dutch words of the
register's addresses (`?q=parkeren&jaar=2030&thema=mobility&gemeente=gent`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Theme

from .models import GrantStatus, ResultKind
from .register_selectors import RegisterFilter, filter_municipalities, filter_years

# The acknowledgement of the call's non-exclusive right of use (SPEC.md §8), asked when adding a
# result and when offering one.
RIGHT_OF_USE = _(
    "VLAIO and the partners may use this result: we grant the non-exclusive right of use of the call."
)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words from the title or summary, a reference, or the lead's name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    jaar = forms.TypedChoiceField(
        label=_("Call year"), required=False, coerce=int, empty_value=None
    )
    thema = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *Theme.choices]
    )
    gemeente = forms.ChoiceField(label=_("City or municipality (lead or partner)"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *GrantStatus.choices]
    )
    resultaten = forms.BooleanField(label=_("Only projects with published results"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jaar"].choices = [("", _("All years"))] + [
            (year, str(year)) for year in filter_years()
        ]
        self.fields["gemeente"].choices = [
            ("", _("All cities and municipalities")),
            *filter_municipalities(),
        ]

    def criteria(self) -> RegisterFilter:
        """The valid part of what was asked (an invalid field filters nothing)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return RegisterFilter(
            text=data.get("q") or "",
            year=data.get("jaar"),
            theme=data.get("thema") or "",
            municipality=data.get("gemeente") or "",
            status=data.get("status") or "",
            with_results=bool(data.get("resultaten")),
        )


class EndResultForm(forms.Form):
    """The lead applicant adds an end result, and may offer it for publication at once."""

    kind = forms.ChoiceField(
        label=_("Kind of result"),
        choices=[("", "---------"), *ResultKind.choices],
        error_messages={"required": _("Choose the kind of end result.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the end result a title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it is and how another municipality can use it."),
    )
    lessons_good = forms.CharField(
        label=_("What went well"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For lessons learned."),
    )
    lessons_bad = forms.CharField(
        label=_("What did not go well"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For lessons learned."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "PDF, Word (.docx), OpenDocument (.odt), Excel (.xlsx), PNG or JPEG, at most 20 MB. Required for every kind but lessons learned."
        ),
    )
    offer = forms.BooleanField(
        label=_("Offer it for publication in the public register now"), required=False
    )
    acknowledged = forms.BooleanField(
        label=RIGHT_OF_USE,
        required=False,
    )


class OfferForm(forms.Form):
    """Offer one end result for publication: the acknowledgement is required."""

    acknowledged = forms.BooleanField(
        label=RIGHT_OF_USE,
        error_messages={
            "required": _(
                "Confirm that VLAIO and the partners may use this result (non-exclusive right of use) before you offer it for publication."
            )
        },
    )


class RefuseForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the lead applicant"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Explain to the lead applicant why the result is not published.")
        },
    )


class ReuseInterestForm(forms.Form):
    """ "Wij willen dit ook": the organisation (when the person speaks for several) and a note."""

    organisation = forms.TypedChoiceField(
        label=_("On behalf of"),
        coerce=int,
        error_messages={"required": _("Choose the city or municipality you speak for.")},
    )
    message = forms.CharField(
        label=_("Message for the project's lead (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {org.pk: org for org in organisations}
        self.fields["organisation"].choices = [(org.pk, org.name) for org in organisations]
        if len(self.organisations) == 1:
            self.fields["organisation"].initial = next(iter(self.organisations))

    def chosen_organisation(self):
        return self.organisations.get(self.cleaned_data.get("organisation"))
