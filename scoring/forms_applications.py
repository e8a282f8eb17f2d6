"""The jury's forms on full applications (issue 7). Rule checks come from ranking.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.accounts.models import User

from . import ranking
from .forms import PointsField, _points_help
from .models import JuryKind
from .services_applications import SubCriterionInput, call_maxima, score_errors


class ApplicationScoreForm(forms.Form):
    """A juror's points and motivation on the ten sub-criteria A1–C3 (R-SCORE).

    A draft may be partial; `submitting=True` requires points and a motivation everywhere.
    Invalid input is shown back as typed, with the error beside the field.
    """

    def __init__(self, *args, call, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.maxima = call_maxima(call)
        self.submitting = submitting
        for criterion in ranking.SUBCRITERIA:
            code = criterion.code
            self.fields[f"points_{code}"] = PointsField(
                label=_("Points for %(code)s") % {"code": code},
                required=False,
                help_text=_points_help(self.maxima[code], call.score_step),
            )
            self.fields[f"motivation_{code}"] = forms.CharField(
                label=_("Motivation for %(code)s") % {"code": code},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def criterion_rows(self):
        """(sub-criterion, maximum, points field, motivation field) for the template."""
        return [
            (c, self.maxima[c.code], self[f"points_{c.code}"], self[f"motivation_{c.code}"])
            for c in ranking.SUBCRITERIA
        ]

    def clean(self):
        data = super().clean()
        scores = self._scores(data)
        for name, problem in score_errors(self.call, scores, submit=self.submitting).items():
            if name not in self.errors:
                self.add_error(name, problem)
        return data

    def _scores(self, data):
        return {
            code: SubCriterionInput(data.get(f"points_{code}"), data.get(f"motivation_{code}", ""))
            for code in ranking.SUBCRITERION_CODES
        }

    def scores(self):
        return self._scores(self.cleaned_data)


class AddJuryMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"))
    kind = forms.ChoiceField(label=_("Kind"), choices=JuryKind.choices, initial=JuryKind.STAFF)

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no active account with this e-mail address."))
        self.user = user
        return email


class AssignForm(forms.Form):
    """Which members get which admissible applications; nothing chosen means all."""

    members = forms.TypedMultipleChoiceField(
        label=_("Jury members"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to assign to every member."),
    )
    applications = forms.TypedMultipleChoiceField(
        label=_("Applications"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to assign every admissible application."),
    )

    def __init__(self, *args, members, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.member_objects = {m.pk: m for m in members}
        self.application_objects = {a.pk: a for a in applications}
        self.fields["members"].choices = [
            (m.pk, f"{m.user} ({m.get_kind_display()})") for m in members
        ]
        self.fields["applications"].choices = [
            (a.pk, f"{a.reference} {a.title}") for a in applications
        ]

    def chosen_members(self):
        chosen = self.cleaned_data["members"]
        return [self.member_objects[pk] for pk in chosen] if chosen else None

    def chosen_applications(self):
        chosen = self.cleaned_data["applications"]
        return [self.application_objects[pk] for pk in chosen] if chosen else None
