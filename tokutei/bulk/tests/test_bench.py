"""The benchmark runs end to end on tiny sizes (figures are never asserted: they depend on the machine)."""

from __future__ import annotations

import json
import os

from django.core.management import call_command

from tokutei.bulk.management.commands.bench import bench_package

harness = bench_package()  # benchmarks/tokutei_bench, a development tool outside the package
Plan, run = harness.Plan, harness.run


def tiny_plan():
    return Plan(n=300, memory_sizes=(200,), log_per_writer=5, writers=2, lookup_clients=(1, 2),
                lookup_requests=10, lookup_people=10, bad=10, batch=100, verify_entries=0)


def test_the_benchmark_runs_on_tiny_sizes_and_writes_json(tmp_path):
    url = os.environ.get("TOKUTEI_TEST_DATABASE_URL")
    engines = ["postgresql"] if url else ["sqlite"]
    out = tmp_path / "result.json"
    result = run(plan=tiny_plan(), database_url=url, engines=engines, out=out, log=lambda *_: None,
                 workdir=tmp_path)
    names = [f["name"] for f in result["figures"]]
    assert any(n.startswith("import") for n in names)
    assert any(n.startswith("log append") for n in names)
    assert any(n.startswith("lookup via tokutei serve") for n in names)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert all(f["baseline"] for f in saved["figures"])
    lookups = [f for f in saved["figures"] if f["name"].startswith("lookup via tokutei serve")]
    # Every lookup was served by tokutei serve: signed in, registered terminal, CSRF token, person found,
    # log committed.
    assert all(f["extra"]["errors"] == 0 and f["extra"]["requests"] > 0 for f in lookups), lookups
    assert {t["target"] for t in saved["targets"]} >= {"log verify ≥ 0.2× raw chain"}
    # The machine's speed before and after the engine, so that a reader can tell a run on a slowed host.
    assert [p["at"] for p in saved["machine"]["speed_probes"]] == ["at the start", f"after {engines[0]}"]


def test_gen_jlis_writes_the_rows_it_says(tmp_path, capsys):
    out = tmp_path / "g.csv"
    call_command("bench", "gen-jlis", rows=50, bad=5, out=str(out), encoding="cp932")
    data = out.read_bytes().decode("cp932").splitlines()
    assert data[0].startswith("個人番号,氏名,氏名カナ")
    assert len(data) == 51


def test_killing_the_import_halfway_and_running_it_again_loads_every_good_row_once(tmp_path):
    """A real process, killed with SIGKILL between (or inside) batches, then the same command again."""
    import signal
    import subprocess
    import sys
    import time

    from tokutei.bulk import synthetic
    Engine = harness.Engine

    url = os.environ.get("TOKUTEI_TEST_DATABASE_URL")
    engine = Engine("postgresql" if url else "sqlite", url, tmp_path)
    try:
        engine.run("setup")
        path = tmp_path / "jlis.csv"
        stats = synthetic.generate(path, rows=3000, bad=30, seed=12)
        args = {"path": str(path), "batch": 100, "file": "kill-test", "pause": 0.05}
        proc = subprocess.Popen([sys.executable, "-m", "tokutei_bench.worker", "import", json.dumps(args)],
                                env=engine.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report = path.with_name(path.name + ".rejects.csv")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if report.exists() and report.stat().st_size > 200:  # a few batches committed
                break
            time.sleep(0.05)
        time.sleep(0.2)
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        again = engine.run("import", {"path": str(path), "batch": 100, "file": "kill-test"})
        assert again["resumed"] and again["loaded"] == stats.good
        numbers = engine.run("file_numbers", {"file": "kill-test"})["numbers"]
        assert len(numbers) == len(set(numbers)) == stats.good
        lines = [r.split(",")[0] for r in report.read_text(encoding="utf-8-sig").splitlines()[1:]]
        assert len(lines) == len(set(lines)) == stats.bad_total
    finally:
        engine.close()


def test_a_run_during_which_the_machine_slowed_down_says_so():
    """The raw baselines share a run's conditions only while the machine keeps its speed: probes between the
    measurements flag a run where it changed (2026-12-07: the same raw chain 0.042 s in one run, 0.14 s in
    the next)."""
    steady = [{"at": "at the start", "rate": 1_000_000}, {"at": "after sqlite", "rate": 950_000},
              {"at": "after postgresql", "rate": 1_040_000}]
    assert harness.speed_note(steady) == ""
    slowed = [*steady[:2], {"at": "after postgresql", "rate": 400_000}]
    note = harness.speed_note(slowed)
    assert "2.5×" in note and "after postgresql" in note
    assert harness.speed_probe(iterations=2_000) > 0
