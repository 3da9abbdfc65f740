"""The benchmark runs end to end on tiny sizes (figures are never asserted: they depend on the machine)."""

from __future__ import annotations

import json
import os

from django.core.management import call_command

from tokutei.bulk.bench.harness import Plan, run


def tiny_plan() -> Plan:
    return Plan(n=300, memory_sizes=(200,), log_per_writer=5, writers=2, lookup_clients=(1, 2),
                lookup_requests=10, lookup_people=10, bad=10, batch=100)


def test_the_benchmark_runs_on_tiny_sizes_and_writes_json(tmp_path):
    url = os.environ.get("TOKUTEI_TEST_DATABASE_URL")
    engines = ["postgresql"] if url else ["sqlite"]
    out = tmp_path / "result.json"
    result = run(plan=tiny_plan(), database_url=url, engines=engines, out=out, log=lambda *_: None,
                 workdir=tmp_path)
    names = [f["name"] for f in result["figures"]]
    assert any(n.startswith("import") for n in names)
    assert any(n.startswith("log append") for n in names)
    assert any(n.startswith("lookup over HTTP") for n in names)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert all(f["baseline"] for f in saved["figures"])
    lookups = [f for f in saved["figures"] if f["name"].startswith("lookup over HTTP")]
    # Every lookup was served: signed in, registered terminal, CSRF token, person found, log committed.
    assert all(f["extra"]["errors"] == 0 and f["extra"]["requests"] > 0 for f in lookups), lookups


def test_gen_jlis_writes_the_rows_it_says(tmp_path, capsys):
    out = tmp_path / "g.csv"
    call_command("bench", "gen-jlis", rows=50, bad=5, out=str(out), encoding="cp932")
    data = out.read_bytes().decode("cp932").splitlines()
    assert data[0].startswith("個人番号,氏名,氏名カナ")
    assert len(data) == 51
