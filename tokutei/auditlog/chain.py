"""Canonical bytes, hashing and verification of log entries, shared by the writer, the verifier and bundles.

This module must not import Django: an auditor verifies an exported bundle offline with it, without a
database (``python -m tokutei.auditlog.bundle FILE``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64

# The fields that the hash covers, in order. Changing this list changes every hash: it is versioned.
# ``lane``/``lane_seq``: the entry's chain and its position in it (see services.py: several chains let
# concurrent transactions append without queueing behind each other's commit).
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "terminal_id", "terminal_name", "action", "purpose",
    "target_type", "target_id", "count", "result", "article", "reason", "details", "lane", "lane_seq",
)


def iso(at: dt.datetime) -> str:
    """The timestamp as hashed: UTC, microseconds."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


# The canonical bytes are exactly ``json.dumps({name: fields.get(name) for name in HASHED_FIELDS},
# ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()`` (``canonical_reference``).
# ``json.dumps`` with options builds a new JSONEncoder on every call; the verifier encodes every entry, so
# ``canonical`` reuses one encoder with the same options: the bytes are identical (tests/test_canonical.py).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
_encode = _ENCODER.encode
_SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))


def canonical_reference(fields: Mapping[str, Any]) -> bytes:
    """The definition of the canonical bytes; ``canonical`` must return exactly these."""
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def canonical(fields: Mapping[str, Any]) -> bytes:
    get = fields.get
    return _encode({name: get(name) for name in _SORTED_FIELDS}).encode()


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """Format 1: SHA-256(prev_hash as 32 bytes || canonical JSON of the hashed fields).

    Verification only: nothing writes format 1 any more, but entries written before migration
    auditlog/0005 keep it (their hashes are evidence; the append-only guards forbid rewriting them)."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical(fields)).hexdigest()


# --- format 2 -----------------------------------------------------------------------------------------------
# Format 2 hashes the entry's columns as the database itself renders them, so that the verifier can check,
# in one set-based pass inside the database, that the hash covers exactly what the application reads — no
# copy of the fields that could disagree with the columns, no row-by-row reading into Python (sql.py holds
# the SQL renderings, which must produce exactly ``canonical_v2``):
#
#   "tokutei-log/2" US prev_hash US seq US at US actor_id US actor_username US terminal_id US terminal_name US
#   action US purpose US target_type US target_id US count US result US article US reason US details US lane
#   US lane_seq                                          (US = the unit separator, 0x1F; UTF-8)
#
# ``hash`` = SHA-256 of those bytes (hex). Integers in decimal, a NULL id as the empty string; ``at`` in UTC as
# "YYYY-MM-DD HH:MM:SS.ffffff"; ``details`` as PostgreSQL prints jsonb (``jsonb_text``). Text fields never
# contain US or NUL (``clean_text``), and details print control characters escaped, so the 18 separators split
# the bytes back into exactly the 19 parts (``parse_v2``): the rendering is one-to-one.
V2_PREFIX = "tokutei-log/2"
SEP = "\x1f"
V2_FIELDS = ("prev_hash", *HASHED_FIELDS)
_V2_INTS = {"seq", "count", "lane", "lane_seq"}
_V2_NULLABLE_INTS = {"actor_id", "terminal_id"}


def clean_text(value: str) -> str:
    """A text field as stored in format 2: without the separator or NUL (neither means anything in a log)."""
    if "\x1f" in value or "\x00" in value:
        return value.replace("\x1f", "\ufffd").replace("\x00", "\ufffd")
    return value


def at_text(at: dt.datetime) -> str:
    """The timestamp as format 2 hashes it (and as SQLite stores it): UTC, always six fractional digits."""
    u = at.astimezone(dt.UTC)
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:{u.second:02d}"
            f".{u.microsecond:06d}")


def _jsonb_number(value: float) -> str:
    from decimal import Decimal

    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("details: NaN and infinity are not JSON")
    text = format(Decimal(repr(value)), "f")  # PostgreSQL keeps the input's decimal digits, never an exponent
    return text.lstrip("-") if Decimal(text) == 0 else text


def jsonb_text(value: Any) -> str:
    """``value`` (plain JSON types) printed exactly as PostgreSQL prints it as jsonb: keys ordered by length,
    then bytes; ", " and ": " between items; strings escaped as json.dumps(ensure_ascii=False) does."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _jsonb_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {jsonb_text(value[k])}" for k in keys) + "}"
    raise TypeError(f"details: {type(value).__name__} is not a JSON type")


