"""``tokutei bench``: measure import, lookup through ``tokutei serve``, log append and verification against
raw baselines; ``tokutei bench gen-jlis``: write a synthetic J-LIS bulk-acquisition file.

The harness is a development tool kept out of the shipped package (``benchmarks/tokutei_bench`` in a
source checkout); ``gen-jlis`` works from any installation.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def bench_package():
    """Import ``tokutei_bench`` from the source checkout's ``benchmarks/`` directory."""
    import importlib
    import sys

    where = Path(settings.BASE_DIR) / "benchmarks"
    if not (where / "tokutei_bench").is_dir():
        raise CommandError("tokutei bench は開発用の道具です。ソースのチェックアウト（benchmarks/ があるところ）で "
                           "`pip install -e .[dev]` してから実行してください。")
    if str(where) not in sys.path:
        sys.path.insert(0, str(where))
    return importlib.import_module("tokutei_bench.harness")


class Command(BaseCommand):
    help = "性能測定（取込・照会・操作履歴）と、合成 J-LIS 一括取得ファイルの生成（gen-jlis）"

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="run", choices=["run", "gen-jlis"])
        # gen-jlis
        parser.add_argument("--rows", type=int, default=1000, help="gen-jlis: data rows (bad ones included)")
        parser.add_argument("--bad", type=int, default=0, help="gen-jlis: how many rows are deliberately wrong")
        parser.add_argument("--out", default=None, help="gen-jlis: CSV path; run: JSON result path")
        parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp932"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--org-key-header", default="年金証書番号")
        parser.add_argument("--shuffle-columns", action="store_true")
        # run
        parser.add_argument("--database-url", default=None,
                            help="PostgreSQL server to measure on (a database tokutei_bench_<pid> is created and dropped)")
        parser.add_argument("--engines", default=None, help="sqlite,postgresql (default: sqlite, plus postgresql with --database-url)")
        parser.add_argument("--quick", action="store_true", help="tiny sizes (seconds): for tests and smoke runs")
        parser.add_argument("--n", type=int, default=None, help="rows for the import-rate figure")
        parser.add_argument("--memory-sizes", default=None, help="comma-separated row counts for peak memory")
        parser.add_argument("--skip", default="", help="comma-separated: import,memory,log,lookup")
        parser.add_argument("--requests", type=int, default=None, help="HTTP lookups per concurrency level")
        parser.add_argument("--scale", type=int, default=0,
                            help="scale run: the organisation grows to this many people (e.g. 5000000)")
        parser.add_argument("--scale-base", type=int, default=None,
                            help="scale run: the small size to compare with (default 300000)")

    def handle(self, *args, **o):
        if o["action"] == "gen-jlis":
            return self._gen(o)
        harness = bench_package()
        Plan, run = harness.Plan, harness.run
        plan = Plan.quick() if o["quick"] else Plan()
        if o["scale"]:
            plan.scale = o["scale"]
        if o["scale_base"]:
            plan.scale_base = o["scale_base"]
        if o["n"]:
            plan.n = o["n"]
        if o["memory_sizes"]:
            plan.memory_sizes = tuple(int(x) for x in o["memory_sizes"].split(","))
        if o["requests"]:
            plan.lookup_requests = o["requests"]
        engines = (o["engines"].split(",") if o["engines"] else
                   ["sqlite", *(["postgresql"] if o["database_url"] else [])])
        out = Path(o["out"]) if o["out"] else (
            Path("benchmarks/results") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{'-'.join(engines)}.json")
        run(plan=plan, database_url=o["database_url"], engines=engines, out=out, log=self.stdout.write,
            skip={s for s in o["skip"].split(",") if s})

    def _gen(self, o):
        from tokutei.bulk.synthetic import generate

        if not o["out"]:
            raise CommandError("--out が必要です")
        t0 = time.perf_counter()
        stats = generate(o["out"], rows=o["rows"], bad=o["bad"], encoding=o["encoding"], seed=o["seed"],
                         org_key_header=o["org_key_header"] or None, shuffle_columns=o["shuffle_columns"])
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(stats.bad.items()))
        self.stdout.write(f"{o['out']}: {stats.rows:,} 行（正常 {stats.good:,}、誤り {stats.bad_total:,}: {kinds}）"
                          f" {time.perf_counter() - t0:.1f} 秒")
