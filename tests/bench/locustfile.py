"""Locust load for `make bench`: every page under test, plus the trivial view, in one run.

Each virtual user cycles through all pages at random with no think time (closed loop: it sends
its next request as soon as the previous answer is in). It acts as the bench applicant (its own
draft application, so autosaves do not collide), the bench juror, the call manager, the finance
officer, or an anonymous visitor of the register, by sending that person's session cookie: the
sessions were created by `generate_bench_data`, so no login form (and no second factor) is
driven. Requests carry `X-Forwarded-Proto: https`, as behind the production TLS proxy.

    BENCH_PLAN=var/bench/plan.json locust -f tests/bench/locustfile.py --headless -u 10 …
"""

import itertools
import json
import os
import secrets

from locust import constant
from locust.contrib.fasthttp import FastHttpUser

from tests.bench.pages import HTMX, PAGES, VERSION, post_data, url_for

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115
NUMBERS = itertools.count()


def _make_task(label, role, method, key):
    def run(user):
        user.hit(label, role, method, key)

    run.__name__ = "task_" + key
    return run


class PortalUser(FastHttpUser):
    wait_time = constant(0)
    tasks = [_make_task(*page) for page in PAGES]

    def on_start(self):
        self.n = next(NUMBERS)
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        self.versions: dict[str, int] = {}
        self.saves = 0

    def _headers(self, role, method, key):
        headers = {"X-Forwarded-Proto": "https"}
        cookies = [f"csrftoken={self.csrf}"]
        if role:
            cookies.append(f"sessionid={PLAN['sessions'][role]}")
        headers["Cookie"] = "; ".join(cookies)
        if method == "POST":
            headers["X-CSRFToken"] = self.csrf
            headers["Origin"] = "https://" + self.host.split("://", 1)[1]
        if key in HTMX:
            headers["HX-Request"] = "true"
        return headers

    def hit(self, label, role, method, key):
        url = url_for(PLAN, key, self.n)
        kwargs = {
            "name": label,
            "headers": self._headers(role, method, key),
            "allow_redirects": False,
            "catch_response": True,
        }
        if method == "POST":
            self.saves += 1
            kwargs["data"] = post_data(key, self.versions.get(url), self.saves)
        with self.client.request(method, url, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            if key == "autosave":
                found = VERSION.search(response.content or b"")
                if found:
                    self.versions[url] = int(found.group(1))
                if b"text-success" not in (response.content or b""):
                    response.failure("autosave did not save")
                    return
            response.success()
