"""Helpers shared by the browser journeys (the idea, application and admissibility tests).

Texts are looked up through the portal's own translations (`t`), so the tests follow the Dutch
texts as translators complete them. Each page a journey visits is checked with `check_page`:
a screenshot and axe-core. The browser contexts come from the `open_page` fixture (conftest).
"""

import io
import re

from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from applications.models import Call
from cot_portal.core.demo import DEMO_PASSWORD, load_demo

from .conftest import check_axe, confirm_second_factor, login, screenshot

# The NIS codes of the demo's local authorities.
GENT, KORTRIJK, LEUVEN = "44021", "34022", "24062"


def demo_call(settings):
    """The demo loaded; returns its open call (next year's). Celery runs its tasks at once and
    mail goes to the outbox, so a journey sees what they do."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_demo()
    return Call.objects.get(year=timezone.localdate().year + 1)


# --- texts and what carries them --------------------------------------------------------------


def t(text, **values):
    """The Dutch text the portal shows for an English source string."""
    with translation.override("nl"):
        translated = gettext(text)
    return translated % values if values else translated


def prefix(text):
    """The translated text up to its first placeholder (for messages with a date in them)."""
    return re.split(r"%\(\w+\)s", t(text))[0].strip()


def label_pattern(text, flags=0):
    """A pattern for a label or name that is exactly `text` (crispy adds `*` to required fields)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$", flags)


def exactly(text, **values):
    """A pattern for a label or name: the translated text, any case, crispy's `*` allowed."""
    return label_pattern(t(text, **values), re.IGNORECASE)


def labelled(scope, text):
    """The field whose label is exactly `text`, as written (no translation, same case)."""
    return scope.get_by_label(label_pattern(text))


def field(scope, label):
    """The field whose label is the translation of `label`."""
    return scope.get_by_label(exactly(label))


def button(scope, text, **values):
    return scope.get_by_role("button", name=exactly(text, **values))


def link(scope, text, **values):
    return scope.get_by_role("link", name=exactly(text, **values))


def status_message(page):
    """The messages Django shows at the top of the page (success, error)."""
    return page.locator("main .messages .alert")


# --- moving around ----------------------------------------------------------------------------


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def open_section(page, name):
    """A section of an application, through the section navigation beside it."""
    nav = page.get_by_role("navigation", name=exactly("Sections of the application"))
    click_and_wait(page, nav.get_by_role("link", name=exactly(name)))


def log_in_as(open_page, live_server, email, name):
    """A new page (see `open_page`) on which the demo person `email` logged in."""
    page = open_page(name)
    login(page, live_server, email, DEMO_PASSWORD)
    if "/account/tweede-factor/" in page.url:
        confirm_second_factor(page)
    assert page.url.endswith("/mijn-portaal/"), page.url
    return page


# --- checks -----------------------------------------------------------------------------------


def check_page(page, name):
    """Screenshot and axe on the page as it is now."""
    screenshot(page, name)
    check_axe(page)


def checker(journey):
    """`check(page, name)` for one journey: its screenshots are named `{journey}-{name}`."""

    def check(page, name):
        check_page(page, f"{journey}-{name}")

    return check


# --- PDFs -------------------------------------------------------------------------------------


def pdf_bytes(page, href):
    """The PDF behind `href`, fetched with the page's cookies; it must be one."""
    response = page.request.get(href)
    assert response.status == 200, f"{href}: HTTP {response.status}"
    body = response.body()
    assert body.startswith(b"%PDF"), body[:40]
    return body


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
