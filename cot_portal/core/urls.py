from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("mijn-portaal/", views.dashboard, name="dashboard"),
    path(
        "bestanden/<slug:app_label>/<slug:model>/<int:pk>/<slug:field>/",
        views.download,
        name="download",
    ),
]
