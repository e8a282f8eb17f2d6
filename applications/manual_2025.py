"""The 2025 call as the manual (seeds/001) states it; SPEC.md §2 lists the same values."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")

CALL_2025 = {
    "year": 2025,
    "title": "Oproep City of Things 2025",
    "envelope": Decimal("5000000.00"),  # R-ENV
    "max_support_per_project": Decimal("2000000.00"),  # R-MAX
    "max_support_rate": Decimal("0.80"),  # R-RATE
    "max_duration_months": 36,  # R-DUR
    "idea_phase_opens": datetime(2025, 6, 1, 0, 0, tzinfo=BRUSSELS),
    "idea_deadline": datetime(2025, 9, 8, 12, 0, tzinfo=BRUSSELS),  # R-DL1: before 8/9/2025 12:00
    "application_deadline": datetime(2025, 11, 14, 23, 59, tzinfo=BRUSSELS),  # R-DL2
    "decision_date_estimated": date(2026, 2, 15),  # "begin 2026"
    "start_window_months": 6,  # R-START
    "min_local_governments": 2,  # R-MIN2
    "tranche_1_share": Decimal("0.40"),  # R-TR1
    "tranche_2_share": Decimal("0.30"),  # R-TR2
    "tranche_2_min_cost_share": Decimal("0.50"),  # R-TR2
    "final_request_months": 3,  # R-TR3
    "section_a_max": Decimal("30"),  # R-SCORE
    "section_b_max": Decimal("40"),
    "section_c_max": Decimal("30"),
    "section_threshold_share": Decimal("0.50"),  # R-THRESH
    "total_threshold_share": Decimal("0.60"),
}
