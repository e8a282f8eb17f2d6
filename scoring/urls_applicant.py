"""The applicant's side of the jury's work, on the application's own address (issue 7).

Included before `applications.urls`, whose `<section>` pattern would otherwise take these paths.
"""

from django.urls import path

from . import views_decision, views_questions

app_name = "scoring_applicant"

urlpatterns = [
    path(
        "aanvragen/<int:year>/<slug:slug>/vragen/",
        views_questions.applicant_questions,
        name="questions",
    ),
    path(
        "aanvragen/<int:year>/<slug:slug>/beslissing/",
        views_decision.applicant_decision,
        name="decision",
    ),
]
