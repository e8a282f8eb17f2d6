"""The one WeasyPrint renderer: an HTML template becomes PDF bytes.

Static files (the letter stylesheet, the logo) are read from disk through Django's static
finders; any other URL is refused, so rendering never touches the network.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

# A base address that never resolves: every URL in a letter is answered by the fetcher below.
BASE_URL = "https://letters.cot-portal.invalid/"


class OfflineFetchError(ValueError):
    pass


def static_only_fetcher(url: str, *args, **kwargs) -> dict:
    """WeasyPrint URL fetcher that serves only files found by the static finders."""
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise OfflineFetchError(f"Letters may only use static files, not {url!r}.")
    relative = url[len(prefix) :]
    found = finders.find(relative)
    if not found:
        raise OfflineFetchError(f"Static file {relative!r} not found.")
    path = Path(found)
    return {
        "string": path.read_bytes(),
        "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        "filename": path.name,
    }


def render_pdf(template_name: str, context: dict, language: str = "nl") -> bytes:
    """Render `template_name` with `context` to PDF bytes, in the given language (Dutch)."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher).write_pdf()
