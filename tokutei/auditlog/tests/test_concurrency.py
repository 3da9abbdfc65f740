"""Several writers with their own database connections append at once; the chain stays whole."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.auditlog.verify import verify_database

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite's in-memory test database is not shared between threads; IMMEDIATE transactions "
           "serialise SQLite writers anyway",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lanes", [1, 8])
def test_eight_writers_appending_at_once_keep_unbroken_chains(settings, tmp_path, lanes):
    from tokutei.auditlog import signing

    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "audit.pem"
    settings.AUDIT_CHECKPOINT_EVERY = 25
    settings.AUDIT_LOG_LANES = lanes
    signing.ensure_keys()
    writers, each = 8, 40
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(each):
                with transaction.atomic():
                    record(action="vault.view", target_type="person", target_id=n * 1000 + i)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Entry.objects.count() == writers * each
    assert len(set(Entry.objects.values_list("seq", flat=True))) == writers * each
    for lane in set(Entry.objects.values_list("lane", flat=True)):
        positions = sorted(Entry.objects.filter(lane=lane).values_list("lane_seq", flat=True))
        assert positions == list(range(1, len(positions) + 1))  # no gaps, no duplicates in any chain
    report = verify_database(make_checkpoint=False)
    assert report.ok, report.problems
    assert report.entries_checked == writers * each
    if lanes == 1:
        assert report.checkpoints_checked == writers * each // 25
    else:
        assert len(report.lanes) > 1  # the writers really did spread over several chains
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_the_committed_horizon_waits_for_an_append_in_flight(settings):
    """A follower must not move its cursor past a number whose entry is not committed yet."""
    from tokutei.auditlog.selectors import committed_horizon

    settings.AUDIT_LOG_LANES = 4
    first = record(action="vault.view")
    holding, release, seen = threading.Event(), threading.Event(), []

    def slow_writer():
        try:
            with transaction.atomic():
                record(action="vault.view")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def follower():
        try:
            seen.append(committed_horizon())
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    holding.wait(10)
    reader = threading.Thread(target=follower)
    reader.start()
    reader.join(0.5)
    assert reader.is_alive() and not seen  # waiting for the writer's commit
    release.set()
    writer.join()
    reader.join(10)
    newest = Entry.objects.order_by("-seq").first()
    assert newest is not None
    assert seen == [newest.seq] and seen[0] > first.seq
