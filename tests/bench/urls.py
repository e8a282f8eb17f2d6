"""The portal's URLs plus the trivial view the benchmark divides every page by."""

from django.http import HttpResponse
from django.urls import path

from applications.models import Call
from cot_portal.urls import urlpatterns as portal_urlpatterns


def trivial(request):
    """The floor of the stack: the whole middleware (session, user, second-factor check,
    CSP, …) and one indexed query on the same database, answered with a few bytes."""
    latest = Call.objects.order_by("-year").values_list("year", flat=True).first()
    return HttpResponse(f"ok {latest}", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *portal_urlpatterns]
