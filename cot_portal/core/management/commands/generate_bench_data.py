"""`manage.py generate_bench_data --seed 2025 --scale 1 --plan var/bench/plan.json`

Fills an empty, migrated PostgreSQL database with the benchmark volume (cot_portal/core/
bench_data.py) and writes the plan the load driver reads: the bench users' session cookies and
the addresses of the pages under test. Used by `make bench` (tests/bench/run.py).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cot_portal.core.bench_data import generate


class Command(BaseCommand):
    help = "Generate the reproducible benchmark data set (PostgreSQL) from a seed and a scale."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--plan", default="", help="Write the plan (JSON) to this file.")

    def handle(self, *args, seed, scale, plan, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark data set is generated on PostgreSQL only.")
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        self.stdout.write(f"Generating the bench data: seed {seed}, scale {scale:g}")
        result = generate(seed=seed, scale=scale, log=self.stdout.write)
        self.stdout.write(f"Done in {result['generation_seconds']:.1f} s")
        for label, count in result["rows"].items():
            self.stdout.write(f"  {label}: {count}")
        if plan:
            path = Path(plan)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=2, default=str))
