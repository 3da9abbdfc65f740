"""One benchmark measurement, run in its own process against the bench database.

``python -m tokutei_bench.worker TASK JSON_ARGS`` (from benchmarks/) with the bench environment (DATABASE_URL,
TOKUTEI_DATA_DIR, TOKUTEI_SECRET_KEY) set by the harness. Prints one JSON object on the last line of
stdout. Each task measures the Tokutei operation and its raw baseline on the same rows in the same run.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import resource
import sys
import threading
import time
from typing import Any

BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-not-secret-42"
PROFILE = "hyogo-kyosai"
TASK = "p1_ha"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokutei.settings")
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


# --- tasks -------------------------------------------------------------------------------------------------
def task_setup(args: dict[str, Any]) -> dict[str, Any]:
    """A fresh organisation: migrations, profile, keys, a designated handler, a registered terminal."""
    from django.core.management import call_command
    from django.utils import timezone

    call_command("init", profile=args.get("profile", PROFILE), admin="admin", admin_password=BENCH_PASSWORD,
                 stdout=open(os.devnull, "w"))
    from tokutei.staff.models import RoleAssignment, User

    user = User.objects.create_user(username=BENCH_USER, password=BENCH_PASSWORD, full_name="ベンチ 太郎",
                                    password_changed_at=timezone.now())
    RoleAssignment.objects.create(user=user, role_key="handler", tasks=[TASK],
                                  start_date=timezone.localdate() - __import__("datetime").timedelta(days=1))
    return {"user": user.pk}


def _settle_database() -> None:
    """Before an import, a verification or the lookups are timed: bring the tables' statistics up to date
    (PostgreSQL ``VACUUM (ANALYZE)``, what autovacuum does on a production server after this many writes —
    the bench's server may run without autovacuum, as the development machine's does, and then a table
    grown by 100,000 rows keeps the planner's guess for an empty one), then write out what earlier
    measurements left in the buffers (``CHECKPOINT``, where the role may), so that neither the raw baseline
    nor the measurement pays for the other's dirty pages and WAL. Both start alike; a checkpoint that falls
    inside one is still counted."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return
    for statement in ("VACUUM (ANALYZE)", "CHECKPOINT"):
        try:
            with connection.cursor() as cur:
                cur.execute(statement)
        except DatabaseError:
            pass  # not the owner, nor a superuser or pg_checkpoint: measured as the database stands


def _new_file(name: str):
    from tokutei.vault.models import SpecificFile

    return SpecificFile.objects.create(name=name, tasks=[TASK])


def task_import(args: dict[str, Any]) -> dict[str, Any]:
    """Tokutei import of ``path`` into a new file (or the file named ``file``, created if missing); peak
    memory of this process. ``pause`` seconds after each batch give a test the time to kill it halfway."""
    from tokutei.bulk.services import import_jlis
    from tokutei.staff.models import User
    from tokutei.vault.models import SpecificFile

    user = User.objects.get(username=BENCH_USER)
    if args.get("file"):
        specific_file = (SpecificFile.objects.filter(name=args["file"]).first() or _new_file(args["file"]))
    else:
        specific_file = _new_file(f"bench {time.time()}")
    pause = float(args.get("pause", 0))
    _settle_database()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    from tokutei.policy import Actor

    result = import_jlis(path=args["path"], specific_file=specific_file, actor=Actor.console(user, purpose=TASK),
                         batch_size=args.get("batch", 10_000), report_path=args["path"] + ".rejects.csv",
                         fast=args.get("fast"), after_batch=(lambda _k: time.sleep(pause)) if pause else None)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "loaded": result.loaded, "rejected": result.rejected, "resumed": result.resumed,
            "file_id": specific_file.pk, "rows": result.loaded + result.rejected, "rate": (result.loaded + result.rejected) / seconds,
            "rss_before_mb": rss_before, "rss_peak_mb": rss_mb()}


RAW_COLUMNS = ("my_number", "name", "kana", "birth", "sex", "address", "resident_code", "org_key")


def task_raw_import(args: dict[str, Any]) -> dict[str, Any]:
    """The same rows, read with csv and written as plain text: no validation, encryption, index or log.

    PostgreSQL: binary COPY (psycopg 3) per batch; SQLite: executemany per batch. One transaction per batch.
    """
    from django.db import connection, transaction

    batch = args.get("batch", 10_000)
    table = "bench_raw_import"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} ({', '.join(c + ' text' for c in RAW_COLUMNS)})")
    _settle_database()
    width = len(RAW_COLUMNS)
    t0 = time.perf_counter()
    n = 0
    with open(args["path"], encoding=args.get("encoding", "utf-8"), newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        while True:
            rows = []
            for cells in reader:
                rows.append((cells + [""] * width)[:width])
                if len(rows) >= batch:
                    break
            if not rows:
                break
            n += len(rows)
            with transaction.atomic(), connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    with cur.cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                        copy.set_types(["text"] * width)
                        for row in rows:
                            copy.write_row(row)
                else:
                    cur.executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * width)})", rows)
    seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {table}")
    return {"seconds": seconds, "rows": n, "rate": n / seconds}


def _threads(count: int, work) -> float:
    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        from django.db import connection

        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - t0


