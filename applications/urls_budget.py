"""The cost model section (R-BUDGET). Included before the generic `<slug:section>/` patterns of
urls_applications.py, so these paths carry the full prefix."""

from django.urls import path

from .views import budget as views

prefix = "aanvragen/<int:year>/<slug:slug>/budget/"

urlpatterns = [
    path(prefix, views.budget, name="application_budget"),
    path(prefix + "controle/", views.check, name="application_budget_check"),
    path(prefix + "regels/toevoegen/", views.add_line, name="application_budget_line_add"),
    path(prefix + "regels/<int:pk>/", views.edit_line, name="application_budget_line_edit"),
    path(
        prefix + "regels/<int:pk>/verwijderen/",
        views.delete_line,
        name="application_budget_line_delete",
    ),
    path(prefix + "kostenmodel.xlsx", views.download, name="application_budget_download"),
    path(prefix + "opladen/", views.upload, name="application_budget_upload"),
]
