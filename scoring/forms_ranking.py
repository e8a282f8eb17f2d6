"""The call manager's forms for consensus, doubts, cuts, R-EXTRA and the decision (issue 7).

The rule checks (points range and step, R-CUT/R-RATE/R-MAX) live in ranking.py and run again in
the services; a form shows what the person typed back with the message beside the field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.forms import EuroField

from . import ranking
from .forms import PointsField, _points_help


class ConsensusForm(forms.Form):
    """R-SCORE: the consensus on one sub-criterion, overriding the members' mean."""

    code = forms.ChoiceField(choices=[(c, c) for c in ranking.SUBCRITERION_CODES])
    points = PointsField(label=_("Consensus points"))
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Explain why the consensus differs from the mean.")},
    )

    def __init__(self, *args, maxima, step, **kwargs):
        super().__init__(*args, **kwargs)
        self.maxima = maxima
        self.step = step
        self.fields["code"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        code, points = data.get("code"), data.get("points")
        if code and points is not None:
            problem = ranking.valid_points(points, self.maxima[code], self.step)
            if problem:
                self.add_error("points", problem)
        return data

    def help_for(self, code):
        return _points_help(self.maxima[code], self.step)


class DoubtForm(forms.Form):
    """R-DOUBT: serious doubts about feasibility or quality, with a motivation."""

    doubtful = forms.BooleanField(
        label=_("Serious doubts about feasibility or quality"),
        required=False,
        help_text=_("The application goes to the bottom of the ranking, whatever its score."),
    )
    motivation = forms.CharField(
        label=_("Motivation of the doubts"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("doubtful") and not (data.get("motivation") or "").strip():
            self.add_error("motivation", _("Explain the serious doubts."))
        return data


class CutForm(forms.Form):
    """R-CUT: strike work packages (with their costs) and/or reduce the support."""

    work_packages = forms.TypedMultipleChoiceField(
        label=_("Struck work packages"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    struck_costs = EuroField(
        label=_("Costs that leave the budget with them"),
        required=False,
        min_value=0,
        help_text=_("The part of the total cost of the struck work packages, e.g. 25.000,00."),
    )
    reduction = EuroField(
        label=_("Reduction of the requested support"),
        required=False,
        min_value=0,
        help_text=_("Comes off the requested support, e.g. 10.000,00."),
    )
    motivation = forms.CharField(
        label=_("Motivation of the cut"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_packages"].choices = [
            (wp.pk, f"WP{wp.number} {wp.title}") for wp in work_packages
        ]

    def clean(self):
        data = super().clean()
        struck = data.get("struck_costs") or 0
        reduction = data.get("reduction") or 0
        if data.get("work_packages") and not struck and "struck_costs" not in self.errors:
            self.add_error(
                "struck_costs", _("Give the costs that leave the budget with these work packages.")
            )
        if struck and not data.get("work_packages"):
            self.add_error("work_packages", _("Tick the work packages whose costs are struck."))
        if (struck or reduction) and not (data.get("motivation") or "").strip():
            self.add_error("motivation", _("Explain the cut."))
        return data


class ConditionsForm(forms.Form):
    conditions = forms.CharField(
        label=_("Conditions for the approval letter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: deliver the signed cooperation agreement with partner X."),
    )


class AdjustmentForm(forms.Form):
    """R-EXTRA: move one application to a position, with a motivation."""

    application = forms.TypedChoiceField(label=_("Application"), coerce=int)
    position = forms.IntegerField(
        label=_("New position"),
        min_value=1,
        error_messages={"min_value": _("The position is a whole number from 1.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Portfolio diversity and complementarity, or a fair share for non-centre municipalities."
        ),
        error_messages={"required": _("Explain the adjustment: it is never made silently.")},
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.application_objects = {a.pk: a for a in applications}
        self.fields["application"].choices = [("", "—")] + [
            (a.pk, f"{a.reference} {a.title}") for a in applications
        ]


class DecisionForm(forms.Form):
    decision_date = forms.DateField(
        label=_("Date of the Government's decision"),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/jjjj", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter a date as dd/mm/yyyy, e.g. 14/11/2025."),
            "required": _("Give the date of the Government's decision."),
        },
    )
    decision_reference = forms.CharField(
        label=_("Reference of the decision"),
        required=False,
        max_length=100,
        help_text=_("For example the number of the decision of the Flemish Government."),
    )
    confirm = forms.BooleanField(
        label=_(
            "The Government decided as the frozen advice says. Record it and send the decision letters."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )
