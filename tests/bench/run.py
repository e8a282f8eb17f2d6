"""`make bench`: measure the portal under realistic and peak load and write BENCHMARKS.md.

    .venv/bin/python tests/bench/run.py --scale 1 --seed 2025

1. A fresh PostgreSQL database `cot_bench` (copied from a migrated template that is kept while
   the migrations do not change), static files collected with the production storage (kept
   while the sources do not change), and the data set of `generate_bench_data`.
2. gunicorn with the production settings (DEBUG off, tests/bench/settings.py only adds a trivial
   view) and a fixed number of sync workers; a Celery worker with 2 processes on Redis.
3. The query count of every page (Django test client, in process).
4. locust, headless, from a second process: 1, 10 and 20 concurrent users, every page and the
   trivial view in the same run; p50/p95/p99 and throughput, and each page's p95 as a ratio to
   the trivial view's.
5. Ranking and envelope of the ranking call; decision letters (render time against a minimal
   WeasyPrint page, and the batch of one call through Celery); the deadline burst (every lead
   applicant of the open call submits within one minute); peak RSS of the web and Celery workers.
6. BENCHMARKS.md (and var/bench/results.json).

Every process this script starts runs in its own process group and is stopped in a `finally`.
"""

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import psutil
import psycopg2
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.pages import PAGES, TRIVIAL  # noqa: E402

BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
VAR = ROOT / "var" / "bench"
LOGS = VAR / "logs"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DB_NAME = "cot_bench"
REDIS_DB = 7
GOAL_RATIO = 2.0
GOAL_USERS = 20


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- processes ------------------------------------------------------------------------------


class Processes:
    """The processes started here, each in its own process group; stop() ends them all."""

    def __init__(self):
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name, args, env) -> subprocess.Popen:
        LOGS.mkdir(parents=True, exist_ok=True)
        out = open(LOGS / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))
        return process

    def stop(self):
        for name, process in reversed(self.started):
            if process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in time: SIGKILL")
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)


