from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        # AuthenticationForm only sets the attribute; the validator must come with the field
        # (a longer address reached django-axes' 255-character column: a server error).
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": _(
            "That e-mail address and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is not active. Contact VLAIO."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit() or self.device is None or not self.device.verify_token(token):
            raise forms.ValidationError(
                _("This code is not correct or has expired. Enter the code your app shows now.")
            )
        return token
