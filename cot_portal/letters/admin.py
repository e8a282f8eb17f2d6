from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cot_portal.records_admin import ReadOnlyAdminMixin

from .models import Letter


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Letters are records: readable in the admin, never edited or deleted there (nor reverted
    to an earlier version through the history)."""

    list_display = ["subject", "kind", "organisation", "created_at", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "organisation__name"]
