"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `browser`. The browser is the system chromium (never a
downloaded one); override its path with CHROMIUM_PATH. Pages are checked with axe-core for
WCAG 2.0/2.1 A and AA, and full-page screenshots go to test-artifacts/screenshots/.
"""

import os
import re
from base64 import b32decode
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test.utils import override_settings
from django_otp.oath import totp
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told it is safe (the test code and the ORM never run concurrently here). Set for
# the whole session because session fixtures (the test database) start beside the browser;
# the deploy check strips it from its subprocess.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# The live server speaks plain HTTP and serves static files through the staticfiles finders,
# so production-only settings (HTTPS redirect, secure cookies, the hashed-name manifest that
# only `collectstatic` writes) are switched off for it.
HTTP_SETTINGS = {
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).resolve().parent
    for item in items:
        if browser_dir in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with the HTTP settings above.

    Django builds the middleware (SecurityMiddleware reads SECURE_SSL_REDIRECT once) when the
    server thread starts, so the settings must be in place then, not only during each test.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(**HTTP_SETTINGS):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _http_settings(settings):
    """The per-request reads of the same settings (cookies, static URLs) during each test."""
    for name, value in HTTP_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_context(browser, live_server):
    """A browser context as a person in Flanders has it, pointed at the live server."""
    context = browser.new_context(
        locale="nl-BE",
        timezone_id="Europe/Brussels",
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, live_server):
    context = new_context(browser, live_server)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser context per person (their own cookies), closed after the test.

    `open_page(name)` returns a new page in a new context; `name` only says whose it is.
    """
    contexts = []

    def _open(name):
        context = new_context(browser, live_server)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def login(page, live_server, email, password):
    """Log in through the login form, as a person would; returns the page after the redirect."""
    page.goto(f"{live_server.url}/account/aanmelden/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").click()
    return page


def confirm_second_factor(page):
    """On the second-factor page: set up the authenticator from the key shown, enter its code.

    Returns the base32 key that was shown (None if the device was already set up).
    """
    assert "/account/tweede-factor/" in page.url, page.url
    key = None
    code_element = page.locator("main code")
    if code_element.count():
        key = re.sub(r"\s+", "", code_element.inner_text())
    if key is None:
        raise AssertionError("the second-factor page shows no key to set up the authenticator")
    token = f"{totp(b32decode(key)):06d}"
    page.fill("#id_token", token)
    with page.expect_navigation():
        page.locator("form:has(#id_token) button[type=submit]").click()
    return key


def format_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"  {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    * {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def check_axe(page):
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; fail with a readable list if any."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    if violations:
        report = format_violations(violations)
        print(f"axe violations on {page.url}:\n{report}")
        pytest.fail(f"{len(violations)} axe violation(s) on {page.url}:\n{report}", pytrace=False)
    return results


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
