from django.urls import include, path

app_name = "applications"

urlpatterns = [
    path("", include("applications.urls_cocreation")),
    path("", include("applications.urls_ideas")),
    path("", include("applications.urls_applications")),
]
