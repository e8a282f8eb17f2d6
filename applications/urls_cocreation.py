"""Co-creation track (R-COCREATE), included at the site root in the `applications` namespace."""

from django.urls import path

from .views import cocreation as views

urlpatterns = [
    path("oproepen/<int:year>/sessies/", views.session_list, name="session_list"),
    path("oproepen/<int:year>/sessies/nieuw/", views.session_create, name="session_create"),
    path("oproepen/<int:year>/sessies/<int:pk>/", views.session_detail, name="session_detail"),
    path(
        "oproepen/<int:year>/sessies/<int:pk>/bewerken/",
        views.session_edit,
        name="session_edit",
    ),
    path(
        "oproepen/<int:year>/sessies/<int:pk>/inschrijven/",
        views.session_register,
        name="session_register",
    ),
    path(
        "oproepen/<int:year>/sessies/<int:pk>/uitschrijven/",
        views.session_cancel,
        name="session_cancel",
    ),
    path(
        "oproepen/<int:year>/sessies/<int:pk>/aanwezigheden/",
        views.session_attendance,
        name="session_attendance",
    ),
    path(
        "oproepen/<int:year>/sessies/<int:pk>/aanwezigheden/opladen/",
        views.attendance_upload,
        name="attendance_upload",
    ),
    path(
        "oproepen/<int:year>/sessies/<int:pk>/aanwezigheden/<int:attendance_pk>/verwijderen/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    path(
        "oproepen/<int:year>/co-creatie/ontbrekend/",
        views.missing_attendance,
        name="cocreation_missing",
    ),
]
