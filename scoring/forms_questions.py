"""The forms of the jury's question thread (R-JURY-Q): asking and answering.

A form with an error is shown again with the text as typed: nothing is lost. The services check
the same rules again (services_questions.py).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services_questions import ANSWER_REQUIRED, MAX_TEXT_LENGTH, QUESTION_REQUIRED


def _text_field(label, help_text, required_message):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": required_message},
    )


class AskQuestionForm(forms.Form):
    """The juror's or the call manager's question to the applicant."""

    question = _text_field(
        _("Your question to the applicant"),
        _(
            "The lead applicant answers in the portal. The applicant sees the question as asked by VLAIO: your name is not shown."
        ),
        QUESTION_REQUIRED,
    )


class AnswerForm(forms.Form):
    """The lead applicant's answer to one question; `number` makes the label unique on the page."""

    answer = _text_field(
        _("Your answer"),
        _("You can change your answer until the Government's decision."),
        ANSWER_REQUIRED,
    )

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = _("Your answer to question %(number)s") % {"number": number}
