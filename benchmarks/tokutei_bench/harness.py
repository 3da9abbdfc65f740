"""The benchmark harness: a throwaway database per engine, one subprocess per measurement, a table and JSON.

A development tool (benchmarks/, not shipped in the package): ``tokutei bench`` finds it in a source
checkout. The lookup figures come from ``tokutei serve`` as shipped (lookup.py).

Every figure stands beside a raw baseline measured in the same run on the same rows (benchmarks/README.md).
Nothing here touches the installation's own database: SQLite runs in a temporary directory, PostgreSQL in
a new database ``tokutei_bench_<pid>`` created on the server named by ``--database-url`` and dropped after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tokutei.bulk import synthetic

REPO = Path(__file__).resolve().parents[2]
BENCH_PATH = str(Path(__file__).resolve().parents[1])  # benchmarks/: where tokutei_bench is importable


@dataclass
class Figure:
    engine: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


@dataclass
class Plan:
    n: int = 100_000
    memory_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    log_per_writer: int = 500
    writers: int = 8
    # The log is grown to this many entries before it is verified: a year of a small office's operations, so
    # that the figure is the per-entry work and not the fixed cost of reading checkpoints and lanes.
    verify_entries: int = 100_000
    lookup_clients: tuple[int, ...] = (1, 8, 32)
    lookup_requests: int = 2_000
    lookup_people: int = 2_000
    bad: int = 300
    batch: int = 10_000
    # Scale run (--scale N): the import rate and the lookup p50 with the organisation at ``scale_base`` people
    # and again at ``scale`` people (0: no scale run).
    scale: int = 0
    scale_base: int = 300_000
    scale_requests: int = 400

    @classmethod
    def quick(cls) -> Plan:
        return cls(n=2_000, memory_sizes=(1_000, 4_000), log_per_writer=25, lookup_clients=(1, 8),
                   lookup_requests=80, lookup_people=50, bad=20, batch=500, verify_entries=0)


# The machine's own speed, probed between the measurements: a fixed amount of CPU work (SHA-256 over the
# same 256 bytes, in this process). On a shared host it can change by 2-3x within minutes, with nothing of
# ours running (2026-12-07: the raw chain over the same 21.9 MB took 0.042 s in one run, 0.14 s in the next);
# then a figure and its raw baseline, measured minutes apart, no longer share the conditions.
SPEED_DRIFT = 1.25  # fastest / slowest probe above this: the run is flagged


def speed_probe(iterations: int = 100_000) -> float:
    """SHA-256 digests per second of one 256-byte block, best of three short passes."""
    block, sha, best = bytes(range(256)), hashlib.sha256, 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(iterations):
            sha(block).digest()
        best = max(best, iterations / (time.perf_counter() - t0))
    return best


def speed_note(probes: list[dict[str, Any]]) -> str:
    """A warning when the machine's speed changed during the run by more than SPEED_DRIFT, else ''."""
    rates = [p["rate"] for p in probes]
    if len(rates) < 2 or min(rates) <= 0 or max(rates) / min(rates) <= SPEED_DRIFT:
        return ""
    slow = min(probes, key=lambda p: p["rate"])
    return (f"the machine's speed changed during this run: {max(rates) / min(rates):.1f}× between the fastest and "
            f"the slowest probe (slowest {slow['at']}); a figure and its baseline measured minutes apart may not "
            "share the conditions — compare runs only where the probes agree")