def run(args, env, timeout, name=None) -> str:
    """A command that must succeed; its output goes to a log (and is returned)."""
    started = time.perf_counter()
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if name:
        LOGS.mkdir(parents=True, exist_ok=True)
        (LOGS / f"{name}.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, args))} failed ({result.returncode}) after "
            f"{time.perf_counter() - started:.0f} s:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def measure(what, env, plan_path, timeout=900, *extra) -> dict:
    """tests/bench/measure.py in its own process; `what` may name several measurements."""
    names = what.split()
    out = run(
        [PYTHON, "tests/bench/measure.py", *names, "--plan", str(plan_path), *extra],
        env,
        timeout,
        name="measure-" + "-".join(names),
    )
    return json.loads(out.strip().splitlines()[-1])


def wait_for_celery(process, timeout=120) -> None:
    deadline = time.time() + timeout
    while "ready." not in (LOGS / "celery.log").read_text():
        if time.time() > deadline or process.poll() is not None:
            raise RuntimeError(f"the Celery worker did not start; see {LOGS / 'celery.log'}")
        time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, headers, timeout, process) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode}); see {LOGS}")
        try:
            if requests.get(url, headers=headers, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


# --- database and static files ----------------------------------------------------------------


def admin_connection():
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    return connection


def tree_hash(*paths: Path, pattern="*", content=False) -> str:
    """A short hash of the files under `paths`: their contents, or their sizes and times."""
    digest = hashlib.sha256()
    for base in paths:
        for path in sorted(base.rglob(pattern)) if base.exists() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                if content:
                    digest.update(path.read_bytes())
                else:
                    stat = path.stat()
                    digest.update(f":{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:10]


def database(env) -> str:
    """A fresh `cot_bench`, copied from a migrated template (made once per set of migrations)."""
    migrations = [
        p for p in ROOT.glob("**/migrations") if not {".venv", "node_modules"} & set(p.parts)
    ]
    template = f"cot_bench_tpl_{tree_hash(*migrations, pattern='*.py', content=True)}"
    connection = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(r"SELECT datname FROM pg_database WHERE datname LIKE 'cot\_bench\_tpl\_%'")
        templates = [row[0] for row in cursor.fetchall()]
        for old in templates:
            if old != template:
                cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
        if template not in templates:
            log(f"migrating a new template database {template} (once per set of migrations)")
            cursor.execute(f'CREATE DATABASE "{template}"')
            try:
                run(
                    [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
                    {**env, "DATABASE_URL": db_url(template)},
                    900,
                    name="migrate",
                )
            except Exception:
                cursor.execute(f'DROP DATABASE IF EXISTS "{template}"')
                raise
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{template}"')
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version


def db_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def static_files(env) -> bool:
    """collectstatic with the production (manifest) storage, skipped while nothing changed."""
    sources = [ROOT / "static", ROOT / "node_modules" / "bootstrap" / "dist"]
    sources += [ROOT / "node_modules" / "htmx.org" / "dist"]
    sources += [p for p in ROOT.glob("*/static") if p.name == "static" and p.parent != ROOT]
    sources += list(ROOT.glob("cot_portal/*/static"))
    stamp = VAR / "staticfiles" / ".bench-stamp"
    wanted = tree_hash(*sources)
    if stamp.exists() and stamp.read_text() == wanted:
        return False
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, 900, name="collectstatic")
    stamp.write_text(wanted)
    return True


# --- memory ------------------------------------------------------------------------------------


class MemorySampler(threading.Thread):
    """Peak RSS of the gunicorn workers and the Celery pool processes, every half second."""

    def __init__(self, roles: dict[str, subprocess.Popen]):
        super().__init__(daemon=True)
        self.roles = roles
        self.peak = {role: 0 for role in roles}
        self.hwm = {role: 0 for role in roles}
        self.running = True

    def children(self, process):
        try:
            return psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            return []

    def sample(self):
        for role, process in self.roles.items():
            for child in self.children(process):
                try:
                    self.peak[role] = max(self.peak[role], child.memory_info().rss)
                    status = Path(f"/proc/{child.pid}/status").read_text()
                    found = re.search(r"VmHWM:\s+(\d+) kB", status)
                    if found:
                        self.hwm[role] = max(self.hwm[role], int(found.group(1)) * 1024)
                except (psutil.Error, OSError):
                    pass

    def run(self):
        while self.running:
            self.sample()
            time.sleep(0.5)

    def stop(self) -> dict:
        self.running = False
        self.sample()
        return {role: max(self.peak[role], self.hwm[role]) for role in self.roles}


# --- load ----------------------------------------------------------------------------------------


def locust(env, host, users, seconds, prefix) -> dict:
    args = [
        str(BIN / "locust"),
        "-f",
        "tests/bench/locustfile.py",
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        host,
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    if prefix:
        args += ["--csv", str(prefix)]
    run(args, env, seconds + 120, name=f"locust-{users}")
    if not prefix:
        return {}
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                continue
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
                "mean": float(row["Average Response Time"]),
            }
    failures_file = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_file.exists():
        with open(failures_file, newline="") as fh:
            failures = [dict(r) for r in csv.DictReader(fh)]
    trivial = rows.get(TRIVIAL, {}).get("p95") or 1.0
    for row in rows.values():
        row["ratio_p95"] = round(row["p95"] / trivial, 2)
    return {"pages": rows, "failures": failures[:20]}


def burst(plan, host, window: float, seed: int) -> dict:
    """Every lead applicant of the open call submits once, spread at random over `window` s."""
    rng = random.Random(seed)
    items = plan["burst"]
    offsets = sorted(rng.uniform(0, window) for _n in items)
    origin = "https://" + host.split("://", 1)[1]
    started = time.perf_counter()
    wall_start = time.time()

    def submit(item, offset):
        delay = started + offset - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        token = secrets.token_hex(16)
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": f"sessionid={item['session']}; csrftoken={token}",
            "X-CSRFToken": token,
            "Origin": origin,
        }
        begin = time.perf_counter()
        try:
            response = requests.post(
                host + item["url"], headers=headers, allow_redirects=False, timeout=120
            )
            status = response.status_code
        except requests.RequestException as exc:
            status = f"error: {type(exc).__name__}"
        return status, (time.perf_counter() - begin) * 1000

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        results = list(pool.map(submit, items, offsets))
    latencies = sorted(ms for status, ms in results)
    ok = sum(1 for status, ms in results if status == 302)
    return {
        "submitted": len(items),
        "window_s": round(window, 1),
        "answered_302": ok,
        "other_answers": sorted({str(s) for s, ms in results if s != 302}),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(latencies[-1], 1),
        "wall_start": wall_start,
    }


def percentile(values, p):
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- the report ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{sha} (with uncommitted changes in the working tree)" if dirty else sha


def mb(value) -> str:
    return f"{value / 1024**2:.0f} MB"


def fmt(value, digits=0) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")


def goal_rows(results, users=GOAL_USERS) -> list[tuple[str, float]]:
    """(page, p95 ÷ trivial) at `users` concurrent users, the trivial view left out."""
    pages = results["load"].get(str(users), {}).get("pages", {})
    return [(label, pages[label]["ratio_p95"]) for label, *_r in PAGES if label in pages][1:]


def report(results: dict) -> str:
    r = results
    b, k, lt, batch = r["burst"], r["ranking"], r["letters"], r["letters_batch"]
    goals = goal_rows(r)
    alone = goal_rows(r, users=1) or goals
    missed = [label for label, ratio in goals if ratio > GOAL_RATIO]
    trivial_ms = r["queries"][TRIVIAL]["ms"] or 1.0
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {r['date']} at commit {r['commit']}.",
        "",
        "Reproduce with:",
        "",
        "```sh",
        r["command"],
        "```",
        "",
        "## Summary",
        "",
        f"- **Pages at {GOAL_USERS} concurrent users**: p95 at most {GOAL_RATIO:g}× the trivial"
        " view's p95 in the same run — "
        + ("met by every page" if not missed else f"missed by {', '.join(missed)}")
        + f" (ratios {min(x for _l, x in goals):.2f}–{max(x for _l, x in goals):.2f}). At"
        f" {GOAL_USERS} closed-loop users the {r['workers']} workers are saturated and every request"
        " waits in the same queue, so the ratio mostly measures that queue. Without a queue"
        f" (1 user) the ratios are {min(x for _l, x in alone):.1f}–{max(x for _l, x in alone):.1f}"
        f" ({max(alone, key=lambda row: row[1])[0]} the highest); the service time of each page"
        " alone is in the query table below.",
        f"- **Deadline burst**: {b['check']['receipted']} of {b['submitted']} lead applicants"
        f" receipted within {b['window_s']:g} s; submit p95 {b['p95_ms']:.0f} ms.",
        f"- **Ranking and envelope** of {fmt(k['applications'])} applications × 7 jurors × 10"
        f" sub-criteria: {k['call_ranking_s']:.1f} s.",
        f"- **Decision letters**: {lt['ratio']:.1f}× a minimal one-page document per letter;"
        f" the batch of one call ({batch['issued']} letters) through Celery with 2 processes:"
        f" {batch['wall_s']:.0f} s.",
        f"- **Peak RSS**: web worker {mb(r['memory']['web'])}, Celery worker"
        f" {mb(r['memory']['celery'])}.",
        f"- **Queries**: constant per page (asserted from 10 to 1,000 rows in the test suite);"
        f" at this scale {min(q['queries'] for q in r['queries'].values())}–"
        f"{max(q['queries'] for q in r['queries'].values())} per page.",
        f"- **This run**: {r['phases']['total'] / 60:.1f} minutes in all, data generated in"
        f" {r['data']['generation_seconds']:.0f} s.",
        "",
        "## Machine",
        "",
        f"- {r['machine']['cores']} cores ({r['machine']['cpu']}), "
        f"{r['machine']['memory_gb']} GB memory, {r['machine']['os']}",
        f"- Python {r['machine']['python']}, PostgreSQL {r['postgres']}, Redis (local)",
        f"- load average when the run started: {' / '.join(map(str, r['machine']['load_average']))}"
        " (other processes shared the machine: the figures are noisy)",
        "",
        "## Set-up",
        "",
        f"- gunicorn, {r['workers']} sync workers (as `WEB_CONCURRENCY` in docker-compose.yml),"
        " production settings (`DEBUG=0`, secure cookies, HSTS, CSP, manifest static files,"
        " second factor for staff, a new database connection per request); requests carry"
        " `X-Forwarded-Proto: https` as behind the TLS proxy. `tests/bench/settings.py` only adds"
        " the trivial view.",
        "- Celery worker with 2 processes on Redis; beat does not run during the bench.",
        f"- locust {r['locust_version']}, headless, in its own process. Every virtual user picks"
        " the next page at random as soon as the previous answer is in (closed loop, no think"
        f" time), {r['duration']} s per user count after a warm-up. The users send the session"
        " cookies `generate_bench_data` created (applicant, juror, call manager and finance"
        " officer with a confirmed TOTP device); the register is visited anonymously.",
        "- The trivial view (the whole middleware with the applicant's session and one query on"
        " the same database) is in the same load; each page's p95 is divided by its p95.",
        f"- Data: scale {r['scale']:g}, seed {r['seed']}, generated through the ORM in bulk in"
        f" {r['data']['generation_seconds']:.0f} s (`manage.py generate_bench_data`).",
        "",
        "| data | count |",
        "|---|---:|",
    ]
    for label, count in r["data"]["counts"].items():
        lines.append(f"| {label.replace('_', ' ')} | {fmt(count)} |")
    for label, count in r["data"]["rows"].items():
        lines.append(f"| rows in {label} | {fmt(count)} |")
    lines += ["", "## Pages under load", ""]
    for users, data in r["load"].items():
        pages = data["pages"]
        total = sum(row["rps"] for row in pages.values())
        lines += [
            f"### {users} concurrent user{'s' if users != '1' else ''}"
            f" ({total:.1f} requests/s in all)",
            "",
            "| page | requests | failures | req/s | p50 ms | p95 ms | p99 ms | p95 ÷ trivial |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, *_rest in PAGES:
            row = pages.get(label)
            if row:
                lines.append(
                    f"| {label} | {row['requests']} | {row['failures']} | {row['rps']:.1f} |"
                    f" {row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} |"
                    f" {row['ratio_p95']:.2f} |"
                )
        if data.get("failures"):
            failures = "; ".join(
                f"{f.get('Name')}: {f.get('Error')} ×{f.get('Occurrences')}"
                for f in data["failures"]
            )
            lines += ["", f"Failures: {failures}"]
        lines.append("")
    lines += [
        "## Deadline burst",
        "",
        f"{b['submitted']} lead applicants submit their complete application within"
        f" {b['window_s']:g} s (each at a random moment, {r['workers']} web workers). The receipt"
        " time is the request's (taken under the application's row lock); the snapshot PDF and"
        " the receipt letter follow in Celery.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| answered with the receipt (redirect to the dossier) | {b['answered_302']} of"
        f" {b['submitted']} |",
        f"| submissions stored with their receipt time | {b['check']['receipted']} of"
        f" {b['submitted']} |",
        f"| submit request p50 / p95 / p99 / max | {b['p50_ms']:.0f} / {b['p95_ms']:.0f} /"
        f" {b['p99_ms']:.0f} / {b['max_ms']:.0f} ms |",
        f"| snapshot PDFs and receipt letters rendered by Celery |"
        f" {b['check']['documents_rendered']} within {b['check']['rendered_within_s']:g} s of the"
        " first submission |",
        "",
    ]
    if b["other_answers"]:
        lines += [f"Other answers: {', '.join(b['other_answers'])}", ""]
    lines += [
        "## Ranking and envelope",
        "",
        f"The ranking call: {fmt(k['applications'])} admissible applications × 7 jurors × 10"
        f" sub-criteria ({fmt(k['sheets'])} sheets, {fmt(k['scores'])} scores), measured in"
        " process with `scoring.selectors_ranking` as the ranking page uses it.",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| gather applications, counted sheets, scores, reviews, costs ({k['queries']} queries) |"
        f" {k['gather_s']:.2f} |",
        f"| consensus, sections, thresholds and award per application | {k['consensus_s']:.2f} |",
        f"| rank (R-RANK, R-DOUBT, R-EXTRA) and walk the envelope | {k['rank_and_envelope_s']:.3f} |",
        f"| in all (`call_ranking`; {fmt(k['funded'])} funded) | {k['call_ranking_s']:.2f}"
        f" (CPU {k['cpu_s']:.2f}) |",
        "",
        "## Decision letters",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| minimal one-page WeasyPrint document (median) | {lt['minimal_ms']:.0f} ms |",
        f"| decision letter, median of {lt['letters']} (approval {lt['approval_ms']:.0f} ms,"
        f" rejection {lt['rejection_ms']:.0f} ms) | {lt['letter_ms']:.0f} ms |",
        f"| per-letter render time ÷ minimal document | {lt['ratio']:.1f}× |",
        f"| batch of one call through Celery (2 processes): {batch['issued']} of"
        f" {batch['letters']} letters rendered, stored and queued for e-mail |"
        f" {batch['wall_s']:.1f} s ({batch['per_letter_s']:.2f} s per letter) |",
        "",
        "## Memory",
        "",
        "| process | peak RSS |",
        "|---|---:|",
        f"| gunicorn web worker (largest of {r['workers']}) | {mb(r['memory']['web'])} |",
        f"| Celery worker process (largest of 2) | {mb(r['memory']['celery'])} |",
        "",
        "## Queries and service time per page",
        "",
        "The Django test client in process on the bench database (no HTTP server, no queue):"
        " the query count and the median of several requests after a warm-up. The test suite"
        " asserts for each page that its count stays the same when its rows grow from 10 to"
        " 1,000 (`tests/integration/test_query_counts.py`).",
        "",
        "| page | queries | ms | CPU ms | ms ÷ trivial |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, *_rest in PAGES:
        q = r["queries"].get(label)
        if q:
            lines.append(
                f"| {label} | {q['queries']} | {q['ms']:.0f} | {q['cpu_ms']:.0f} |"
                f" {q['ms'] / trivial_ms:.1f} |"
            )
    lines.append("")
    if r.get("profiles"):
        lines += ["## Profiles of the pages that missed the goal", ""]
        for p in r["profiles"]:
            lines.append(f"- {p['page']}: `{p['profile']}` ({p['queries']} queries)")
        lines.append("")
    fixes = ROOT / "tests" / "bench" / "fixes.md"
    if fixes.exists():
        lines += [fixes.read_text().strip(), ""]
    lines += ["## Runtime of this run", "", "| phase | seconds |", "|---|---:|"]
    for phase, seconds in r["phases"].items():
        lines.append(f"| {phase} | {seconds:.0f} |")
    lines.append("")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    parser.add_argument("--users", default="1,10,20")
    parser.add_argument("--duration", type=int, default=0, help="seconds per user count")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the report again from var/bench/results.json, without measuring",
    )
    args = parser.parse_args()
    if args.report_only:
        Path(args.out).write_text(report(json.loads((VAR / "results.json").read_text())))
        return
    began = time.perf_counter()
    duration = args.duration or (60 if args.scale >= 1 else 12 if args.scale <= 0.1 else 30)
    phases: dict[str, float] = {}
    mark = [time.perf_counter()]

    def phase(name):
        now = time.perf_counter()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now
        log(f"{name}: {phases[name]:.0f} s")

    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "COT_ALLOW_INSECURE_KEY",
            "CELERY_TASK_ALWAYS_EAGER",
            "COT_REQUIRE_2FA",
            "DB_CONN_MAX_AGE",
            "SECURE_SSL_REDIRECT",
            "EMAIL_BACKEND",
            "CELERY_RESULT_BACKEND",
        }
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=db_url(DB_NAME),
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        COT_VAR_DIR=str(VAR),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        PYTHONPATH=str(ROOT),
    )
    keep = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
    keep += ("COT_VAR_DIR", "DJANGO_SETTINGS_MODULE")
    (VAR / "bench.env").write_text("".join(f"{key}={env[key]}\n" for key in keep))
    (VAR / "bench.env").chmod(0o600)  # the bench's own random key, for profiling by hand
    results = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit(),
        "command": f"make bench SCALE={args.scale:g}"
        + (f" SEED={args.seed}" if args.seed != 2025 else "")
        + f"   # = .venv/bin/python tests/bench/run.py --scale {args.scale:g} --seed {args.seed}",
        "machine": machine(),
        "scale": args.scale,
        "seed": args.seed,
        "workers": args.workers,
        "duration": duration,
        "locust_version": run([str(BIN / "locust"), "--version"], env, 60).split()[1],
    }
    log(
        f"scale {args.scale:g}, seed {args.seed}, {args.workers} web workers, {duration} s per load"
    )
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    for folder in ("media", "mail", "locust"):
        subprocess.run(["rm", "-rf", str(VAR / folder)], check=False)
    (VAR / "locust").mkdir(parents=True, exist_ok=True)
    results["postgres"] = database(env)
    phase("database from the migrated template")
    if static_files(env):
        phase("collectstatic (production storage; cached afterwards)")
    plan_path = VAR / "plan.json"
    run(
        [
            PYTHON,
            "manage.py",
            "generate_bench_data",
            "--seed",
            str(args.seed),
            "--scale",
            str(args.scale),
            "--plan",
            str(plan_path),
        ],
        env,
        900,
        name="generate",
    )
    plan = json.loads(plan_path.read_text())
    results["data"] = {
        "generation_seconds": plan["generation_seconds"],
        "counts": plan["counts"],
        "rows": plan["rows"],
        "timings": plan["timings"],
    }
    phase("generate the data")

    processes = Processes()
    sampler = None
    try:
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        worker_env = {**env, "DJANGO_SETTINGS_MODULE": "cot_portal.settings"}
        celery = processes.start(
            "celery",
            [str(BIN / "celery"), "-A", "cot_portal", "worker", "-c", "2", "--loglevel", "INFO"],
            worker_env,
        )
        web = processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "cot_portal.wsgi:application",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "10",
                "--log-level",
                "warning",
            ],
            env,
        )
        sampler = MemorySampler({"web": web, "celery": celery})
        sampler.start()
        wait_for(f"{host}/bench/trivial/", {"X-Forwarded-Proto": "https"}, 120, web)
        phase("start gunicorn (and Celery)")

        repeat = "5" if args.scale >= 1 else "3"
        results["queries"] = measure("queries", env, plan_path, 900, "--repeat", repeat)
        phase("query counts and in-process times")

        locust_env = {**env, "BENCH_PLAN": str(plan_path)}
        locust(locust_env, host, 4, max(4, duration // 3), None)
        phase("warm-up")
        results["load"] = {}
        for users in [int(u) for u in args.users.split(",")]:
            prefix = VAR / "locust" / f"u{users}"
            results["load"][str(users)] = locust(locust_env, host, users, duration, prefix)
            phase(f"load with {users} users")

        results["profiles"] = []
        top = results["load"].get(str(GOAL_USERS), {}).get("pages", {})
        if not args.no_profile:
            for label, row in top.items():
                if label != TRIVIAL and row["ratio_p95"] > GOAL_RATIO:
                    results["profiles"].append(
                        measure("profile", env, plan_path, 300, "--page", label)
                    )
            if results["profiles"]:
                phase("profile the pages that missed the goal")

        count = 10 if args.scale >= 1 else 6
        wait_for_celery(celery)
        batch = measure(
            "ranking letters letters-batch",
            env,
            plan_path,
            1800,
            "--count",
            str(count),
            "--timeout",
            "900",
        )
        results["ranking"] = batch["ranking"]
        results["letters"] = batch["letters"]
        results["letters_batch"] = batch["letters-batch"]
        phase("ranking, letter rendering and the letter batch through Celery")

        window = max(6.0, 60.0 * min(1.0, args.scale))
        results["burst"] = burst(plan, host, window, args.seed)
        wait = 60 if args.scale >= 1 else 10
        results["burst"]["check"] = measure(
            "burst-check",
            env,
            plan_path,
            300,
            "--wait",
            str(wait),
            "--since",
            str(results["burst"].pop("wall_start")),
        )
        phase("deadline burst")
        results["memory"] = sampler.stop()
    finally:
        if sampler is not None:
            sampler.running = False
        processes.stop()
    phase("stop")
    phases["total"] = round(time.perf_counter() - began, 1)
    results["phases"] = phases
    (VAR / "results.json").write_text(json.dumps(results, indent=2, default=str))
    Path(args.out).write_text(report(results))
    log(f"wrote {args.out} in {phases['total']:.0f} s")


if __name__ == "__main__":
    main()
