"""A large log is verified on every core at once (lanes side by side on PostgreSQL, parts of the one chain
in processes on SQLite): the verdict — ok, or the first bad entry — is the same as one pass gives."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection, transaction

from tokutei.auditlog import services, verify
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.auditlog.verify import verify_database


def _append(n: int, lanes: tuple[int, ...] = (0,), monkeypatch=None) -> None:
    for preferred in lanes:
        if monkeypatch is not None:
            monkeypatch.setattr(services._preferred, "lane", preferred, raising=False)
        for i in range(n):
            with transaction.atomic():
                record(action="vault.view", target_type="person", target_id=i + 1, details={"i": i})


@pytest.fixture
def dba_now():
    """Direct SQL with the append-only triggers off, committed at once (no test transaction here)."""
    from tokutei.auditlog import guards

    def run(statement: str, params=None) -> None:
        guards.drop(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params or [])
        finally:
            guards.install(connection)

    return run


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="several lanes exist on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_lanes_are_verified_side_by_side_and_a_modified_entry_is_still_named(settings, signing_key, monkeypatch,
                                                                          dba_now):
    settings.AUDIT_LOG_LANES = 4
    settings.AUDIT_CHECKPOINT_EVERY = 1000
    monkeypatch.setattr(verify, "_PARALLEL_FROM", 10)
    _append(12, lanes=(0, 1, 2), monkeypatch=monkeypatch)
    lanes = sorted(set(Entry.objects.values_list("lane", flat=True)))
    assert len(lanes) == 3
    scanned: list[int] = []
    scan_one = verify._scan_lane_pg

    def counted(alias, lane, *args):
        scanned.append(lane)
        return scan_one(alias, lane, *args)

    monkeypatch.setattr(verify, "_scan_lane_pg", counted)

    report = verify_database(make_checkpoint=False)
    assert report.ok, report.problems
    assert sorted(set(scanned)) == lanes and report.entries_checked == 36

    dba_now("UPDATE auditlog_entry SET target_id = '999' WHERE lane = %s AND lane_seq = 7", [lanes[1]])
    problem = verify_database(make_checkpoint=False).first_problem
    assert problem is not None and (problem.lane, problem.position, problem.kind) == (lanes[1], 7, "modified")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the PostgreSQL parts run on connections of their own")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edit", [
    "UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = %s",
    "UPDATE auditlog_entry SET hash = repeat('ab', 32) WHERE lane_seq = %s",
    "UPDATE auditlog_entry SET prev_hash = repeat('ab', 32) WHERE lane_seq = %s",
    "DELETE FROM auditlog_entry WHERE lane_seq = %s",
    None,
])
@pytest.mark.parametrize("k", [1, 19, 20, 21, 40])
def test_one_long_chain_is_checked_in_parts_and_names_the_entry_one_pass_names(settings, signing_key, monkeypatch,
                                                                             dba_now, edit, k):
    """One chain (the whole log of a single writer) is cut at its middle and both halves are hashed at once,
    each on its own connection: the verdict is the one a single pass gives, wherever the edit falls."""
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one part per core: this machine has one")
    settings.AUDIT_LOG_LANES = 1
    settings.AUDIT_CHECKPOINT_EVERY = 1000
    monkeypatch.setattr(verify, "_PARALLEL_FROM", 10)
    _append(40)
    if edit:
        dba_now(edit, [k])
    parts: list[tuple] = []
    scan_one = verify._scan_lane_pg

    def counted(alias, lane, after, after_hash, upto=None):
        parts.append((lane, after, upto))
        return scan_one(alias, lane, after, after_hash, upto)

    monkeypatch.setattr(verify, "_scan_lane_pg", counted)
    report = verify_database(make_checkpoint=False)
    if edit is None:
        assert report.ok and report.entries_checked == 40
    cores = os.cpu_count() or 1
    cuts = [40 * i // cores for i in range(1, cores)]
    cut_deleted = edit is not None and edit.startswith("DELETE") and k in cuts
    assert len(parts) == (1 if cut_deleted else cores), parts  # a cut on a missing entry: one pass
    monkeypatch.setattr(verify, "_parallel_scans", lambda connection, lanes: {})
    one_pass = verify_database(make_checkpoint=False)
    assert [(p.lane, p.position, p.kind) for p in report.problems[:1]] == \
           [(p.lane, p.position, p.kind) for p in one_pass.problems[:1]]
    assert report.ok is one_pass.ok and report.entries_checked == one_pass.entries_checked


@pytest.fixture
def chain_file(db, tmp_path, signing_key, settings):
    """A SQLite log of 40 entries copied to a file, as production keeps it; ``tamper(sql)`` edits the copy."""
    if connection.vendor != "sqlite":
        pytest.skip("the parts of one chain are scanned in processes on SQLite")
    settings.AUDIT_CHECKPOINT_EVERY = 1000
    _append(40)
    path = tmp_path / "log.sqlite3"
    with connection.cursor() as cursor:  # the test's database lives in memory, inside the test's transaction
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'auditlog_entry'")
        schema = cursor.fetchone()[0]
        cursor.execute("SELECT * FROM auditlog_entry")
        rows = cursor.fetchall()
    target = sqlite3.connect(path)
    target.execute(schema)
    target.executemany(f"INSERT INTO auditlog_entry VALUES ({', '.join('?' * len(rows[0]))})", rows)
    target.commit()
    target.close()
    anchor_hash = verify.GENESIS

    def tamper(statement: str) -> None:
        raw = sqlite3.connect(path)
        raw.execute(statement)
        raw.commit()
        raw.close()

    def whole() -> verify._LaneScan:
        raw = sqlite3.connect(path)
        try:
            return verify._scan_sqlite(raw, 1, 0, anchor_hash)
        finally:
            raw.close()

    def in_parts(cuts: list[int]) -> verify._LaneScan | None:
        raw = sqlite3.connect(path)
        hashes = dict(raw.execute("SELECT lane_seq, hash FROM auditlog_entry WHERE lane = 1").fetchall())
        raw.close()
        if any(c not in hashes for c in cuts):
            return None  # verify does not cut at a missing entry: it scans the chain as a whole
        starts = [(0, anchor_hash), *((c, hashes[c]) for c in cuts)]
        ends = [*cuts, None]
        return verify._joined([(-1 if end is None else end,
                                verify._scan_part_sqlite(str(path), 1, after, h, end))
                               for (after, h), end in zip(starts, ends, strict=True)])

    return tamper, whole, in_parts


def _verdict(scan: verify._LaneScan) -> tuple:
    """What verification reports from a scan: its first problem (where the chain breaks and, for a gap, the
    position missing), or, when there is none, how far the chain reaches."""
    problem = (scan.gap, scan.gap_expected, scan.duplicate, scan.link, scan.modified)
    return problem if any(x is not None for x in problem) else (scan.count, scan.last, scan.max_seq)


def test_the_parts_of_an_untouched_chain_add_up_to_the_whole(chain_file):
    _tamper, whole, in_parts = chain_file
    joined = in_parts([13, 26])
    assert joined is not None
    assert (joined.count, joined.last, joined.max_seq) == (whole().count, 40, whole().max_seq) == (40, 40, 40)


@pytest.mark.parametrize("edit", [
    "UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = {k}",
    "UPDATE auditlog_entry SET hash = '{ab}' WHERE lane_seq = {k}",
    "DELETE FROM auditlog_entry WHERE lane_seq = {k}",
    "UPDATE auditlog_entry SET prev_hash = '{ab}' WHERE lane_seq = {k}",
])
@pytest.mark.parametrize("k", [1, 12, 13, 14, 26, 27, 40])
def test_a_tampered_entry_is_found_where_one_pass_finds_it(chain_file, edit, k):
    """Edits on, just before and just after a cut give the same first problem as scanning the whole chain."""
    tamper, whole, in_parts = chain_file
    tamper(edit.format(k=k, ab="ab" * 32))
    expected = whole()
    joined = in_parts([13, 26])
    if joined is None:  # a cut on a deleted entry, or a part that ended early: verify scans the whole chain
        assert "DELETE" in edit
        return
    assert _verdict(joined) == _verdict(expected)
