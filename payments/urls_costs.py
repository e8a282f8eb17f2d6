"""Cost statements (R-COSTS, R-ELIG) and changes during execution (R-CHANGE)."""

from django.urls import path

from . import views_costs

urlpatterns = [
    path("projecten/<str:reference>/kosten/", views_costs.cost_lines, name="cost_lines"),
    path(
        "projecten/<str:reference>/kosten/kosten.xlsx",
        views_costs.cost_lines_export,
        name="cost_lines_export",
    ),
    path("projecten/<str:reference>/wijzigingen/", views_costs.changes, name="changes"),
]