class Engine:
    """A throwaway database and the environment that points a subprocess at it."""

    def __init__(self, name: str, url: str | None, workdir: Path):
        self.name = name
        self.workdir = workdir
        self.data_dir = workdir / f"data-{name}"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.admin_url = url
        self.db_name = ""
        if name == "postgresql":
            assert url is not None
            self.db_name = f"tokutei_bench_{os.getpid()}"
            parts = urlsplit(url)
            self.url = urlunsplit((parts.scheme, parts.netloc, "/" + self.db_name, parts.query, ""))
            self._admin("DROP DATABASE IF EXISTS {db}")
            self._admin("CREATE DATABASE {db}")
        else:
            self.url = f"sqlite:///{self.data_dir / 'bench.sqlite3'}"
        self.env = {**os.environ, "DATABASE_URL": self.url, "TOKUTEI_DATA_DIR": str(self.data_dir),
                    "TOKUTEI_SECRET_KEY": secrets.token_urlsafe(32), "TOKUTEI_SECURE": "0",
                    "DJANGO_SETTINGS_MODULE": "tokutei.settings", "TOKUTEI_LOG_LEVEL": "WARNING",
                    "TOKUTEI_ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.env.pop("TOKUTEI_TEST_DATABASE_URL", None)
        self.env["PYTHONPATH"] = os.pathsep.join([BENCH_PATH, *filter(None, [os.environ.get("PYTHONPATH")])])
        for name in ("TOKUTEI_KEY_DIR", "TOKUTEI_EXPORT_DIR", "TOKUTEI_STATIC_ROOT", "TOKUTEI_AUDIT_SIGNING_KEY",
                     "TOKUTEI_PIDFILE", "TOKUTEI_BIND"):
            self.env.pop(name, None)  # the bench instance's own places, under its data directory

    def _admin(self, sql: str) -> None:
        import psycopg

        parts = urlsplit(self.admin_url or "")
        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
        with psycopg.connect(admin, autocommit=True) as conn:
            if "DROP" in sql:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                             [self.db_name])
            conn.execute(sql.format(db=self.db_name))

    def run(self, task: str, args: dict[str, Any] | None = None, timeout: float = 3600) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, "-m", "tokutei_bench.worker", task, json.dumps(args or {})],
            env=self.env, capture_output=True, text=True, timeout=timeout, cwd=str(REPO),
        )
        if proc.returncode != 0:
            raise RuntimeError(f"bench task {task} failed on {self.name}:\n{proc.stderr[-4000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def close(self) -> None:
        if self.name == "postgresql":
            self._admin("DROP DATABASE IF EXISTS {db}")


def run(*, plan: Plan, database_url: str | None, engines: list[str], out: Path | None, log=print,
        workdir: Path | None = None, skip: set[str] | None = None) -> dict[str, Any]:
    skip = skip or set()
    own_tmp = workdir is None
    work = Path(workdir or tempfile.mkdtemp(prefix="tokutei-bench-"))
    figures: list[Figure] = []
    errors: list[dict[str, str]] = []
    files: dict[int, Path] = {}

    def data_file(rows: int) -> Path:
        if rows not in files:
            path = work / f"jlis-{rows}.csv"
            t0 = time.perf_counter()
            synthetic.generate(path, rows=rows, bad=min(plan.bad, rows // 10), seed=rows)
            log(f"  generated {rows:,} rows in {time.perf_counter() - t0:.1f}s ({path.stat().st_size / 1e6:.0f} MB)")
            files[rows] = path
        return files[rows]

    started = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()
    probes: list[dict[str, Any]] = []

    def probe(at: str) -> None:
        probes.append({"at": at, "rate": speed_probe(), "load_average": os.getloadavg()[0]})
        log(f"  machine speed {at}: {probes[-1]['rate']:,.0f} SHA-256/s (load {probes[-1]['load_average']:.1f})")

    probe("at the start")
    for engine_name in engines:
        if engine_name == "postgresql" and not database_url:
            log("postgresql: skipped (no --database-url)")
            continue
        engine = Engine(engine_name, database_url, work)
        try:
            try:
                log(f"[{engine_name}] setting up a fresh database")
                engine.run("setup")
                if "import" not in skip:
                    path = str(data_file(plan.n))
                    raw = engine.run("raw_import", {"path": path, "batch": plan.batch})
                    imp = engine.run("import", {"path": path, "batch": plan.batch})
                    base = "raw binary COPY" if engine_name == "postgresql" else "raw executemany"
                    figures.append(Figure(engine_name, f"import {plan.n:,} rows", imp["rate"], "rows/s", raw["rate"],
                                          base, "≥ 0.2× raw binary COPY", {"import": imp, "raw": raw}))
                    log(f"  import {imp['rate']:,.0f} rows/s vs {base} {raw['rate']:,.0f} rows/s")
                if "memory" not in skip:
                    for rows in plan.memory_sizes:
                        mem = engine.run("import", {"path": str(data_file(rows)), "batch": plan.batch})
                        figures.append(Figure(engine_name, f"peak RSS, import {rows:,} rows", mem["rss_peak_mb"], "MB",
                                              mem["rss_before_mb"], "RSS before import", "flat",
                                              {"import": mem}))
                        log(f"  {rows:,} rows: peak {mem['rss_peak_mb']:.0f} MB (before {mem['rss_before_mb']:.0f} MB), "
                            f"{mem['seconds']:.1f}s, {mem['rate']:,.0f} rows/s")
                if "log" not in skip:
                    la = engine.run("log_append", {"writers": plan.writers, "per_writer": plan.log_per_writer})
                    figures.append(Figure(engine_name, f"log append, {plan.writers} writers", la["rate"], "entries/s",
                                          la["raw_rate"], "raw committed single-row inserts", "≥ 0.5× raw", {"log": la}))
                    log(f"  log append {la['rate']:,.0f}/s vs raw {la['raw_rate']:,.0f}/s")
                    ver = engine.run("verify", {"entries": plan.verify_entries})
                    figures.append(Figure(engine_name, f"log verify ({ver['entries']:,} entries)", ver["rate"],
                                          "entries/s", ver["raw_rate"], "raw SHA-256 chain, same bytes", "≥ 0.2× raw",
                                          {"verify": ver}))
                    log(f"  verify {ver['rate']:,.0f}/s vs raw chain {ver['raw_rate']:,.0f}/s (ok={ver['ok']})")
                if "lookup" not in skip:
                    look = engine.run("lookup", {"clients": list(plan.lookup_clients), "requests": plan.lookup_requests,
                                                 "people": plan.lookup_people,
                                                 "server_log": str(work / f"serve-{engine_name}.log")})
                    log(f"  lookup through tokutei serve ({look['server']}, {look['server_workers']} workers × "
                        f"{look['server_threads']} threads; one lookup = POST /api/v1/vault/lookup, search + reveal)")
                    for c in look["results"]:
                        figures.append(Figure(engine_name, f"lookup via tokutei serve, {c['clients']} clients", c["rate"],
                                              "lookups/s", c["raw_rate"], "raw point lookup + committed insert",
                                              "32 clients ≥ 8 clients; p99 at 32 ≤ 200 ms", c))
                        log(f"  lookup x{c['clients']}: {c['rate']:,.0f}/s p50 {c['p50_ms']:.1f} ms "
                            f"p99 {c['p99_ms']:.1f} ms vs raw {c['raw_rate']:,.0f}/s (errors {c['errors']})")
                if plan.scale:
                    figures += _scale(engine, plan, work, log)
            except RuntimeError as exc:  # one failed measurement: report it, keep the figures so far
                log(f"  [{engine_name}] FAILED: {str(exc)[-1500:]}")
                errors.append({"engine": engine_name, "error": str(exc)[-4000:]})
        finally:
            engine.close()
        probe(f"after {engine_name}")
    note = speed_note(probes)
    result = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    # Other work on the machine skews absolute figures; the ratios share the conditions.
                    "load_average_start": load_start, "load_average_end": os.getloadavg(),
                    "speed_probes": probes, "speed_note": note},
        "plan": plan.__dict__,
        "figures": [{**f.__dict__, "ratio": f.ratio} for f in figures],
        "errors": errors,
    }
    checks = targets(figures)
    result["targets"] = checks
    log("")
    log(table(figures))
    log("")
    log("targets (issue 12; ratios and shapes, this run):")
    for c in checks:
        log(f"  [{'met' if c['met'] else 'NOT met'}] {c['engine']}: {c['target']} — {c['measured']}")
    if note:
        log(f"\nWARNING: {note}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        log(f"\nJSON: {out}")
    if own_tmp:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _scale(engine: Engine, plan: Plan, work: Path, log) -> list[Figure]:
    """Import ``scale_base`` people, measure; grow the organisation to ``scale`` people; import the last
    ``scale_base`` and measure again: the import rate and the lookup p50 at both sizes."""
    base, total = plan.scale_base, plan.scale
    fill = total - 2 * base
    if fill < 0:
        raise ValueError("--scale must be at least twice --scale-base")
    paths = {}
    for name, rows, start in (("first", base, 0), ("fill", fill, base), ("last", base, base + fill)):
        path = work / f"scale-{name}.csv"
        t0 = time.perf_counter()
        synthetic.generate(path, rows=rows, bad=0, seed=1, start=start)
        log(f"  scale: generated {rows:,} rows in {time.perf_counter() - t0:.0f}s")
        paths[name] = str(path)

    def lookup(at: int) -> dict[str, Any]:
        look = engine.run("lookup", {"clients": [8], "requests": plan.scale_requests, "people": base,
                                     "existing": True, "server_log": str(work / f"serve-scale-{at}.log")})
        return look["results"][0]

    first = engine.run("import", {"path": paths["first"], "batch": plan.batch, "file": "scale"}, timeout=24 * 3600)
    small = lookup(base)
    log(f"  scale at {base:,}: import {first['rate']:,.0f} rows/s, lookup p50 {small['p50_ms']:.1f} ms")
    if fill:
        grown = engine.run("import", {"path": paths["fill"], "batch": plan.batch, "file": "scale-fill"},
                           timeout=24 * 3600)
        log(f"  scale: filled {fill:,} rows at {grown['rate']:,.0f} rows/s")
    last = engine.run("import", {"path": paths["last"], "batch": plan.batch, "file": "scale-last"}, timeout=24 * 3600)
    big = lookup(total)
    log(f"  scale at {total:,}: import {last['rate']:,.0f} rows/s, lookup p50 {big['p50_ms']:.1f} ms")
    for generated in paths.values():
        Path(generated).unlink(missing_ok=True)
    return [
        Figure(engine.name, f"scale: import rate at {total:,} people", last["rate"], "rows/s", first["rate"],
               f"import rate at {base:,} people", "within 1.3× (ratio ≥ 0.77)", {"small": first, "big": last}),
        Figure(engine.name, f"scale: lookup p50 at {total:,} people", big["p50_ms"], "ms", small["p50_ms"],
               f"lookup p50 at {base:,} people", "within 1.3× (ratio ≤ 1.3)", {"small": small, "big": big}),
    ]


def targets(figures: list[Figure]) -> list[dict[str, Any]]:
    """The targets of issue 12, checked against this run's figures (ratios and shapes, never absolutes)."""
    out: list[dict[str, Any]] = []

    def add(engine: str, target: str, met: bool, measured: str) -> None:
        out.append({"engine": engine, "target": target, "met": bool(met), "measured": measured})

    for engine in sorted({f.engine for f in figures}):
        mine = [f for f in figures if f.engine == engine]
        look = {f.extra["clients"]: f for f in mine if f.name.startswith("lookup via")}
        if 8 in look and 32 in look:
            add(engine, "lookup throughput at 32 clients ≥ at 8 (no collapse)", look[32].value >= look[8].value,
                f"{look[32].value:,.0f} vs {look[8].value:,.0f} lookups/s")
        if 32 in look:
            add(engine, "lookup p99 at 32 clients ≤ 200 ms", look[32].extra["p99_ms"] <= 200,
                f"{look[32].extra['p99_ms']:.0f} ms")
        for f in mine:
            if f.name.startswith("log verify") and f.ratio is not None:
                add(engine, "log verify ≥ 0.2× raw chain", f.ratio >= 0.2, f"{f.ratio:.2f}×")
            if f.name.startswith("import ") and f.ratio is not None:
                add(engine, f"import ≥ 0.2× {f.baseline_name}", f.ratio >= 0.2, f"{f.ratio:.2f}×")
            if f.name.startswith("scale: import") and f.ratio is not None:
                add(engine, "scale: import rate at the large size within 1.3× of the small", f.ratio >= 1 / 1.3,
                    f"{f.ratio:.2f}×")
            if f.name.startswith("scale: lookup") and f.ratio is not None:
                add(engine, "scale: lookup p50 at the large size within 1.3× of the small", f.ratio <= 1.3,
                    f"{f.ratio:.2f}×")
        memory = [f for f in mine if f.name.startswith("peak RSS")]
        if len(memory) >= 2:
            add(engine, "import memory flat (peak at the largest ≤ 1.3× peak at the smallest size)",
                memory[-1].value <= 1.3 * memory[0].value, f"{memory[0].value:.0f} → {memory[-1].value:.0f} MB")
    return out


def table(figures: list[Figure]) -> str:
    head = f"{'engine':<11} {'figure':<38} {'value':>14} {'baseline':>14}  {'ratio':>6}  baseline is"
    lines = [head, "-" * len(head)]
    for f in figures:
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "—"
        base = f"{f.baseline:,.0f}" if f.baseline is not None else "—"
        lines.append(f"{f.engine:<11} {f.name:<38} {f.value:>10,.0f} {f.unit:<3} {base:>14}  {ratio:>6}  "
                     f"{f.baseline_name}")
    return "\n".join(lines)


def markdown(results: list[dict[str, Any]]) -> str:
    """A Markdown table of the figures of one or more result files (for docs/performance.md)."""
    rows = ["| engine | figure | value | baseline | ratio | baseline is |", "|---|---|---:|---:|---:|---|"]
    for result in results:
        for f in result["figures"]:
            ratio = f"{f['ratio']:.2f}" if f.get("ratio") is not None else "—"
            extra = ""
            if "p50_ms" in f.get("extra", {}):
                e = f["extra"]
                extra = f" (p50 {e['p50_ms']:.0f} ms, p99 {e['p99_ms']:.0f} ms; raw p99 {e['raw_p99_ms']:.0f} ms)"
            rows.append(f"| {f['engine']} | {f['name']}{extra} | {f['value']:,.0f} {f['unit']} | "
                        f"{f['baseline']:,.0f} | {ratio} | {f['baseline_name']} |")
    return "\n".join(rows)
