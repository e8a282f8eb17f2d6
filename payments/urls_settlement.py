"""Settlement (R-SETTLE), recovery and stop decisions (R-STOP) of a grant."""

from django.urls import path

from . import views_settlement as views

urlpatterns = [
    path("projecten/<slug:reference>/afrekening/", views.settlement, name="settlement"),
    path("projecten/<slug:reference>/stopzetten/", views.stop, name="stop"),
]
