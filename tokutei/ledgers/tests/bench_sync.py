"""Benchmark, not part of the suite: .venv/bin/pytest tokutei/ledgers/tests/bench_sync.py -s (add the PostgreSQL URL to compare)."""

import time

from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.ledgers import services


def test_bench(org, clerk):
    n = 50_000
    now = timezone.now()
    actions = ["vault.view", "vault.search", "staff.sign_in", "vault.reveal", "vault.intake"]
    Entry.objects.bulk_create([
        Entry(seq=i + 1, at=now, actor_id=clerk.pk, actor_username="clerk", action=actions[i % 5], purpose="payroll",
              target_type="person", target_id=str(i), details={"file_id": 1, "fields": ["name"]},
              prev_hash="0" * 64, hash="0" * 64, **({"lane_seq": i + 1} if hasattr(Entry, "lane_seq") else {}))
        for i in range(n)
    ], batch_size=5000)
    t = time.perf_counter()
    added = services.sync_from_log()


    first = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(100):
        services.sync_from_log()
    noop = (time.perf_counter() - t) / 100
    print(f"\nsync {added} rows from {n} entries: {first:.2f}s ({added / first:.0f} rows/s); no-op sync {noop * 1000:.2f} ms")


def test_bench_pages(org, clerk, client):
    from django.urls import reverse

    n = 10_000
    now = timezone.now()
    Entry.objects.bulk_create([
        Entry(seq=i + 1, at=now, actor_id=clerk.pk, actor_username="clerk", action="vault.view", purpose="payroll",
              target_type="person", target_id=str(i), details={"file_id": 1, "fields": ["name"]},
              prev_hash="0" * 64, hash="0" * 64, **({"lane_seq": i + 1} if hasattr(Entry, "lane_seq") else {}))
        for i in range(n)
    ], batch_size=5000)
    services.sync_from_log()
    client.force_login(clerk)
    client.get(reverse("ledgers:index"))  # warm up the URL configuration
    for name in ("ledgers:handling", "ledgers:handling_print", "ledgers:handling_export"):
        t = time.perf_counter()
        response = client.get(reverse(name))
        print(f"\n{name} with {n} records: {time.perf_counter() - t:.2f}s, {len(response.content) // 1024} KiB")
