"""The production settings, unchanged, plus one URL: a trivial view to compare every page with.

gunicorn runs with DEBUG off, so everything production does (HTTPS redirect unless the proxy
header says https, secure cookies, HSTS, CSP, the manifest static storage, the second factor for
staff) is on. Only ROOT_URLCONF differs: tests/bench/urls.py adds `/bench/trivial/` to the
portal's own URLs.
"""

from cot_portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
