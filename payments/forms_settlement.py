"""Forms of the settlement (R-SETTLE) and the stop decision (R-STOP).

The rule checks (the repayment between € 0 and what was paid) run here for a message beside the
field, and again in the service, which is the one that counts.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cot_portal.forms import EuroField

from . import rules
from .models import StopReason


class SettleForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I checked the figures. Settle the grant and send the settlement letter to the lead applicant."
        ),
        error_messages={"required": _("Tick the box to confirm the settlement.")},
    )


class StopForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason of the stop"),
        choices=StopReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the reason of the stop."),
            "invalid_choice": _("Choose the reason of the stop."),
        },
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The motivation is quoted in the letter to the lead applicant."),
        error_messages={"required": _("Motivate the stop decision.")},
    )
    repayment = EuroField(
        label=_("Repayment claimed"),
        required=False,
        help_text=_("Between € 0 and what was paid; leave empty or 0 to claim nothing."),
    )
    confirm = forms.BooleanField(
        label=_(
            "Stop the support: cancel every tranche not yet paid and send the stop letter to the lead applicant."
        ),
        error_messages={"required": _("Tick the box to confirm the stop.")},
    )

    def __init__(self, *args, paid, **kwargs):
        super().__init__(*args, **kwargs)
        self.paid = paid

    def clean_motivation(self):
        text = self.cleaned_data["motivation"].strip()
        if not text:
            raise forms.ValidationError(_("Motivate the stop decision."))
        return text

    def clean_repayment(self):
        amount = self.cleaned_data.get("repayment")
        if amount is None:
            return rules.ZERO
        problem = rules.stop_repayment_error(amount, self.paid)
        if problem:
            raise forms.ValidationError(problem)
        return amount
