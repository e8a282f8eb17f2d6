"""Grants and money. Each area keeps its own URL module:

- urls_grant: the project page, agreement, start, reports and tranche requests (applicant) and
  the call manager's checks;
- urls_costs: cost statements (applicant, finance's line check) and changes (R-CHANGE);
- urls_finance: finance's check, proposal, four-eyes approval, SEPA export and dashboard;
- urls_settlement: settlement, recovery and stop decisions.
"""

from django.urls import include, path

app_name = "payments"

urlpatterns = [
    path("", include("payments.urls_grant")),
    path("", include("payments.urls_costs")),
    path("", include("payments.urls_finance")),
    path("", include("payments.urls_settlement")),
]
