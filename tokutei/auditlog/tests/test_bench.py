"""Append throughput vs committed single-row inserts (run: TOKUTEI_BENCH=1, on PostgreSQL).

Prints both rates and their ratio; asserts the target (append >= 0.5x raw at 8 writers) with enough lanes.
One lane serialises appends on each other's COMMIT; see services.py.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from tokutei.auditlog.services import record

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TOKUTEI_BENCH"), reason="benchmark: set TOKUTEI_BENCH=1"),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL benchmark"),
]


def _run(writers: int, each: int, work) -> float:
    barrier = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            for i in range(each):
                work(n, i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert not errors, errors[:3]
    return writers * each / elapsed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("writers", "lanes"), [(1, 1), (8, 1), (8, 16)])
def test_append_rate_against_raw_committed_inserts(writers, lanes, settings, tmp_path, capsys):
    settings.AUDIT_CHECKPOINT_EVERY = 10**9
    settings.AUDIT_LOG_LANES = lanes
    each = int(os.environ.get("TOKUTEI_BENCH_EACH", "400"))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute("CREATE TABLE bench_raw (LIKE auditlog_entry INCLUDING ALL)")
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_seq")
    details = json.dumps({"fields": ["name"], "file_id": 3})

    def raw(n: int, i: int) -> None:
        with connection.cursor() as cursor:  # autocommit: one committed INSERT per row
            cursor.execute(
                "INSERT INTO bench_raw (seq, at, actor_id, actor_username, terminal_id, terminal_name, action, "
                "purpose, target_type, target_id, count, result, article, reason, details, prev_hash, hash, lane, lane_seq) "
                "VALUES (nextval('bench_seq'), now(), %s, 'clerk', 1, '窓口端末1', 'vault.view', 'payroll', "
                "'person', %s, 1, 'ok', '', '', %s::jsonb, %s, %s, 1, currval('bench_seq'))",
                [n, str(i), details, "0" * 64, "1" * 64],
            )

    def append(n: int, i: int) -> None:
        with transaction.atomic():
            record(action="vault.view", purpose="payroll", target_type="person", target_id=i,
                   details={"fields": ["name"], "file_id": 3})

    raw_rate = _run(writers, each, raw)
    append_rate = _run(writers, each, append)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw")
        cursor.execute("DROP SEQUENCE bench_seq")
    with capsys.disabled():
        print(f"\n[bench] writers={writers} lanes={lanes} raw={raw_rate:,.0f}/s append={append_rate:,.0f}/s "
              f"ratio={append_rate / raw_rate:.2f}")
    if writers == 8 and lanes >= writers:
        assert append_rate >= 0.5 * raw_rate
