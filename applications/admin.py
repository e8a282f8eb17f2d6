from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Call


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    """Call managers configure every rule value of a call here; Call.clean() checks them."""

    list_display = ["title", "year", "idea_deadline", "application_deadline", "envelope"]
    # Amounts and shares are typed the Belgian way: 5.000.000,00 and 0,80.
    formfield_overrides = {models.DecimalField: {"localize": True}}
    fieldsets = (
        (None, {"fields": ("year", "title")}),
        (
            _("Money"),
            {
                "fields": (
                    "envelope",
                    "max_support_per_project",
                    "max_support_rate",
                    "follower_budget_cap",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "idea_phase_opens",
                    "idea_deadline",
                    "application_deadline",
                    "decision_date_estimated",
                    "decision_date",
                    "start_window_months",
                    "max_duration_months",
                )
            },
        ),
        (_("Partnership"), {"fields": ("min_local_governments",)}),
        (
            _("Tranches"),
            {
                "fields": (
                    "tranche_1_share",
                    "tranche_2_share",
                    "tranche_2_min_cost_share",
                    "final_request_months",
                )
            },
        ),
        (
            _("Scoring"),
            {
                "fields": (
                    "section_a_max",
                    "section_b_max",
                    "section_c_max",
                    "score_step",
                    "section_threshold_share",
                    "total_threshold_share",
                    "spread_flag_share",
                )
            },
        ),
        (
            _("Procurement thresholds"),
            {
                "fields": (
                    "procurement_invoice_limit",
                    "procurement_negotiated_limit",
                    "procurement_european_limit",
                )
            },
        ),
    )
