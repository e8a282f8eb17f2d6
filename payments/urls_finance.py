"""Finance's pages (issue 8): the dashboard, the check of a request, a payment, the SEPA export."""

from django.urls import path

from . import views_finance

urlpatterns = [
    path("financien/", views_finance.finance, name="finance"),
    path("financien/sepa/", views_finance.sepa_export, name="sepa_export"),
    path("financien/aanvragen/<int:pk>/", views_finance.request_check, name="finance_request"),
    path("financien/betalingen/<int:pk>/", views_finance.payment_detail, name="finance_payment"),
]
