# ruff: noqa: S608, S611 - SQL built from constant expressions (sql.py) only; values are always bound parameters
"""Verifying the operation log in the database.

``verify_database`` recomputes the whole chain from its anchor (genesis, or the signed anchor of the last
retention purge), checks every checkpoint signature against the key kept outside the database, and names
the first bad entry. The export of a bundle is ``bundle_export``, the cheap status ``status``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from . import guards, signing, sql
from .chain import (
    GENESIS,
    HASHED_FIELDS,
    Problem,
    Report,
    Signed,
    check_checkpoints,
    entry_hash,
    finish_lane,
    iso,
    purge_message,
    signature_ok,
    walk_lane,
)
from .checkpoints import checkpoint_at
from .models import ChainHead, Checkpoint, Entry, PurgeRecord
from .selectors import lanes as lanes_with_entries
from .status import disk_warnings

_VALUES = (*HASHED_FIELDS, "prev_hash", "hash")


_AT = _VALUES.index("at")


def _rows(qs, *, with_canonical: bool = False) -> Iterator[dict[str, Any]]:
    """The entries as plain dicts of the hashed fields (``at`` as hashed in format 1), streamed in chunks (a
    server-side cursor on PostgreSQL): tuples from ``values_list``, no model instances. ``with_canonical``:
    also ``canonical``, the format 2 bytes as the database renders them (None for a format 1 entry)."""
    names, at, make = _VALUES, _AT, dict
    if with_canonical:
        vendor = connections[qs.db].vendor
        qs = qs.annotate(_canonical=RawSQL(
            f"CASE WHEN hash_version = 2 THEN {sql.render_bytes(vendor)} END", ()))
        for row in qs.values_list(*_VALUES, "_canonical").iterator(chunk_size=5000):
            entry = make(zip(names, row[:-1], strict=True))
            entry["at"] = iso(row[at])
            entry["canonical"] = None if row[-1] is None else bytes(row[-1])
            yield entry
        return
    for row in qs.values_list(*_VALUES).iterator(chunk_size=5000):
        entry = make(zip(names, row, strict=True))
        entry["at"] = iso(row[at])
        yield entry


# --- one chain, checked in bulk ---------------------------------------------------------------------------
#
# Each entry's stored hash must be the hash of its columns as rendered by the database (format 2) or of its
# canonical JSON (format 1); its prev_hash the stored hash of the entry before it (the anchor's for the
# first); its position the one after. Every check is per row or per pair of neighbours, so PostgreSQL does
# all of them in one pass (window lag(), sha256()) and returns only where each kind of problem first occurs.

# Two passes: the hash of every row (no ordering needed, so PostgreSQL may split it across workers), then
# the links and positions over the narrow (lane_seq, prev_hash, hash) in order. One combined pass is slower:
# the window would carry every column of every row.
_PG_HASHES = f"""
SELECT count(*), max(seq), max(lane_seq),
  min(lane_seq) FILTER (WHERE hash_version = 2 AND {sql.PG_DIGEST} IS DISTINCT FROM hash),
  count(*) FILTER (WHERE hash_version IS DISTINCT FROM 2)
FROM auditlog_entry WHERE lane = %(lane)s AND lane_seq > %(anchor)s
"""
_PG_LINKS = """
SELECT min(lane_seq) FILTER (WHERE lane_seq > coalesce(ls, %(anchor)s) + 1),
  min(coalesce(ls, %(anchor)s) + 1) FILTER (WHERE lane_seq > coalesce(ls, %(anchor)s) + 1),
  min(lane_seq) FILTER (WHERE lane_seq <= coalesce(ls, %(anchor)s)),
  min(lane_seq) FILTER (WHERE prev_hash IS DISTINCT FROM coalesce(lh, %(anchor_hash)s))