def canonical_v2(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    """The format 2 bytes of an entry whose ``at`` is already ``at_text`` and ``details`` already
    ``jsonb_text`` (what SQLite stores, and what PostgreSQL renders)."""
    parts = [V2_PREFIX, prev_hash]
    for name in HASHED_FIELDS:
        value = fields[name]
        parts.append("" if value is None else str(value))
    return SEP.join(parts).encode()


def hash_v2(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _int(text: str) -> int:
    if not text or not (text.isascii() and text.lstrip("-").isdigit()) or text.startswith("+"):
        raise ValueError(f"not an integer: {text!r}")
    return int(text)


def parse_v2(data: bytes) -> dict[str, Any]:
    """The fields of format 2 bytes (``at`` as ``iso``), for the offline verifier to check a bundle's fields
    against the hashed bytes. Raises ValueError if the bytes are not format 2."""
    parts = data.decode().split(SEP)
    if len(parts) != len(V2_FIELDS) + 1 or parts[0] != V2_PREFIX:
        raise ValueError("not format 2")
    fields: dict[str, Any] = {}
    for name, text in zip(V2_FIELDS, parts[1:], strict=True):
        if name in _V2_INTS:
            fields[name] = _int(text)
        elif name in _V2_NULLABLE_INTS:
            fields[name] = None if text == "" else _int(text)
        elif name == "at":
            fields[name] = iso(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC))
        elif name == "details":
            fields[name] = json.loads(text)
        else:
            fields[name] = text
    return fields


# --- signatures (Ed25519) -------------------------------------------------------------------------------

def checkpoint_message(lane: int, seq: int, hash_: str, at: str) -> bytes:
    """What a checkpoint signs: "entry ``seq`` of chain ``lane`` has hash ``hash_``"."""
    return f"tokutei-auditlog-checkpoint/2\nlane={lane}\nseq={seq}\nhash={hash_}\nat={at}\n".encode()


def purge_message(lane: int, through_seq: int, anchor_hash: str, before: str, removed: int, at: str) -> bytes:
    return (
        f"tokutei-auditlog-purge/2\nlane={lane}\nthrough_seq={through_seq}\nanchor_hash={anchor_hash}\n"
        f"before={before}\nremoved={removed}\nat={at}\n"
    ).encode()


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex (print it on paper; compare it when verifying)."""
    return hashlib.sha256(raw_public(key)).hexdigest()


def load_public_pem(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def signature_ok(key: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- verification -----------------------------------------------------------------------------------------

@dataclass
class Problem:
    """What is wrong, and where: ``lane``/``position`` (the entry's place in its chain), ``seq`` (the log
    number of the offending row, when there is one)."""

    position: int | None
    kind: str  # modified / missing / out_of_order / broken_link / checkpoint_mismatch / truncated / forged ...
    message: str
    lane: int = 1
    seq: int | None = None
    near_seq: int | None = None  # for ordering problems that have no row (missing, truncated)

    def sort_key(self) -> tuple:
        anchor = self.seq if self.seq is not None else self.near_seq
        return (anchor is None, anchor or 0, self.lane, self.position or 0)

    def __str__(self) -> str:
        if self.position is None:
            where = "全体"
        elif self.seq is not None:
            where = f"第{self.seq}番（連鎖{self.lane}の{self.position}番目）"
        else:
            where = f"連鎖{self.lane}の{self.position}番目"
        return f"{where}: {self.message} [{self.kind}]"


@dataclass
class Report:
    ok: bool = True
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entries_checked: int = 0
    last_seq: int = 0  # the highest log number verified
    lanes: dict[int, tuple[int, str]] = field(default_factory=dict)  # lane -> (last position, last hash)
    anchors: dict[int, tuple[int, str]] = field(default_factory=dict)
    checkpoints_checked: int = 0

    @property
    def first_problem(self) -> Problem | None:
        return min(self.problems, key=Problem.sort_key) if self.problems else None

    @property
    def last_hash(self) -> str:
        return self.lanes.get(1, (0, GENESIS))[1]

    @property
    def anchor_seq(self) -> int:
        return self.anchors.get(1, (0, GENESIS))[0]

    def add(self, problem: Problem) -> None:
        self.ok = False
        self.problems.append(problem)


Signed = dict[tuple[int, int], str]  # (lane, position) -> hash


def check_checkpoints(
    checkpoints: Iterable[Mapping[str, Any]], keys: Mapping[str, Ed25519PublicKey], report: Report
) -> Signed:
    """Check each checkpoint's signature; return {(lane, position): hash} of the valid ones."""
    valid: Signed = {}
    for cp in checkpoints:
        lane, seq, hash_ = int(cp.get("lane", 1)), int(cp["seq"]), str(cp["hash"])
        key = keys.get(str(cp.get("key_fingerprint", "")))
        if key is None:
            report.add(Problem(seq, "unknown_key", "チェックポイントが信頼できない鍵で署名されています（偽造の疑い）",
                               lane=lane))
            continue
        if not signature_ok(key, str(cp["signature"]), checkpoint_message(lane, seq, hash_, str(cp["at"]))):
            report.add(Problem(seq, "forged_checkpoint", "チェックポイントの署名が正しくありません（偽造または改ざん）",
                               lane=lane))
            continue
        if valid.get((lane, seq), hash_) != hash_:
            report.add(Problem(seq, "checkpoint_conflict", "同じ位置に異なる署名付きチェックポイントがあります",
                               lane=lane))
            continue
        valid[(lane, seq)] = hash_
        report.checkpoints_checked += 1
    return valid


def walk_lane(
    entries: Iterable[Mapping[str, Any]],
    *,
    report: Report,
    lane: int = 1,
    anchor_seq: int = 0,
    anchor_hash: str = GENESIS,
    signed: Signed | None = None,
    checkpoint_every: int | None = None,
) -> None:
    """Recompute one chain from its anchor; stop at its first bad entry and name it.

    ``entries``: mappings with the hashed fields plus ``prev_hash`` and ``hash``, in ``lane_seq`` order.
    ``signed``: valid signed checkpoints. ``checkpoint_every``: a checkpoint must exist at every multiple
    of it (they are made automatically), so deleting checkpoints shows too.
    """
    signed = signed or {}
    report.anchors[lane] = (anchor_seq, anchor_hash)
    if signed.get((lane, anchor_seq), anchor_hash) != anchor_hash:
        report.add(Problem(anchor_seq, "anchor_mismatch", "起点のハッシュが署名付きチェックポイントと一致しません",
                           lane=lane))
        return
    expected, running = anchor_seq + 1, anchor_hash
    for entry in entries:
        pos, seq = int(entry["lane_seq"]), int(entry["seq"])
        if int(entry["lane"]) != lane:
            report.add(Problem(pos, "out_of_order", "別の連鎖の記録が混じっています", lane=lane, seq=seq))
            return
        if pos != expected:
            if pos > expected:
                report.add(Problem(expected, "missing",
                                   f"記録がありません（削除されたか番号が変えられています。次にあるのは第{seq}番）",
                                   lane=lane, near_seq=seq))
            else:
                report.add(Problem(pos, "out_of_order", f"位置が重複または逆順です（{expected}番目を期待）",
                                   lane=lane, seq=seq))
            return
        if entry["prev_hash"] != running:
            report.add(Problem(pos, "broken_link", "直前の記録との連結ハッシュが一致しません（記録の挿入・削除・入替え）",
                               lane=lane, seq=seq))
            return
        canon = entry.get("canonical")  # format 2: the hashed bytes, already checked against the fields
        if canon is None:
            computed = entry_hash(running, entry)
        elif canon.startswith(f"{V2_PREFIX}{SEP}{running}{SEP}".encode()):
            computed = hash_v2(canon)
        else:
            computed = ""
        if computed != entry["hash"]:
            report.add(Problem(pos, "modified", "記録の内容がハッシュと一致しません（改ざん）", lane=lane, seq=seq))
            return
        if signed.get((lane, pos), computed) != computed:
            report.add(Problem(pos, "checkpoint_mismatch", "署名付きチェックポイントと一致しません（記録の書換え・再計算）",
                               lane=lane, seq=seq))
            return
        running = computed
        expected += 1
        report.entries_checked += 1
        report.last_seq = max(report.last_seq, seq)
    finish_lane(report, lane=lane, last=expected - 1, last_hash=running, anchor_seq=anchor_seq, signed=signed,
                checkpoint_every=checkpoint_every)


def finish_lane(
    report: Report, *, lane: int, last: int, last_hash: str, anchor_seq: int, signed: Signed,
    checkpoint_every: int | None,
) -> None:
    """After a chain verified up to ``last``: a signed checkpoint beyond it means a deleted tail, and one must
    exist at every multiple of ``checkpoint_every``."""
    report.lanes[lane] = (last, last_hash)
    beyond = sorted(p for (ln, p) in signed if ln == lane and p > last)
    if beyond:
        report.add(Problem(last + 1, "truncated",
                           f"記録が{last}番目で終わっていますが、{beyond[-1]}番目までの署名付きチェックポイントがあります（末尾の削除）",
                           lane=lane, near_seq=report.last_seq + 1))
    if checkpoint_every:
        first_required = (anchor_seq // checkpoint_every + 1) * checkpoint_every
        for pos in range(first_required, last + 1, checkpoint_every):
            if (lane, pos) not in signed:
                report.add(Problem(pos, "checkpoint_missing", "自動の署名付きチェックポイントがありません（削除の疑い）",
                                   lane=lane))
                break


def walk(
    entries: Iterable[Mapping[str, Any]],
    *,
    report: Report,
    anchors: Mapping[int, tuple[int, str]] | None = None,
    signed: Signed | None = None,
    checkpoint_every: int | None = None,
) -> Report:
    """Verify every chain. ``entries`` sorted by (lane, lane_seq); ``anchors``: {lane: (position, hash)}
    to start from (genesis when absent). A chain known from an anchor or a checkpoint but with no entry
    left is checked too (its whole tail deleted)."""
    anchors = dict(anchors or {})
    signed = signed or {}
    seen: set[int] = set()
    for lane, group in groupby(entries, key=lambda e: int(e["lane"])):
        seen.add(lane)
        anchor_seq, anchor_hash = anchors.get(lane, (0, GENESIS))
        walk_lane(group, report=report, lane=lane, anchor_seq=anchor_seq, anchor_hash=anchor_hash,
                  signed=signed, checkpoint_every=checkpoint_every)
    for lane in sorted(({ln for ln, _p in signed} | set(anchors)) - seen):
        anchor_seq, anchor_hash = anchors.get(lane, (0, GENESIS))
        walk_lane((), report=report, lane=lane, anchor_seq=anchor_seq, anchor_hash=anchor_hash, signed=signed,
                  checkpoint_every=checkpoint_every)
    return report
