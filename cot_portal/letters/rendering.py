"""The one WeasyPrint renderer: an HTML template becomes PDF bytes.

Static files (the letter stylesheet, a logo) are read from disk; any other URL stops the
rendering, so a letter never touches the network and never shows a half-loaded page.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A base address that never resolves: every URL in a letter is answered from disk below.
BASE_URL = "https://letters.cot-portal.invalid/"


class OfflineFetchError(ValueError):
    pass


def static_path_for_url(url: str) -> Path:
    """The file on disk behind a static URL of a letter, or OfflineFetchError."""
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise OfflineFetchError(f"Letters may only use static files, not {url!r}.")
    relative = url[len(prefix) :]
    if ".." in relative.split("/"):
        raise OfflineFetchError(f"Letters may not leave the static folders: {url!r}.")
    found = finders.find(relative)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    collected = (root / relative).resolve()  # hashed names after collectstatic
    if collected.is_relative_to(root) and collected.is_file():
        return collected
    raise OfflineFetchError(f"Static file {relative!r} not found.")


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint fetcher that serves static files from disk and refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), fail_on_errors=True)

    def fetch(self, url, headers=None):
        path = static_path_for_url(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})


def render_pdf(template_name: str, context: dict, language: str = "nl") -> bytes:
    """Render `template_name` with `context` to PDF bytes, in the given language (Dutch)."""
    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
