from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    # The jury member
    path("oproepen/<int:year>/ideeen/", views.idea_list, name="idea_list"),
    path("ideeen/<str:reference>/", views.idea_detail, name="idea_detail"),
    path("ideeen/<str:reference>/verklaring/", views.idea_declare, name="idea_declare"),
    # The call manager
    path("oproepen/<int:year>/shortlist/", views.shortlist, name="shortlist"),
    path(
        "oproepen/<int:year>/shortlist/publiceren/",
        views.shortlist_publish,
        name="shortlist_publish",
    ),
    path("ideeen/<str:reference>/beoordeling/", views.idea_assessment, name="idea_assessment"),
]
