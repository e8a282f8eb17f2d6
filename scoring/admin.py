"""Back office for the jury's records on ideas: read-only, with history.

Every change goes through services.py (locks, rules, letters), so the admin shows the records
and their history but does not edit them.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cot_portal.records_admin import ReadOnlyAdminMixin

from .models import (
    IdeaAssessment,
    IdeaConflict,
    IdeaConsensus,
    IdeaCriterionScore,
    IdeaScoreSheet,
    ShortlistPublication,
)


class ReadOnlyMixin(ReadOnlyAdminMixin):
    """Shown, never added, changed, deleted or reverted through the history's form."""


class CriterionScoreInline(ReadOnlyMixin, admin.TabularInline):
    model = IdeaCriterionScore
    fields = ["criterion", "points", "feedback"]
    readonly_fields = fields
    extra = 0


class ConsensusInline(ReadOnlyMixin, admin.TabularInline):
    model = IdeaConsensus
    fields = ["criterion", "points", "feedback"]
    readonly_fields = fields
    extra = 0


@admin.register(IdeaConflict)
class IdeaConflictAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["idea", "juror", "has_conflict", "automatic", "declared_at"]
    list_filter = ["has_conflict", "automatic", "idea__call"]
    search_fields = ["idea__reference", "idea__title", "juror__email", "juror__last_name"]
    list_select_related = ["idea", "juror"]


@admin.register(IdeaScoreSheet)
class IdeaScoreSheetAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["idea", "juror", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "idea__call"]
    search_fields = ["idea__reference", "juror__email", "juror__last_name"]
    list_select_related = ["idea", "juror"]
    inlines = [CriterionScoreInline]


@admin.register(IdeaAssessment)
class IdeaAssessmentAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["idea", "shortlisted", "updated_by", "updated_at", "letter"]
    list_filter = ["shortlisted", "idea__call"]
    search_fields = ["idea__reference", "idea__title"]
    list_select_related = ["idea", "updated_by", "letter"]
    inlines = [ConsensusInline]


@admin.register(ShortlistPublication)
class ShortlistPublicationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["call", "published_by", "published_at"]
    list_select_related = ["call", "published_by"]
