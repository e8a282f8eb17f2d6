from django.urls import path

from . import views, views_applications, views_questions, views_ranking

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
    # Full applications (issue 7): the juror
    path(
        "oproepen/<int:year>/aanvragen/",
        views_applications.application_list,
        name="jury_application_list",
    ),
    path(
        "aanvragen/<str:reference>/",
        views_applications.application_detail,
        name="jury_application_detail",
    ),
    path(
        "aanvragen/<str:reference>/verklaring/",
        views_applications.application_declare,
        name="jury_application_declare",
    ),
    path(
        "aanvragen/<str:reference>/pdf/",
        views_applications.application_pdf,
        name="jury_application_pdf",
    ),
    path(
        "aanvragen/<str:reference>/vragen/",
        views_questions.jury_questions,
        name="jury_questions",
    ),
    # Full applications: the call manager
    path(
        "aanvragen/<str:reference>/consensus/",
        views_ranking.consensus,
        name="consensus",
    ),
    path("oproepen/<int:year>/rangschikking/", views_ranking.ranking_page, name="ranking"),
    path("oproepen/<int:year>/jury/", views_applications.jury_compose, name="jury_compose"),
]
