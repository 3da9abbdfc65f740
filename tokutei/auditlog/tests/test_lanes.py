"""Several chains (PostgreSQL, AUDIT_LOG_LANES > 1): each verifies on its own; tampering in any shows."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.utils import timezone

from tokutei.auditlog import services
from tokutei.auditlog.bundle import verify_bundle
from tokutei.auditlog.bundle_export import export_bundle
from tokutei.auditlog.checkpoints import checkpoint
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.auditlog.verify import verify_database

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="lanes exist on PostgreSQL only")


@pytest.fixture
def two_lanes(db, signing_key, settings, monkeypatch):
    """Four entries in each of two chains (a thread's preferred lane decides where it appends)."""
    settings.AUDIT_LOG_LANES = 4
    settings.AUDIT_CHECKPOINT_EVERY = 1000
    for preferred in (0, 1):
        monkeypatch.setattr(services._preferred, "lane", preferred, raising=False)
        for i in range(4):
            record(action="vault.view", target_id=i)
    lanes = sorted(set(Entry.objects.values_list("lane", flat=True)))
    assert len(lanes) == 2
    return lanes


def test_two_chains_verify(two_lanes):
    report = verify_database(make_checkpoint=False)
    assert report.ok, report.problems
    assert {lane: pos for lane, (pos, _h) in report.lanes.items()} == {two_lanes[0]: 4, two_lanes[1]: 4}


def test_a_deleted_tail_in_the_second_chain_is_caught(two_lanes, dba):
    checkpoint(reason="manual")
    lane = two_lanes[1]
    dba.sql("DELETE FROM auditlog_entry WHERE lane = %s AND lane_seq = 4", [lane])
    dba.sql("UPDATE auditlog_chainhead SET seq = 3, hash = (SELECT hash FROM auditlog_entry WHERE lane = %s "
            "AND lane_seq = 3) WHERE id = %s", [lane, lane])
    problem = verify_database(make_checkpoint=False).first_problem
    assert problem is not None
    assert (problem.lane, problem.position, problem.kind) == (lane, 4, "truncated")


def test_an_entry_moved_to_another_chain_is_caught(two_lanes, dba):
    dba.sql("UPDATE auditlog_entry SET lane = %s, lane_seq = 5 WHERE lane = %s AND lane_seq = 4",
            [two_lanes[0], two_lanes[1]])
    report = verify_database(make_checkpoint=False)
    assert not report.ok and report.first_problem is not None
    assert report.first_problem.kind in {"modified", "broken_link", "truncated", "head_mismatch"}


def test_a_bundle_of_two_chains_verifies_and_a_flip_fails(two_lanes, tmp_path):
    path = tmp_path / "two.jsonl"
    summary = export_bundle(path, day_from=timezone.localdate(), day_to=timezone.localdate())
    assert summary["lanes"] == 2 and summary["count"] == 8
    assert verify_bundle(path).ok
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x04
    path.write_bytes(bytes(data))
    assert not verify_bundle(path).ok
