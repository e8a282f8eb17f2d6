"""The admin side of cot_portal/records.py: a record is shown, never added, changed or deleted.

Django's admin honours has_change_permission on the change page, but django-simple-history's
"revert" page (`…/history/<version>/`) only asks for the view permission and saves whatever is
POSTed to it. A read-only admin therefore also refuses that POST, and shows every field as text.
"""

from django.core.exceptions import PermissionDenied


class ReadOnlyAdminMixin:
    """For a ModelAdmin (SimpleHistoryAdmin included) or an inline of stored records."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        own = list(super().get_readonly_fields(request, obj))
        return own + [f.name for f in self.model._meta.fields if f.name not in own]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
