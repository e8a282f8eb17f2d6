"""The project list and page: the applicant's deliverables and tranche requests, and the call
manager's checks (issue 8). Names: `payments:projects`, `payments:project`."""

from django.urls import path

from . import views_grant

urlpatterns = [
    path("projecten/", views_grant.project_list, name="projects"),
    path("projecten/<str:reference>/", views_grant.project, name="project"),
]
