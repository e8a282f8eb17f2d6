from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Letter


@admin.register(Letter)
class LetterAdmin(SimpleHistoryAdmin):
    """Letters are records: readable in the admin, never edited or deleted there."""

    list_display = ["subject", "kind", "organisation", "created_at", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "organisation__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
