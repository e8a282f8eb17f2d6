"""Forms of the co-creation track (R-COCREATE). Messages in English source, Dutch via gettext."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..attendance_import import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    AttendanceFileRejected,
    check_upload,
    normalise_person_name,
)
from ..models import CoCreationSession

DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-time picker; the value travels as 2025-11-14T23:59."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_WIDGET_FORMAT)


class SessionForm(forms.ModelForm):
    """Plan or change a session. `registered` is the number of registrations already made."""

    online_url = forms.URLField(
        label=capfirst(CoCreationSession._meta.get_field("online_url").verbose_name),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Link to join online (https://…). Leave empty for a session on site."),
    )

    class Meta:
        model = CoCreationSession
        fields = [
            "title",
            "kind",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "capacity",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "location": _("Address of the venue. Leave empty for an online-only session."),
            "capacity": _("Maximum number of people who can register. Leave empty for no limit."),
        }

    def __init__(self, *args, registered: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.registered = registered
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is None:
            return None
        if capacity < 1:
            raise forms.ValidationError(
                _("The capacity is at least 1 person. Leave it empty for no limit."),
                code="min_capacity",
            )
        if capacity < self.registered:
            raise forms.ValidationError(
                _("%(count)s people have already registered; the capacity cannot be lower."),
                code="below_registrations",
                params={"count": self.registered},
            )
        return capacity

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The session must end after it starts."))
        if (
            not cleaned.get("location")
            and not cleaned.get("online_url")
            and ("location" not in self.errors and "online_url" not in self.errors)
        ):
            self.add_error("location", _("Give the place of the session, an online link, or both."))
        return cleaned


class RegistrationForm(forms.Form):
    """Register oneself for a session, for one of one's organisations."""

    organisation = forms.ModelChoiceField(
        label=_("Register for the organisation"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your organisations.")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].pk


class AttendanceForm(forms.Form):
    """Record by hand that a person attended for an organisation."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        empty_label=_("Choose the organisation"),
        error_messages={"required": _("Choose the organisation the person attended for.")},
    )
    person_name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME_LENGTH,
        error_messages={"required": _("Give the name of the person who attended.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    person_email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=MAX_EMAIL_LENGTH,
        error_messages={"invalid": _("Enter a valid e-mail address, such as naam@gemeente.be.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_person_name(self):
        name = normalise_person_name(self.cleaned_data["person_name"])
        if not name:
            raise forms.ValidationError(
                _("Give the name of the person who attended."), code="required"
            )
        return name


class AttendanceUploadForm(forms.Form):
    """Upload an attendance list (xlsx or csv)."""

    file = forms.FileField(
        label=_("Attendance list"),
        help_text=_(
            "An Excel file (.xlsx) or CSV file (.csv, separated by ; or ,) of at most 2 MB and "
            "5,000 rows, with the columns organisation (name, NIS code or KBO number), name and "
            "e-mail address."
        ),
        error_messages={"required": _("Choose the file with the attendance list.")},
        widget=forms.FileInput(
            attrs={
                "accept": (
                    ".xlsx,.csv,text/csv,"
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload.name, upload.size)
        except AttendanceFileRejected as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload
