"""The public register of funded projects, its open data, and the end results that feed it
(issue 9, R-SHARE). Included at /register/ with its own app_name "register"."""

from django.urls import path

from . import register_views as views

app_name = "register"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.json", views.export_json, name="export_json"),
    path("export.jsonld", views.export_jsonld, name="export_jsonld"),
    path("context.jsonld", views.jsonld_context, name="context"),
    path("projecten/<str:reference>/", views.project, name="project"),
    path("projecten/<str:reference>/interesse/", views.register_interest, name="interest"),
    path("projecten/<str:reference>/resultaten/", views.end_results, name="end_results"),
    path(
        "projecten/<str:reference>/resultaten/<int:pk>/aanbieden/",
        views.offer_result,
        name="offer_result",
    ),
    path(
        "projecten/<str:reference>/resultaten/<int:pk>/verwijderen/",
        views.remove_result,
        name="remove_result",
    ),
    path("te-publiceren/", views.review, name="review"),
    path("te-publiceren/<int:pk>/", views.decide, name="decide"),
    path("organisaties/<slug:slug>/", views.organisation, name="organisation"),
    path("oproepen/<int:year>/", views.call, name="call"),
]
