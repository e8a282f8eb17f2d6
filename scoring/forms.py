"""The jury's forms. Messages in the user's language (Dutch by default); rule checks in rules.py."""

from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from . import rules
from .services import CriterionInput


class PointsField(forms.Field):
    """Points typed the Belgian way: `12,5` (a decimal point is accepted too).

    Shown back in the portal's Belgian number format. The range and step are checked by the form
    (rules.points_error), which knows the criterion's maximum.
    """

    widget = forms.TextInput

    default_error_messages = {"invalid": _("Enter a number, for example 12,5.")}

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "points-input"})
        return attrs

    def to_python(self, value):
        if isinstance(value, Decimal) or value is None:
            return value
        try:
            return rules.parse_points(str(value))
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return formats.localize_input(rules.normalise_points(value))
        return value


def _points_help(maximum, step=None):
    if step is None:
        return _("Between 0 and %(maximum)s points.") % {"maximum": rules.format_points(maximum)}
    return _("Between 0 and %(maximum)s points, in steps of %(step)s.") % {
        "maximum": rules.format_points(maximum),
        "step": rules.format_points(step),
    }


class ConflictDeclarationForm(forms.Form):
    """The gate before a juror sees an idea (R-JURY, seed 000)."""

    NO, YES = "no", "yes"

    declaration = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            (NO, _("I have no conflict of interest with this idea or its partners")),
            (YES, _("I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you have a conflict of interest.")},
    )
    reason = forms.CharField(
        label=_("Reason (when you have a conflict)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: you work for or advise one of these organisations, or you would "
            "benefit directly or indirectly from the project."
        ),
    )

    def __init__(self, *args, about_application: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if about_application:
            self.fields["declaration"].choices = [
                (
                    self.NO,
                    _("I have no conflict of interest with this application or its partners"),
                ),
                (self.YES, _("I have a conflict of interest")),
            ]

    def clean(self):
        data = super().clean()
        if data.get("declaration") == self.YES and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say briefly why you have a conflict of interest."))
        return data

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data["declaration"] == self.YES


class IdeaScoreForm(forms.Form):
    """A juror's points and feedback on the six shortlist criteria (R-SL).

    A draft may be partial; `submitting=True` requires points on every criterion.
    """

    def __init__(self, *args, call, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.maxima = rules.criterion_maxima(call.shortlist_maxima)
        self.step = call.score_step
        self.submitting = submitting
        for criterion in rules.SHORTLIST_CRITERIA:
            n = criterion.number
            self.fields[f"points_{n}"] = PointsField(
                label=_("Points for criterion %(number)s") % {"number": n},
                required=False,
                help_text=_points_help(self.maxima[n], self.step),
            )
            self.fields[f"feedback_{n}"] = forms.CharField(
                label=_("Feedback on criterion %(number)s") % {"number": n},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def criterion_rows(self):
        """(criterion, maximum, points field, feedback field) for the template."""
        return [
            (c, self.maxima[c.number], self[f"points_{c.number}"], self[f"feedback_{c.number}"])
            for c in rules.SHORTLIST_CRITERIA
        ]

    def clean(self):
        data = super().clean()
        for n in rules.CRITERION_NUMBERS:
            name = f"points_{n}"
            if name in self.errors:
                continue
            problem = rules.points_error(data.get(name), self.maxima[n], self.step)
            if problem:
                self.add_error(name, problem)
            elif self.submitting and data.get(name) is None:
                self.add_error(name, _("Give points for this criterion before you submit."))
        return data

    def scores(self):
        return {
            n: CriterionInput(
                self.cleaned_data.get(f"points_{n}"), self.cleaned_data.get(f"feedback_{n}", "")
            )
            for n in rules.CRITERION_NUMBERS
        }


class AssessmentForm(forms.Form):
    """The call manager's consensus, feedback to the applicant and decision (R-SL, R-SL-GATE)."""

    YES, NO, UNDECIDED = "yes", "no", ""

    general_feedback = forms.CharField(
        label=_("General feedback to the applicant"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    improvement_track = forms.CharField(
        label=_("Improvement track"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the applicants should improve before the full application (optional)."),
    )
    decision = forms.ChoiceField(
        label=_("Shortlist decision"),
        required=False,
        choices=[
            (YES, _("On the shortlist")),
            (NO, _("Not on the shortlist")),
            (UNDECIDED, _("No decision yet")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.maxima = rules.criterion_maxima(call.shortlist_maxima)
        for criterion in rules.SHORTLIST_CRITERIA:
            n = criterion.number
            self.fields[f"points_{n}"] = PointsField(
                label=_("Consensus points for criterion %(number)s") % {"number": n},
                required=False,
                help_text=_points_help(self.maxima[n]),
            )
            self.fields[f"feedback_{n}"] = forms.CharField(
                label=_("Feedback to the applicant on criterion %(number)s") % {"number": n},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def criterion_field(self, n: int, kind: str):
        return self[f"{kind}_{n}"]

    def clean(self):
        data = super().clean()
        for n in rules.CRITERION_NUMBERS:
            name = f"points_{n}"
            if name in self.errors:
                continue
            problem = rules.consensus_points_error(data.get(name), self.maxima[n])
            if problem:
                self.add_error(name, problem)
        return data

    @property
    def shortlisted(self) -> bool | None:
        return {self.YES: True, self.NO: False}.get(self.cleaned_data.get("decision"))

    def consensus(self):
        return {
            n: CriterionInput(
                self.cleaned_data.get(f"points_{n}"), self.cleaned_data.get(f"feedback_{n}", "")
            )
            for n in rules.CRITERION_NUMBERS
        }


class PublishShortlistForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I confirm: publish the shortlist, change the status of every idea and send the "
            "letters. This cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm the publication.")},
    )