def task_log_append(args: dict[str, Any]) -> dict[str, Any]:
    """``record()`` from 8 concurrent writers, each entry its own committed transaction, vs raw committed
    single-row inserts of a similar row from 8 writers."""
    from django.db import connection, transaction

    from tokutei.auditlog.actions import Action
    from tokutei.auditlog.services import record
    from tokutei.staff.models import User

    writers, per = args.get("writers", 8), args.get("per_writer", 500)
    user = User.objects.get(username=BENCH_USER)

    def append(i: int) -> None:
        for k in range(per):
            with transaction.atomic():
                record(action=Action.VAULT_VIEW, actor=user, purpose=TASK, target_type="person", target_id=k,
                       details={"file_id": 1, "fields": ["name", "my_number"], "writer": i})

    seconds = _threads(writers, append)
    table = "bench_raw_log"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id {'bigserial' if connection.vendor == 'postgresql' else 'integer'} "
                    "PRIMARY KEY, at text, actor text, action text, target text, details text)")
    connection.close()

    def raw(i: int) -> None:
        from django.db import connection as conn

        for k in range(per):
            with transaction.atomic(), conn.cursor() as cur:
                cur.execute(f"INSERT INTO {table} (at, actor, action, target, details) VALUES (%s, %s, %s, %s, %s)",
                            [time.time(), "bench", "vault.view", str(k), json.dumps({"file_id": 1, "writer": i})])

    raw_seconds = _threads(writers, raw)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {table}")
    total = writers * per
    return {"entries": total, "seconds": seconds, "rate": total / seconds, "raw_seconds": raw_seconds,
            "raw_rate": total / raw_seconds, "writers": writers}


def _grow_log(entries: int) -> None:
    """Append with record() (1,000 per transaction) until the log holds ``entries`` entries."""
    from django.db import transaction

    from tokutei.auditlog.actions import Action
    from tokutei.auditlog.models import Entry
    from tokutei.auditlog.services import record

    missing = entries - Entry.objects.count()
    while missing > 0:
        with transaction.atomic():
            for k in range(min(missing, 1000)):
                record(action=Action.VAULT_VIEW, purpose=TASK, target_type="person", target_id=k,
                       details={"file_id": 1, "fields": ["name", "my_number"], "writer": k % 8})
        missing -= 1000


def task_verify(args: dict[str, Any]) -> dict[str, Any]:
    """Verify the whole log vs a raw SHA-256 chain over the same bytes, already in memory: exactly the
    message each entry's hash covers (format 2: the columns as the database renders them, previous hash
    included; format 1: previous hash + canonical JSON), one SHA-256 per entry, in order.

    ``entries`` (or TOKUTEI_BENCH_VERIFY_ENTRIES): first grow the log to that many entries. Both sides run
    ``repeat`` times (default 3 and 7); the medians are reported."""
    import statistics

    from tokutei.auditlog.chain import canonical
    from tokutei.auditlog.models import Entry
    from tokutei.auditlog.verify import _rows, verify_database

    target = int(args.get("entries") or os.environ.get("TOKUTEI_BENCH_VERIFY_ENTRIES") or 0)
    if target:
        _grow_log(target)
    _settle_database()
    entries = Entry.objects.count()
    times, ok = [], None
    for _ in range(int(args.get("repeat", 3))):
        t0 = time.perf_counter()
        report = verify_database(make_checkpoint=False)
        times.append(time.perf_counter() - t0)
        ok = report.ok if ok is None else ok and report.ok
    seconds = statistics.median(times)
    blobs = []
    for row in _rows(Entry.objects.order_by("lane", "lane_seq"), with_canonical=True):
        canon = row["canonical"]
        blobs.append(canon if canon is not None else bytes.fromhex(row["prev_hash"]) + canonical(row))
    sha = hashlib.sha256
    raw_times = []
    for _ in range(int(args.get("raw_repeat", 7))):
        t0 = time.perf_counter()
        for blob in blobs:
            digest = sha(blob).digest()
        raw_times.append(time.perf_counter() - t0)
    del digest
    raw_seconds = statistics.median(raw_times)
    return {"entries": entries, "seconds": seconds, "rate": entries / seconds, "raw_seconds": raw_seconds,
            "raw_rate": entries / raw_seconds, "ok": ok, "bytes": sum(len(b) for b in blobs),
            "seconds_all": times, "raw_seconds_all": raw_times}


def task_file_numbers(args: dict[str, Any]) -> dict[str, Any]:
    """The 個人番号 of every person in the file named ``file`` (decrypted): what a test compares."""
    from tokutei.vault.codec import decrypt_person_fields
    from tokutei.vault.models import Person

    people = Person.objects.filter(file__name=args["file"]).only("data", "file_id")
    return {"numbers": [decrypt_person_fields(p.data, file_id=p.file_id)["my_number"] for p in people]}


TASKS = {"setup": task_setup, "import": task_import, "raw_import": task_raw_import, "file_numbers": task_file_numbers,
         "log_append": task_log_append, "verify": task_verify}


def main(argv: list[str]) -> int:
    task, raw_args = argv[0], (argv[1] if len(argv) > 1 else "{}")
    if task == "lookup":
        from .lookup import task_lookup

        _setup_django()
        result = task_lookup(json.loads(raw_args))
    else:
        _setup_django()
        result = TASKS[task](json.loads(raw_args))
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
