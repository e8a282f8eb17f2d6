"""Finance's forms: refuse a request, propose a payment, approve or reject it (issue 8).

The state and the four-eyes rule are checked again in `services_payments`; a form only makes
sure the officer wrote what the other person will read, and shows it back when it is refused.
"""

from django import forms
from django.utils.translation import gettext_lazy as _


class RefuseRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason of the refusal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The lead applicant receives it by e-mail, e.g. which document is missing."),
        error_messages={"required": _("Give the reason of the refusal: the applicant reads it.")},
    )


class ProposeForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the second finance officer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("I checked the conditions, the amount and the IBAN."),
        error_messages={"required": _("Tick the box to confirm the check.")},
    )


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I checked the amount and the IBAN. Release the payment."),
        error_messages={"required": _("Tick the box to confirm the release.")},
    )


class RejectPaymentForm(forms.Form):
    note = forms.CharField(
        label=_("Why the payment is not approved"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The tranche goes back to the check; your colleague reads this."),
        error_messages={
            "required": _("Explain why the payment is not approved: your colleague reads it.")
        },
    )
