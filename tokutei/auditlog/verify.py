"""Verifying the operation log in the database, and exporting a self-verifying bundle.

``verify_database`` recomputes the whole chain from its anchor (genesis, or the signed anchor of the last
retention purge), checks every checkpoint signature against the key kept outside the database, and names
the first bad entry.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Max, Min, Q
from django.utils import timezone

from . import guards, signing
from .chain import (
    GENESIS,
    HASHED_FIELDS,
    Problem,
    Report,
    check_checkpoints,
    iso,
    purge_message,
    signature_ok,
    walk,
)
from .models import ChainHead, Checkpoint, Entry, PurgeRecord

_VALUES = (*HASHED_FIELDS, "prev_hash", "hash")


_AT = _VALUES.index("at")


def _rows(qs) -> Iterator[dict[str, Any]]:
    """The entries as plain dicts of the hashed fields (``at`` as hashed), streamed in chunks (a server-side
    cursor on PostgreSQL): tuples from ``values_list``, no model instances."""
    names, at, make = _VALUES, _AT, dict
    for row in qs.values_list(*_VALUES).iterator(chunk_size=5000):
        entry = make(zip(names, row, strict=True))
        entry["at"] = iso(row[at])
        yield entry


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
    *, make_checkpoint: bool = True, expect: tuple[int, int, str] | None = None, using: str = DEFAULT_DB_ALIAS
) -> Report:
    """Verify every chain of the log. ``expect``: (lane, position, hash) from a paper copy. With
    ``make_checkpoint``, sign each lane's head afterwards if everything was good."""
    report = Report()
    keys = signing.trusted_keys()
    checkpoints = list(Checkpoint.objects.values("lane", "seq", "hash", "at", "signature", "key_fingerprint"))
    for cp in checkpoints:
        cp["at"] = iso(cp["at"])
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
    walk(
        _rows(Entry.objects.filter(after_anchor).order_by("lane", "lane_seq")),
        report=report, anchors=anchors, signed=signed, checkpoint_every=every,
    )
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
        from .services import checkpoint_at

        for lane, (position, _h) in sorted(report.lanes.items()):
            if position > anchors.get(lane, (0, ""))[0]:
                checkpoint_at(lane, position, reason="verify")
    return report


@dataclass
class DiskStatus:
    path: str
    free_bytes: int
    total_bytes: int
    low: bool

    @property
    def free_percent(self) -> float:
        return 100.0 * self.free_bytes / self.total_bytes if self.total_bytes else 0.0


def disk_status() -> DiskStatus:
    """Free space where the data (SQLite file, keys, exports) lives. A full disk stops the log — and so,
    fail-closed, every operation (lessons: Vault stalls when the audit disk fills)."""
    path = Path(settings.DATA_DIR)
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = shutil.disk_usage(path)
    min_free = int(getattr(settings, "AUDIT_DISK_MIN_FREE_BYTES", 2 * 1024**3))
    min_percent = float(getattr(settings, "AUDIT_DISK_MIN_FREE_PERCENT", 10.0))
    low = usage.free < min_free or (100.0 * usage.free / usage.total) < min_percent
    return DiskStatus(str(path), usage.free, usage.total, low)


def disk_warnings() -> list[str]:
    status = disk_status()
    if not status.low:
        return []
    return [
        f"警告: ディスクの空き容量が少なくなっています（{status.path}: 空き {status.free_bytes / 1024**3:.1f} GiB、"
        f"{status.free_percent:.1f}%）。空きがなくなると操作履歴を書けず、すべての操作が止まります。"
    ]


def last_status() -> dict[str, Any]:
    """A cheap status for dashboards: head, latest checkpoint, guards, disk (no full recomputation)."""
    head_seq = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    latest = Checkpoint.objects.order_by("-at", "-id").values("lane", "seq", "at", "reason").first()
    return {
        "head_seq": head_seq,
        "lanes": ChainHead.objects.count(),
        "latest_checkpoint": latest,
        "guards": guards.installed(connections[DEFAULT_DB_ALIAS]),
        "disk": disk_status(),
        "at": timezone.now(),
    }


