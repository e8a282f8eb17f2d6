"""The one exception of the payments services: a refusal with a message for the user.

    raise PaymentsError(_("Upload the signed cooperation agreement."))
    raise PaymentsError(_("Tranche 1 cannot be requested yet:"), problems=[...], field="day")

`message` is the sentence to show (already in the user's language); `problems` an optional list
of what is missing (shown as a list under the message); `field` the form field it belongs to,
when there is one (views put the message beside that field, otherwise above the form).
"""


class PaymentsError(Exception):
    def __init__(self, message, *, problems=(), field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.problems = [str(p) for p in problems]
        self.field = field

    @property
    def messages(self) -> list[str]:
        """The message followed by every problem, for a flat list of errors."""
        return [self.message, *self.problems]

    def add_to(self, form) -> None:
        """Show the message and every problem beside `field` in `form` (above the form when
        the form has no such field)."""
        field = self.field if self.field in form.fields else None
        for message in self.messages:
            form.add_error(field, message)
