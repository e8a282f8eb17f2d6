"""Every uploaded or generated file is served through one permission-checked view.

A model opts in by naming its file fields in `downloadable_file_fields`. The user needs the
object permission `<app>.view_<model>` on the object (rules); anything else is a 404, so the
existence of a file is never revealed.
"""

from django.apps import apps
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse


def download_url(obj, field: str) -> str:
    meta = obj._meta
    return reverse(
        "core:download",
        kwargs={
            "app_label": meta.app_label,
            "model": meta.model_name,
            "pk": obj.pk,
            "field": field,
        },
    )


def protected_file_response(request, app_label: str, model: str, pk: int, field: str):
    try:
        model_class = apps.get_model(app_label, model)
    except LookupError as exc:
        raise Http404 from exc
    if field not in getattr(model_class, "downloadable_file_fields", ()):
        raise Http404
    obj = get_object_or_404(model_class, pk=pk)
    if not request.user.has_perm(f"{app_label}.view_{model}", obj):
        raise Http404
    file = getattr(obj, field)
    if not file:
        raise Http404
    name = file.name.rsplit("/", 1)[-1]
    response = FileResponse(file.open("rb"), filename=name, as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
