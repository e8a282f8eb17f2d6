from django.urls import include, path

from .views import admissibility
from .views import application as views

prefix = "aanvragen/<int:year>/<slug:slug>/"

urlpatterns = [
    path("aanvragen/", views.my_applications, name="my_applications"),
    path("ideeen/<slug:reference>/aanvraag-starten/", views.start, name="start_application"),
    path(prefix, views.overview, name="application"),
    path(prefix + "indienen/", views.review, name="application_review"),
    path(prefix + "partners/<int:pk>/", views.update_partner, name="application_partner"),
    path("", include("applications.urls_budget")),
    path(
        "oproepen/<int:year>/ontvankelijkheid/",
        admissibility.overview,
        name="admissibility_overview",
    ),
    path(prefix + "ontvankelijkheid/", admissibility.detail, name="admissibility"),
    path(
        prefix + "ontvankelijkheid/criterium/<int:pk>/",
        admissibility.confirm,
        name="admissibility_confirm",
    ),
    path(
        prefix + "ontvankelijkheid/vervolledigen/",
        admissibility.completion,
        name="admissibility_completion",
    ),
    path(
        prefix + "ontvankelijkheid/beslissing/",
        admissibility.decision,
        name="admissibility_decision",
    ),
    path(prefix + "<slug:section>/", views.section, name="application_section"),
    path(prefix + "<slug:section>/bewaren/", views.autosave, name="application_autosave"),
    path(prefix + "<slug:section>/toevoegen/", views.add_item, name="application_add_item"),
    path(prefix + "<slug:section>/bestand/", views.upload_attachment, name="application_upload"),
    path(
        prefix + "<slug:section>/<int:pk>/verwijderen/",
        views.delete_item,
        name="application_delete_item",
    ),
]
