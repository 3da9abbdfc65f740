"""Exporting a self-verifying bundle of the operation log (the format: ``bundle.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db.models import Max, Min, Q
from django.utils import timezone

from . import signing
from .bundle import write_bundle
from .chain import GENESIS, iso
from .checkpoints import checkpoint_at
from .models import Checkpoint, Entry, PurgeRecord
from .selectors import local_day_bounds
from .verify import _rows, verify_database


class ExportRefused(Exception):
    pass


def export_bundle(out_path: str | Path, *, day_from: dt.date, day_to: dt.date, organisation: str = "") -> dict:
    """Write a self-verifying bundle of the entries dated ``day_from``–``day_to`` (local days).

    The database chains are verified first (a bundle must not launder a tampered log). For each lane the
    bundle holds the contiguous run of entries covering the range, the signed anchor it chains from
    (genesis, a purge anchor or a checkpoint) and a signed checkpoint at its last entry.
    """
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
    entries = _rows(Entry.objects.filter(span_q).order_by("lane", "lane_seq"), with_canonical=True)
    private = signing.load_private_key()
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_bundle(out, header=header, checkpoints=checkpoints, purges=purge_lines, entries=entries,
                     sign=lambda message: private.sign(message).hex())
    return {"count": count, "first_seq": seqs["first"], "last_seq": seqs["last"], "lanes": len(wanted),
            "fingerprint": fp, "path": str(path)}