def local_day_bounds(day_from: dt.date, day_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(day_from, dt.time.min, tzinfo=tz),
        dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


class ExportRefused(Exception):
    pass


def export_bundle(out_path: str | Path, *, day_from: dt.date, day_to: dt.date, organisation: str = "") -> dict:
    """Write a self-verifying bundle of the entries dated ``day_from``–``day_to`` (local days).

    The database chains are verified first (a bundle must not launder a tampered log). For each lane the
    bundle holds the contiguous run of entries covering the range, the signed anchor it chains from
    (genesis, a purge anchor or a checkpoint) and a signed checkpoint at its last entry.
    """
    from .bundle import write_bundle
    from .services import checkpoint_at

    report = verify_database(make_checkpoint=False)
    if not report.ok:
        raise ExportRefused(f"操作履歴の検証に失敗しているため書き出せません: {report.first_problem}")
    start, end = local_day_bounds(day_from, day_to)
    spans = {
        row["lane"]: (row["first"], row["last"])
        for row in Entry.objects.filter(at__gte=start, at__lt=end).values("lane")
        .annotate(first=Min("lane_seq"), last=Max("lane_seq")).order_by("lane")
    }
    purges = {p.lane: p for p in PurgeRecord.objects.order_by("lane", "through_seq")}
    key = signing.public_key()
    fp = signing.fingerprint(key)
    anchors: dict[str, dict] = {}
    purge_lines: list[dict] = []
    wanted: dict[int, tuple[int, int]] = {}
    for lane, (first, last) in spans.items():
        anchor = first - 1
        purge = purges.get(lane)
        if anchor == 0:
            anchor_hash = GENESIS
        elif purge and anchor == purge.through_seq:
            anchor_hash = purge.anchor_hash
            purge_lines.append({
                "lane": lane, "through_seq": purge.through_seq, "anchor_hash": purge.anchor_hash,
                "before": iso(purge.before), "removed": purge.removed, "at": iso(purge.at),
                "signature": purge.signature, "key_fingerprint": purge.key_fingerprint,
            })
        else:
            anchor_hash = checkpoint_at(lane, anchor, reason="export").hash
        checkpoint_at(lane, last, reason="export")
        anchors[str(lane)] = {"seq": anchor, "hash": anchor_hash, "last": last, "count": last - anchor}
        wanted[lane] = (anchor, last)
    checkpoints = []
    for lane, (anchor, last) in wanted.items():
        checkpoints += [
            {**cp, "at": iso(cp["at"])}
            for cp in Checkpoint.objects.filter(lane=lane, seq__gte=anchor, seq__lte=last, key_fingerprint=fp)
            .order_by("seq", "id").values("lane", "seq", "hash", "at", "signature", "key_fingerprint")
        ]
    span_q = Q(pk__in=[])
    for lane, (anchor, last) in wanted.items():
        span_q |= Q(lane=lane, lane_seq__gt=anchor, lane_seq__lte=last)
    count = sum(last - anchor for anchor, last in wanted.values())
    seqs = Entry.objects.filter(span_q).aggregate(first=Min("seq"), last=Max("seq"))
    header = {
        "organisation": organisation,
        "created_at": iso(timezone.now()),
        "from": day_from.isoformat(),
        "to": day_to.isoformat(),
        "first_seq": seqs["first"],
        "last_seq": seqs["last"],
        "count": count,
        "lanes": anchors,
        "public_key": signing.public_pem(key).decode(),
        "key_fingerprint": fp,
    }
    entries = _rows(Entry.objects.filter(span_q).order_by("lane", "lane_seq"))
    private = signing.load_private_key()
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_bundle(out, header=header, checkpoints=checkpoints, purges=purge_lines, entries=entries,
                     sign=lambda message: private.sign(message).hex())
    return {"count": count, "first_seq": seqs["first"], "last_seq": seqs["last"], "lanes": len(wanted),
            "fingerprint": fp, "path": str(path)}