FROM (SELECT lane_seq, prev_hash, lag(lane_seq) OVER w AS ls, lag(hash) OVER w AS lh FROM auditlog_entry
      WHERE lane = %(lane)s AND lane_seq > %(anchor)s AND lane_seq <= %(last)s WINDOW w AS (ORDER BY lane_seq)) s
"""
# Let PostgreSQL hash a long chain on several cores (its default costs do not know that sha256() is dear).
_PG_PARALLEL = ("SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; "
                "SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL min_parallel_index_scan_size = 0")
_PARALLEL_FROM = 20_000  # entries in a chain

_SQLITE_LANE = (
    f"SELECT lane_seq, seq, prev_hash, hash, hash_version, {sql.SQLITE_RENDER_BYTES} FROM auditlog_entry "
    "WHERE lane = ? AND lane_seq > ? ORDER BY lane_seq, id"
)


_PG_HASHES_RANGE = _PG_HASHES.replace("AND lane_seq > %(anchor)s", "AND lane_seq > %(anchor)s AND lane_seq <= %(upto)s")
_SQLITE_RANGE = _SQLITE_LANE.replace("AND lane_seq > ?", "AND lane_seq > ? AND lane_seq <= ?")


@dataclass
class _LaneScan:
    count: int = 0
    max_seq: int | None = None
    last: int | None = None
    gap: int | None = None  # the row after a gap …
    gap_expected: int | None = None  # … and the position that is missing
    duplicate: int | None = None
    link: int | None = None
    modified: int | None = None
    legacy: int = 0  # format 1 entries (checked in Python)


def _scan_pg(cursor, lane: int, anchor: int, anchor_hash: str, upto: int | None = None) -> _LaneScan:
    """``upto``: only the entries to that position (one part of a chain, _parallel_scans)."""
    params = {"lane": lane, "anchor": anchor, "anchor_hash": anchor_hash, "upto": upto}
    cursor.execute("SELECT seq FROM auditlog_chainhead WHERE id = %s", [lane])
    head = cursor.fetchone()
    if head is not None and min(head[0], upto or head[0]) - anchor >= _PARALLEL_FROM:
        cursor.execute(_PG_PARALLEL)
    cursor.execute(_PG_HASHES if upto is None else _PG_HASHES_RANGE, params)
    count, max_seq, last, modified, legacy = cursor.fetchone()
    scan = _LaneScan(count=count, max_seq=max_seq, last=last, modified=modified, legacy=legacy)
    if count:  # rows appended since the first pass are left for the next verification
        cursor.execute(_PG_LINKS, {**params, "last": last})
        scan.gap, scan.gap_expected, scan.duplicate, scan.link = cursor.fetchone()
    return scan


def _scan_sqlite(raw, lane: int, anchor: int, anchor_hash: str, upto: int | None = None) -> _LaneScan:
    """The same checks as _PG_LANE in a tight loop over the database's rendering (SQLite has no sha256()).
    Stops at the first problem: only the first one is reported. ``upto``: only the entries to that position."""
    scan = _LaneScan()
    sha = hashlib.sha256
    expected, running, count, max_seq = anchor + 1, anchor_hash, 0, None
    rows = raw.execute(_SQLITE_LANE, (lane, anchor)) if upto is None else raw.execute(_SQLITE_RANGE,
                                                                                        (lane, anchor, upto))
    for pos, seq, prev, stored, version, canon in rows:
        if pos != expected:
            if pos > expected:
                scan.gap, scan.gap_expected = pos, expected
            else:
                scan.duplicate = pos
            break
        if prev != running:
            scan.link = pos
            break
        if version == 2:
            if canon is None or sha(canon).hexdigest() != stored:
                scan.modified = pos
                break
        else:
            scan.legacy += 1
        running = stored
        expected += 1
        count += 1
        max_seq = seq if max_seq is None or seq > max_seq else max_seq
    scan.count, scan.max_seq, scan.last = count, max_seq, (expected - 1 if count else None)
    return scan


def _first_legacy_modified(lane: int, anchor: int, below: int | None) -> int | None:
    """Format 1 entries: recompute the canonical JSON from the columns, as before format 2."""
    qs = Entry.objects.filter(lane=lane, lane_seq__gt=anchor).exclude(hash_version=2).order_by("lane_seq")
    if below is not None:
        qs = qs.filter(lane_seq__lt=below)
    for entry in _rows(qs):
        try:
            ok = entry_hash(entry["prev_hash"], entry) == entry["hash"]
        except (ValueError, TypeError):
            ok = False
        if not ok:
            return int(entry["lane_seq"])
    return None


def _stored_hashes(cursor, lane: int, positions: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for i in range(0, len(positions), 500):
        chunk = positions[i:i + 500]
        cursor.execute(
            f"SELECT lane_seq, hash FROM auditlog_entry WHERE lane = %s AND lane_seq IN ({', '.join(['%s'] * len(chunk))})",
            [lane, *chunk],
        )
        for pos, hash_ in cursor.fetchall():
            found.setdefault(int(pos), hash_)
    return found


def _scan_lane_pg(alias: str, lane: int, anchor: int, anchor_hash: str, upto: int | None = None) -> _LaneScan:
    """One lane's scan — or the part of it after ``anchor`` up to ``upto`` — on a connection of this thread's
    own (closed afterwards)."""
    connection = connections[alias]
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            return _scan_pg(cursor, lane, anchor, anchor_hash, upto)
    finally:
        connection.close()


def _scan_part_sqlite(path: str, lane: int, after: int, after_hash: str, upto: int | None) -> _LaneScan:
    """The entries ``after`` < position <= ``upto`` of a chain, in a process of its own, on a read-only
    connection to the database file. Each entry's hash covers the previous entry's hash as stored, so a part
    is checked against the stored hash before it exactly as the whole chain is."""
    import sqlite3
    from pathlib import Path

    raw = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _scan_sqlite(raw, lane, after, after_hash, upto)
    finally:
        raw.close()


def _joined(parts: list[tuple[int, _LaneScan]]) -> _LaneScan | None:
    """The scan of a whole chain from the scans of its consecutive parts (each with the position it ends
    at): the first part with a problem is where the chain's first problem is. None when a part ended before
    its end without a problem (its last entries are missing): then the chain is scanned as a whole."""
    whole = _LaneScan()
    for end, part in parts:
        if any(x is not None for x in (part.gap, part.duplicate, part.link, part.modified)):
            return part
        whole.count += part.count
        whole.legacy += part.legacy
        if part.count:
            whole.last = part.last
            whole.max_seq = part.max_seq if whole.max_seq is None else max(whole.max_seq, part.max_seq or 0)
        if part is not parts[-1][1] and part.last != end:
            return None
    return whole


def _parallel_scans(connection, lanes: dict[int, tuple[int, str]]) -> dict[int, _LaneScan]:
    """Each lane's scan — the part that reads and hashes every entry — on every core at once, when the log is
    large enough for it to matter. The lanes are independent chains, and a long chain is cut into one part
    per core at positions whose stored hash is read first: each entry's hash covers the previous entry's
    hash as stored, so a part is checked against the hash before it exactly as the whole chain is
    (``_joined``). PostgreSQL hashes in its backends, so one thread (one connection, one backend) per part;
    SQLite hashes in Python, so one process per part, each reading the database file. Not inside a
    transaction (other connections would not see its rows) nor for a database that lives in memory; then
    the lanes are scanned one after the other, as below."""
    import os

    cores = os.cpu_count() or 1
    if cores < 2 or not lanes or connection.in_atomic_block:
        return {}
    heads = dict(ChainHead.objects.using(connection.alias).values_list("id", "seq"))
    if sum(max(0, heads.get(lane, 0) - anchor) for lane, (anchor, _h) in lanes.items()) < _PARALLEL_FROM:
        return {}
    from concurrent import futures

    postgres = connection.vendor == "postgresql"
    path = str(connection.settings_dict["NAME"])
    if not postgres and (connection.vendor != "sqlite" or "memory" in path or not os.path.exists(path)):
        return {}
    total = sum(max(0, heads.get(lane, 0) - anchor) for lane, (anchor, _h) in lanes.items())
    # The parts of every lane: (lane, after, its hash, up to — None for the chain's end).
    plan: dict[int, list[tuple[int, str, int | None]]] = {}
    for lane, (anchor, anchor_hash) in lanes.items():
        size = max(0, heads.get(lane, 0) - anchor)
        # A chain that holds a good share of the log gets one part per core; the others one part each.
        pieces = cores if size >= max(2 * cores, total // (2 * cores)) else 1
        cuts = [anchor + size * k // pieces for k in range(1, pieces)]
        hashes = dict(Entry.objects.using(connection.alias).filter(lane=lane, lane_seq__in=cuts)
                      .values_list("lane_seq", "hash")) if cuts else {}
        if len(hashes) < len(cuts):
            cuts = []  # a cut falls on a missing entry: this chain is scanned as a whole
        starts = [(anchor, anchor_hash), *((cut, hashes[cut]) for cut in cuts)]
        plan[lane] = [(after, after_hash, end) for (after, after_hash), end in zip(starts, [*cuts, None], strict=True)]
    if postgres:
        pool: futures.Executor = futures.ThreadPoolExecutor(min(sum(map(len, plan.values())), cores))
        scan_part: Any = functools.partial(_scan_lane_pg, connection.alias)
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        pool = futures.ProcessPoolExecutor(cores, mp_context=context)
        scan_part = functools.partial(_scan_part_sqlite, path)
    scans: dict[int, _LaneScan] = {}
    with pool:
        jobs = {lane: [(end, pool.submit(scan_part, lane, after, after_hash, end)) for after, after_hash, end in parts]
                for lane, parts in plan.items() if postgres or len(parts) > 1}
        for lane, parts in jobs.items():
            joined = _joined([(-1 if end is None else end, job.result()) for end, job in parts])
            if joined is not None:
                scans[lane] = joined
    return scans


def _verify_lane(connection, lane: int, *, anchor: int, anchor_hash: str, signed: Signed, every: int | None,
                 report: Report, scan: _LaneScan | None = None) -> None:
    """Verify one chain from its anchor; name its first bad entry (chain.walk_lane does the same for bundles)."""
    report.anchors[lane] = (anchor, anchor_hash)
    if signed.get((lane, anchor), anchor_hash) != anchor_hash:
        report.add(Problem(anchor, "anchor_mismatch", "起点のハッシュが署名付きチェックポイントと一致しません",
                           lane=lane))
        return
    # PostgreSQL: a transaction for SET LOCAL. SQLite: none (its transactions here take the write lock).
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(using=connection.alias) if postgres else nullcontext(), connection.cursor() as cursor:
        if scan is not None:
            pass  # scanned beforehand, with the other lanes (_parallel_scans)
        elif postgres:
            scan = _scan_pg(cursor, lane, anchor, anchor_hash)
        else:
            scan = _scan_sqlite(connection.connection, lane, anchor, anchor_hash)
        # (row position, priority, problem): at one row, the checks come in walk_lane's order.
        found: list[tuple[int, int, str]] = []
        if scan.gap is not None:
            found.append((scan.gap, 0, "missing"))
        if scan.duplicate is not None:
            found.append((scan.duplicate, 0, "out_of_order"))
        if scan.link is not None:
            found.append((scan.link, 1, "broken_link"))
        if scan.modified is not None:
            found.append((scan.modified, 2, "modified"))
        if scan.legacy:
            legacy = _first_legacy_modified(lane, anchor, min(found)[0] if found else None)
            if legacy is not None:
                found.append((legacy, 2, "modified"))
        limit = min(found)[0] if found else None
        positions = sorted(p for (ln, p) in signed if ln == lane and p > anchor and (limit is None or p <= limit))
        stored = _stored_hashes(cursor, lane, positions) if positions else {}
        for pos in positions:
            if pos in stored and stored[pos] != signed[(lane, pos)]:
                found.append((pos, 3, "checkpoint_mismatch"))
                break
        if found:
            pos, _priority, kind = min(found)
            cursor.execute("SELECT count(*), max(seq) FROM auditlog_entry WHERE lane = %s AND lane_seq > %s "
                           "AND lane_seq < %s", [lane, anchor, pos])
            before, max_seq = cursor.fetchone()
            report.entries_checked += int(before)
            report.last_seq = max(report.last_seq, int(max_seq or 0))
            cursor.execute("SELECT seq FROM auditlog_entry WHERE lane = %s AND lane_seq = %s ORDER BY id DESC",
                           [lane, pos])
            row = cursor.fetchone()
            seq = None if row is None else int(row[0])
            if kind == "missing":
                report.add(Problem(scan.gap_expected, "missing",
                                   f"記録がありません（削除されたか番号が変えられています。次にあるのは第{seq}番）",
                                   lane=lane, near_seq=seq))
            else:
                report.add(Problem(pos, kind, _MESSAGES[kind], lane=lane, seq=seq))
            return
        if scan.count == 0:
            walk_lane((), report=report, lane=lane, anchor_seq=anchor, anchor_hash=anchor_hash, signed=signed,
                      checkpoint_every=every)
            return
        assert scan.last is not None and scan.max_seq is not None  # the lane has entries (count > 0)
        cursor.execute("SELECT hash FROM auditlog_entry WHERE lane = %s AND lane_seq = %s", [lane, scan.last])
        last_hash = cursor.fetchone()[0]
    report.entries_checked += int(scan.count)
    report.last_seq = max(report.last_seq, int(scan.max_seq))
    finish_lane(report, lane=lane, last=int(scan.last), last_hash=last_hash, anchor_seq=anchor, signed=signed,
                checkpoint_every=every)


_MESSAGES = {
    "out_of_order": "位置が重複または逆順です",
    "broken_link": "直前の記録との連結ハッシュが一致しません（記録の挿入・削除・入替え）",
    "modified": "記録の内容がハッシュと一致しません（改ざん）",
    "checkpoint_mismatch": "署名付きチェックポイントと一致しません（記録の書換え・再計算）",
}


def _anchors(report: Report, keys) -> dict[int, tuple[int, str]]:
    """{lane: (position, hash)} from the last purge of each lane (signature checked), else genesis."""
    anchors: dict[int, tuple[int, str]] = {}
    latest: dict[int, PurgeRecord] = {}
    for purge in PurgeRecord.objects.order_by("lane", "through_seq"):
        latest[purge.lane] = purge
    for lane, purge in latest.items():
        key = keys.get(purge.key_fingerprint)
        message = purge_message(lane, purge.through_seq, purge.anchor_hash, iso(purge.before), purge.removed,
                                iso(purge.at))
        if keys and (key is None or not signature_ok(key, purge.signature, message)):
            report.add(Problem(purge.through_seq, "forged_anchor",
                               "保存期間経過消去の起点の署名が正しくありません（偽造の疑い）", lane=lane))
        anchors[lane] = (purge.through_seq, purge.anchor_hash)
    return anchors


def verify_database(
    *, make_checkpoint: bool = True, expect: tuple[int, int, str] | None = None, using: str = DEFAULT_DB_ALIAS,
    witness: bool = True,
) -> Report:
    """Verify every chain of the log. ``expect``: (lane, position, hash) from a paper copy. ``witness``
    (the default): the checkpoints of the witness outside the database count like the database's own
    (witness.py), so a tail deleted together with its checkpoints, or a recomputed chain, shows. With
    ``make_checkpoint``, sign each lane's head afterwards if everything was good."""
    report = Report()
    keys = signing.trusted_keys()
    rows = Checkpoint.objects.values("lane", "seq", "hash", "at", "signature", "key_fingerprint")
    checkpoints = [{**cp, "at": iso(cp["at"])} for cp in rows]
    if witness:
        from . import witness as _witness

        witnessed, witness_warnings = _witness.read()
        report.warnings.extend(witness_warnings)
        known = {(cp["lane"], cp["seq"], cp["hash"], cp["signature"]) for cp in checkpoints}
        checkpoints += [cp for cp in witnessed if (cp["lane"], cp["seq"], cp["hash"], cp["signature"]) not in known]
    if keys:
        signed = check_checkpoints(checkpoints, keys, report)
        every = int(getattr(settings, "AUDIT_CHECKPOINT_EVERY", 1000))
    else:
        signed, every = {}, None
        report.warnings.append("署名鍵がないため、チェックポイントの署名を検証できません")
        if checkpoints:
            report.add(Problem(None, "no_key", "チェックポイントがありますが署名鍵がありません"))
    anchors = _anchors(report, keys)
    after_anchor = Q()
    for lane, (position, _h) in anchors.items():
        after_anchor &= ~Q(lane=lane, lane_seq__lte=position)
    overlap = Entry.objects.exclude(after_anchor).filter(lane__in=list(anchors)).order_by("seq").first() \
        if anchors else None
    if overlap is not None:
        report.add(Problem(overlap.lane_seq, "anchor_overlap", "消去済みのはずの記録が残っています",
                           lane=overlap.lane, seq=overlap.seq))
    connection = connections[using]
    seen = lanes_with_entries(connection.alias)
    lanes = {lane: anchors.get(lane, (0, GENESIS)) for lane in sorted(set(seen) | {ln for ln, _p in signed}
                                                                       | set(anchors))}
    scans = _parallel_scans(connection, {lane: a for lane, a in lanes.items() if lane in seen})
    for lane, (anchor_seq, anchor_hash) in lanes.items():
        _verify_lane(connection, lane, anchor=anchor_seq, anchor_hash=anchor_hash, signed=signed, every=every,
                     report=report, scan=scans.get(lane))
    for lane, position, hash_ in ChainHead.objects.order_by("id").values_list("id", "seq", "hash"):
        last, last_hash = report.lanes.get(lane, anchors.get(lane, (0, GENESIS)))
        if (position, hash_) == (last, last_hash) or any(p.lane == lane for p in report.problems):
            continue
        if position > last:
            report.add(Problem(last + 1, "truncated",
                               f"記録が{last}番目で終わっていますが、先頭管理行は{position}番目です（末尾の削除）",
                               lane=lane, near_seq=report.last_seq + 1))
        else:
            report.add(Problem(position, "head_mismatch", "先頭管理行が記録と一致しません", lane=lane))
    if expect is not None:
        lane, position, hash_ = expect
        last = report.lanes.get(lane, (0, GENESIS))[0]
        if position > last:
            report.add(Problem(last + 1, "truncated", f"控えの{position}番目より前で記録が終わっています（末尾の削除）",
                               lane=lane, near_seq=report.last_seq + 1))
        elif position > anchors.get(lane, (0, ""))[0]:
            stored = Entry.objects.filter(lane=lane, lane_seq=position).values_list("hash", flat=True).first()
            if stored != hash_:
                report.add(Problem(position, "expect_mismatch", "控え（紙・外部保管）のハッシュと一致しません",
                                   lane=lane))
    if not guards.installed(connections[using]):
        report.add(Problem(None, "guards_missing", "追記専用の保護トリガーが無効または削除されています"))
    for warning in disk_warnings():
        report.warnings.append(warning)
    if make_checkpoint and report.ok and keys:
        for lane, (position, _h) in sorted(report.lanes.items()):
            if position > anchors.get(lane, (0, ""))[0]:
                checkpoint_at(lane, position, reason="verify")
    return report
