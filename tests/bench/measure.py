"""In-process measurements of the benchmark, run by tests/bench/run.py against the bench database.

    python tests/bench/measure.py queries        --plan var/bench/plan.json [--repeat 5]
    python tests/bench/measure.py ranking        --plan …
    python tests/bench/measure.py letters        --plan … [--count 10]
    python tests/bench/measure.py letters-batch  --plan … [--timeout 600]
    python tests/bench/measure.py burst-check    --plan … --wait 60
    python tests/bench/measure.py profile        --plan … --page "ranking page"

Several measurements may be named at once (one Django start-up); the result is one JSON object on
the last line. The environment (DATABASE_URL, SECRET_KEY, DEBUG=0, DJANGO_SETTINGS_MODULE=
tests.bench.settings, CELERY_BROKER_URL) is set by the driver, which also writes it to
var/bench/bench.env after a run, so that a page can be profiled again by hand:

    set -a; . var/bench/bench.env; set +a
    .venv/bin/python tests/bench/measure.py profile --plan var/bench/plan.json --page "ranking page"
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tests.bench.pages import HTMX, PAGES, VERSION, post_data, url_for  # noqa: E402

HOST = "127.0.0.1"


def client_for(plan, role) -> Client:
    client = Client(HTTP_HOST=HOST)
    if role:
        client.cookies[settings.SESSION_COOKIE_NAME] = plan["sessions"][role]
    return client


def request(client, method, url, data=None, htmx=False):
    extra = {"secure": True}
    if htmx:
        extra["HTTP_HX_REQUEST"] = "true"
    if method == "POST":
        return client.post(url, data or {}, **extra)
    return client.get(url, **extra)


def current_version(client, plan) -> int | None:
    response = request(client, "GET", url_for(plan, "section"))
    found = VERSION.search(response.content)
    return int(found.group(1)) if found else None


def queries(plan, repeat: int = 5) -> dict:
    """Status and query count of each page, and its median time over `repeat` requests (after
    one warm-up request), in process: the service time without the HTTP server and queueing."""
    rows = {}
    for label, role, method, key in PAGES:
        client = client_for(plan, role)
        url = url_for(plan, key)
        timings, cpu, status, count = [], [], None, None
        for attempt in range(repeat + 1):
            data = None
            if method == "POST":
                version = current_version(client, plan) if key == "autosave" else None
                data = post_data(key, version, attempt)
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as captured:
                response = request(client, method, url, data, htmx=key in HTMX)
            if attempt:
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            status, count = response.status_code, len(captured.captured_queries)
        rows[label] = {
            "status": status,
            "queries": count,
            "ms": round(statistics.median(timings) * 1000, 1),
            "cpu_ms": round(statistics.median(cpu) * 1000, 1),
        }
    return rows


def ranking_figures(plan) -> dict:
    """R-RANK with the envelope walk over the ranking call (5,000 × 7 jurors × 10 at scale 1)."""
    from applications.models import Call
    from scoring import ranking
    from scoring.models import ApplicationCriterionScore, ApplicationScoreSheet
    from scoring.selectors_ranking import call_summaries

    call = Call.objects.get(year=plan["calls"]["ranking"])
    sheets = ApplicationScoreSheet.objects.filter(application__call=call).count()
    scores = ApplicationCriterionScore.objects.filter(sheet__application__call=call).count()
    started, started_cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as captured:
        summaries = call_summaries(call)
    gathered = time.perf_counter()
    candidates = [s.candidate() for s in summaries]
    summarised = time.perf_counter()
    ranked = ranking.rank(candidates)
    positions = {s.application.pk: s.adjustment.position for s in summaries if s.adjustment}
    walked = ranking.walk_envelope(ranking.apply_adjustments(ranked, positions), call.envelope)
    walked_at, cpu = time.perf_counter(), time.process_time() - started_cpu
    funded = sum(1 for o in walked if o.outcome == ranking.FUNDED)
    return {
        "applications": len(summaries),
        "sheets": sheets,
        "scores": scores,
        "queries": len(captured.captured_queries),
        "gather_s": round(gathered - started, 2),
        "consensus_s": round(summarised - gathered, 2),
        "rank_and_envelope_s": round(walked_at - summarised, 3),
        "call_ranking_s": round(walked_at - started, 2),
        "cpu_s": round(cpu, 2),
        "funded": funded,
    }


MINIMAL = "<!doctype html><html><body><p>Hallo.</p></body></html>"


def letter_figures(plan, count: int) -> dict:
    """Render decision letters (approval and rejection) and a minimal one-page document."""
    from weasyprint import HTML

    from cot_portal.letters.rendering import render_pdf
    from scoring.models import DecisionOutcome
    from scoring.services_decision_letters import decision_letter

    HTML(string=MINIMAL).write_pdf()  # warm-up: fonts and caches
    minimal = []
    for _n in range(max(5, count)):
        started = time.perf_counter()
        HTML(string=MINIMAL).write_pdf()
        minimal.append(time.perf_counter() - started)
    outcomes = DecisionOutcome.objects.filter(
        decision__call__year=plan["calls"]["letters"]
    ).select_related(
        "decision",
        "application",
        "application__call",
        "application__organisation",
        "application__created_by",
    )
    approved = list(outcomes.filter(approved=True).order_by("rank")[: count // 2])
    rejected = list(outcomes.filter(approved=False).order_by("rank")[: count - len(approved)])
    chosen = approved + rejected
    subject, template_name, context = decision_letter(chosen[0])
    render_pdf(template_name, {**context, "subject": subject})  # warm-up
    times = {"approval": [], "rejection": []}
    pages = []
    for outcome in chosen:
        subject, template_name, context = decision_letter(outcome)
        started = time.perf_counter()
        pdf = render_pdf(template_name, {**context, "subject": subject})
        times["approval" if outcome.approved else "rejection"].append(time.perf_counter() - started)
        pages.append(pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"))
    every = times["approval"] + times["rejection"]
    minimal_median = statistics.median(minimal)
    letter_median = statistics.median(every)
    return {
        "minimal_ms": round(minimal_median * 1000, 1),
        "letter_ms": round(letter_median * 1000, 1),
        "approval_ms": round(statistics.median(times["approval"]) * 1000, 1)
        if times["approval"]
        else None,
        "rejection_ms": round(statistics.median(times["rejection"]) * 1000, 1)
        if times["rejection"]
        else None,
        "ratio": round(letter_median / minimal_median, 1),
        "letters": len(every),
    }


def letters_batch(plan, timeout: float) -> dict:
    """Queue the decision letters of one call through Celery and wait until every one exists."""
    from scoring import tasks
    from scoring.models import DecisionOutcome

    year = plan["calls"]["letters"]
    outcomes = DecisionOutcome.objects.filter(decision__call__year=year)
    total = outcomes.count()
    missing = outcomes.filter(letter__isnull=True).count()
    call_id = outcomes.values_list("decision__call_id", flat=True).first()
    started = time.perf_counter()
    tasks.issue_decision_letters.delay(call_id)
    done = 0
    while time.perf_counter() - started < timeout:
        done = outcomes.filter(letter__isnull=False).count()
        if done >= total:
            break
        time.sleep(0.25)
    wall = time.perf_counter() - started
    return {
        "letters": total,
        "missing_before": missing,
        "issued": done,
        "wall_s": round(wall, 1),
        "per_letter_s": round(wall / max(1, done), 2),
        "complete": done >= total,
    }


def burst_check(plan, wait: float, since: float) -> dict:
    """How many burst applications were receipted, and how many PDFs Celery rendered so far."""
    from applications.models import Submission

    ids = [b["id"] for b in plan["burst"]]
    submissions = Submission.objects.filter(application_id__in=ids)
    receipted = submissions.count()
    started = time.perf_counter()
    rendered = 0
    while True:
        rendered = submissions.filter(receipt__isnull=False).exclude(pdf="").count()
        if rendered >= receipted or time.perf_counter() - started >= wait:
            break
        time.sleep(0.5)
    times = sorted(submissions.values_list("submitted_at", flat=True))
    return {
        "applications": len(ids),
        "receipted": receipted,
        "first": times[0].isoformat() if times else None,
        "last": times[-1].isoformat() if times else None,
        "spread_s": round((times[-1] - times[0]).total_seconds(), 1) if times else None,
        "documents_rendered": rendered,
        "rendered_within_s": round(time.time() - since, 1),
    }


def profile(plan, label: str, out: Path) -> dict:
    """pyinstrument profile of one page request (after a warm-up), written as text."""
    from pyinstrument import Profiler

    role, method, key = next((r, m, k) for name, r, m, k in PAGES if name == label)
    client = client_for(plan, role)
    url = url_for(plan, key)
    data = post_data(key, current_version(client, plan) if key == "autosave" else None)
    request(client, method, url, data, htmx=key in HTMX)
    profiler = Profiler(interval=0.0005)
    with CaptureQueriesContext(connection) as captured:
        profiler.start()
        response = request(client, method, url, data, htmx=key in HTMX)
        profiler.stop()
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return {
        "page": label,
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "profile": str(out),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="+")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--wait", type=float, default=0)
    parser.add_argument("--since", type=float, default=0)
    parser.add_argument("--page", default="")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    plan = json.loads(Path(args.plan).read_text())
    results = {}
    for what in args.what:
        if what == "queries":
            results[what] = queries(plan, args.repeat)
        elif what == "ranking":
            results[what] = ranking_figures(plan)
        elif what == "letters":
            results[what] = letter_figures(plan, args.count)
        elif what == "letters-batch":
            results[what] = letters_batch(plan, args.timeout)
        elif what == "burst-check":
            results[what] = burst_check(plan, args.wait, args.since or time.time())
        elif what == "profile":
            name = args.page.replace(" ", "-").replace("(", "").replace(")", "")
            out = Path(args.out or f"var/bench/profile-{name}.txt")
            results[what] = profile(plan, args.page, out)
        else:
            parser.error(f"unknown measurement {what!r}")
    print(json.dumps(results if len(args.what) > 1 else results[args.what[0]]))


if __name__ == "__main__":
    main()
