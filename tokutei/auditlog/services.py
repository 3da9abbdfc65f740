# ruff: noqa: S608 - SQL built from constant table names only; values are always bound parameters
"""Appending to the operation log, in the same transaction as the operation it records.

Fail closed: if the entry cannot be written, the transaction — and so the operation — fails.

Concurrency. An append locks the head row of a chain (``ChainHead``, ``SELECT … FOR UPDATE``) and keeps
the lock until the caller's transaction commits, because the next entry's ``prev_hash`` is this entry's
hash and must not be used before it is durable. With ONE chain, appends therefore queue behind each
other's COMMIT (one disk flush each), and 8 concurrent writers get barely more than one.

So the log has ``settings.AUDIT_LOG_LANES`` chains ("lanes", PostgreSQL only; default 1). An append takes
the first head row that no other transaction holds (``FOR UPDATE SKIP LOCKED``), and blocks only when
every lane is busy. Transactions in different lanes commit in parallel (PostgreSQL groups their flushes).
Each lane is an independent hash chain with gap-free positions (``lane_seq``); verification checks every
lane; checkpoints sign lane heads. ``seq`` stays a unique log number for people and reports, taken from
a sequence; with several lanes it may skip numbers (rolled-back transactions) and a lower number may
commit after a higher one — consumers that follow the log by number use ``selectors.committed_horizon()``.
With one lane (the default), ``seq`` is taken under the lock, so it grows in commit order.

SQLite: its IMMEDIATE transactions serialise all writers anyway: one lane, ``seq`` = MAX + 1.

Hash format 2 (chain.py, sql.py): the hash is computed here over exactly the text the database will render
back from the stored row (PostgreSQL prints the details for it under the lock).

Call ``record()`` as the LAST statement of a transaction: the lock is held from there to the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from tokutei.core.errors import Refused

from . import signing
from .actions import Action, lookup
from .chain import (
    GENESIS,
    at_text,
    canonical_v2,
    clean_text,
    hash_v2,
    iso,
    jsonb_text,
    purge_message,
)
from .checkpoints import _sign_checkpoint, lock_heads
from .models import Entry, LogReview, PurgeAuthorisation, PurgeRecord
from .verify import verify_database

if TYPE_CHECKING:
    from tokutei.policy import Actor

log = logging.getLogger(__name__)

_COLUMNS = (
    "seq", "at", "actor_id", "actor_username", "terminal_id", "terminal_name", "action", "purpose",
    "target_type", "target_id", "count", "result", "article", "reason", "lane", "lane_seq", "details",
    "prev_hash", "hash", "hash_version",
)
_INSERT = f"INSERT INTO auditlog_entry ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
SEQUENCE = "tokutei_auditlog_seq"

# PostgreSQL: two statements. The first locks a chain head (from the thread's preferred lane, skipping
# busy ones, when there are several), draws the log number after the lock and has PostgreSQL print the details
# as jsonb prints them; the hash is then computed here (chain.canonical_v2 — exactly what sql.PG_RENDER renders
# from the stored row) and the second inserts the entry and moves the head. (Hashing in SQL saves a round trip
# but cost more: sha256() costs PostgreSQL ~50 µs per statement, and the server's CPU is what 8 writers share.)
_LOCK_ONE = ("SELECT id, seq, hash, nextval('" + SEQUENCE + "'), %s::jsonb::text FROM auditlog_chainhead "
             "WHERE id = %s FOR UPDATE")
_LOCK_FREE = ("SELECT id, seq, hash, nextval('" + SEQUENCE + "'), %s::jsonb::text FROM auditlog_chainhead "
              "WHERE id <= %s ORDER BY (id + %s) %% %s FOR UPDATE SKIP LOCKED LIMIT 1")
_APPEND_PG = (
    "WITH head AS (UPDATE auditlog_chainhead SET seq = %s, hash = %s WHERE id = %s) "
    + _INSERT.replace("%s, %s, %s, %s)", "%s::jsonb, %s, %s, %s)")
    + " RETURNING id"
)


def checkpoint_every() -> int:
    return int(getattr(settings, "AUDIT_CHECKPOINT_EVERY", 1000))


def lane_count(connection=None) -> int:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return 1
    return max(1, min(int(getattr(settings, "AUDIT_LOG_LANES", 1)), 64))


_preferred = threading.local()


def _ensure_heads(cursor, lanes: int) -> None:
    cursor.execute("SELECT count(*) FROM auditlog_chainhead WHERE id <= %s", [lanes])
    if cursor.fetchone()[0] < lanes:
        for lane in range(1, lanes + 1):
            cursor.execute(
                "INSERT INTO auditlog_chainhead (id, seq, hash) VALUES (%s, 0, %s) ON CONFLICT (id) DO NOTHING",
                [lane, GENESIS],
            )


def _append_pg(cursor, lanes: int, fields: dict[str, Any], details_json: str) -> tuple:
    """(id, seq, lane, lane_seq, prev_hash, hash) of the appended entry."""
    if lanes == 1:
        attempts = [(_LOCK_ONE, [details_json, 1])]
    else:
        start = getattr(_preferred, "lane", None)
        if start is None:
            start = _preferred.lane = random.randrange(1_000_003)
        attempts = [(_LOCK_FREE, [details_json, lanes, start % lanes, lanes])]
    row = None
    for ensure in (False, True):
        if ensure:  # no head yet, or every lane is busy: make sure the heads exist, try again, then wait
            _ensure_heads(cursor, lanes)
            if lanes > 1:
                attempts.append((_LOCK_ONE, [details_json, random.randint(1, lanes)]))
        for lock, params in attempts:
            cursor.execute(lock, params)
            row = cursor.fetchone()
            if row is not None:
                break
        if row is not None:
            break
    if row is None:
        raise RuntimeError("operation log: no chain head could be locked")
    lane, position, prev_hash, seq, details_text = row
    stored = {**fields, "seq": int(seq), "lane": int(lane), "lane_seq": int(position) + 1, "details": details_text}
    digest = hash_v2(canonical_v2(prev_hash, stored))
    values = [*(stored[name] for name in _COLUMNS[:17]), prev_hash, digest, 2]
    values[1] = fields["_at"]
    cursor.execute(_APPEND_PG, [stored["lane_seq"], digest, lane, *values])
    (pk,) = cursor.fetchone()
    return pk, stored["seq"], stored["lane"], stored["lane_seq"], prev_hash, digest


def _append_sqlite(cursor, fields: dict[str, Any], details_text: str) -> tuple:
    """SQLite (one lane; IMMEDIATE transactions serialise writers): the hash computed here over exactly the
    text stored, which is what sql.SQLITE_RENDER renders back."""
    cursor.execute("SELECT id, seq, hash, (SELECT COALESCE(MAX(seq), 0) + 1 FROM auditlog_entry) "
                   "FROM auditlog_chainhead WHERE id = 1")
    row = cursor.fetchone()
    if row is None:
        _ensure_heads(cursor, 1)
        cursor.execute("SELECT id, seq, hash, (SELECT COALESCE(MAX(seq), 0) + 1 FROM auditlog_entry) "
                       "FROM auditlog_chainhead WHERE id = 1")
        row = cursor.fetchone()
    lane, position, prev_hash, seq = row
    stored = {**fields, "seq": int(seq), "lane": int(lane), "lane_seq": int(position) + 1, "details": details_text}
    digest = hash_v2(canonical_v2(prev_hash, stored))
    cursor.execute("UPDATE auditlog_chainhead SET seq = %s, hash = %s WHERE id = %s",
                   [stored["lane_seq"], digest, lane])
    cursor.execute(_INSERT, [*(stored[name] for name in _COLUMNS[:17]), prev_hash, digest, 2])
    return cursor.lastrowid, stored["seq"], stored["lane"], stored["lane_seq"], prev_hash, digest


def _write(connection, cursor, fields: dict[str, Any], at: dt.datetime) -> tuple:
    details_json = json.dumps(fields["details"], ensure_ascii=False, sort_keys=True, allow_nan=False)
    if connection.vendor == "postgresql":
        return _append_pg(cursor, lane_count(connection), {**fields, "_at": at}, details_json)
    return _append_sqlite(cursor, fields, jsonb_text(fields["details"]))


_FOLLOWERS: list = []


def follow(callback) -> None:
    """Run ``callback(entry)`` after each append, in the same transaction (the ledgers write the
    handling-status row of a handling entry this way, so that no page load has to)."""
    if callback not in _FOLLOWERS:
        _FOLLOWERS.append(callback)


def record(
    *,
    action: str,
    actor: Any = None,
    terminal: Any = None,
    purpose: str = "",
    target_type: str = "",
    target_id: str | int = "",
    count: int = 1,
    result: str = Entry.Result.OK,
    article: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> Entry:
    """Append one entry. Must run inside the caller's transaction (it opens one if there is none).

    ``details`` must not contain personal data: ids, counts, keyed digests only. ``action`` must be a
    registered action (``tokutei.auditlog.actions``): an unknown code is a programming error.
    """
    if lookup(action) is None:
        raise ValueError(f"operation log: {action!r} is not a registered action (tokutei.auditlog.actions)")
    connection = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    fields: dict[str, Any] = {
        "at": at_text(now),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": clean_text(getattr(actor, "username", "") or ""),
        "terminal_id": getattr(terminal, "pk", None),
        "terminal_name": clean_text(getattr(terminal, "name", "") or ""),
        "action": clean_text(action),
        "purpose": clean_text(purpose or ""),
        "target_type": clean_text(target_type or ""),
        "target_id": clean_text(str(target_id)) if target_id not in ("", None) else "",
        "count": int(count),
        "result": clean_text(str(result)),
        "article": clean_text(article or ""),
        "reason": clean_text((reason or "")[:500]),
        # Round-trip details through JSON, so that what is returned is what is stored and read back.
        "details": json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
    }
    # savepoint=False: no extra SAVEPOINT/RELEASE round trips inside the lock; a failure here marks the
    # caller's transaction for rollback, which is what fail-closed means.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        pk, seq, lane, lane_seq, prev_hash, digest = _write(connection, cursor, fields, now)
        entry = Entry(id=pk, **{**fields, "at": now}, seq=int(seq), lane=int(lane), lane_seq=int(lane_seq),
                      prev_hash=prev_hash, hash=digest, hash_version=2)
        if lane_seq % checkpoint_every() == 0:
            if signing.has_key():
                _sign_checkpoint(lane, lane_seq, digest, reason="auto")
            else:
                log.warning("operation log: no signing key, checkpoint at %s/%s skipped", lane, lane_seq)
        for follower in _FOLLOWERS:
            follower(entry)
        return entry


def refuse(
    message: str,
    *,
    action: str,
    article: str = "",
    code: str = "refused",
    actor: Any = None,
    terminal: Any = None,
    purpose: str = "",
    target_type: str = "",
    target_id: str | int = "",
    details: dict[str, Any] | None = None,
) -> Refused:
    """Log a refusal and return the exception to raise: ``raise refuse(...)``.

    Call it *before* opening the operation's transaction (decide, then act), so that the refusal entry
    commits even though the operation does not happen.
    """
    record(
        action=action,
        actor=actor,
        terminal=terminal,
        purpose=purpose,
        target_type=target_type,
        target_id=target_id,
        result=Entry.Result.REFUSED,
        article=article,
        reason=message,
        details={"code": code, **(details or {})},
    )
    return Refused(message, article=article, code=code, logged=True)


# --- retention purge (R-LOG-2, E-35) -----------------------------------------------------------------------

def retention_cutoff(today: dt.date | None = None) -> tuple[dt.datetime | None, str]:
    """(the instant before which entries are past retention, the article). None: no period is set, so
    nothing may ever be purged."""
    from tokutei.profiles.selectors import get_profile

    profile = get_profile()
    period = profile.retention.operation_log
    article = profile.retention.article
    today = today or timezone.localdate()
    if period is None:
        days = getattr(settings, "AUDIT_LOG_RETENTION_DAYS", None)
        if not days:
            return None, article
        boundary = today - dt.timedelta(days=int(days))
    else:
        boundary = _subtract(period, today)
    start = dt.datetime.combine(boundary, dt.time.min, tzinfo=timezone.get_current_timezone())
    return start, article


def _subtract(period: Any, day: dt.date) -> dt.date:
    """``day`` minus the period: the first day whose entries are still within retention."""
    return period.subtract_from(day)


def purge(*, before: dt.datetime, actor: Actor | None = None) -> list[PurgeRecord]:
    """Remove the entries older than ``before``, never one still within retention (E-35).

    ``actor``: a staff member at the console (``Actor.console``), or None — the system itself (the scheduled
    purge). The policy decides first (``log.purge``: the profile's system administrators, or
    the system), a refusal logged. Refuses (and logs the attempt) when ``before`` is later than the retention
    boundary or when the chain does not verify (a purge must not destroy the evidence of tampering). In each
    lane the hash of the last removed entry is kept in a signed PurgeRecord, from which ``verify`` starts.
    Returns the records made (empty if nothing is old enough).
    """
    from tokutei.policy import Actor, require

    who = actor if actor is not None else Actor.system()
    require(who, Action.LOG_PURGE, target=("purge", ""), details={"before": iso(before)})
    actor, terminal = who.user, who.terminal
    cutoff, article = retention_cutoff()
    if cutoff is None or before > cutoff:
        raise refuse(
            "保存期間が経過していない操作履歴は消去できません"
            if cutoff is not None else "操作履歴の保存期間が設定されていないため消去できません",
            action="log.purge", article=article, code="retention", actor=actor, terminal=terminal,
            details={"before": iso(before), "cutoff": iso(cutoff) if cutoff else None},
        )
    report = verify_database(make_checkpoint=False)
    if not report.ok:
        raise refuse(
            "操作履歴の検証に失敗しているため消去できません（改ざんの証拠を消さないため）",
            action="log.purge", article=article, code="chain_broken", actor=actor, terminal=terminal,
            details={"first_bad_seq": report.first_problem.seq if report.first_problem else None},
        )
    connection = connections[DEFAULT_DB_ALIAS]
    made: list[PurgeRecord] = []
    with transaction.atomic():
        heads = lock_heads()  # no appends while the anchors are taken
        for lane in sorted(heads):
            lane_qs = Entry.objects.filter(lane=lane)
            first_kept = (lane_qs.filter(at__gte=before).order_by("lane_seq")
                          .values_list("lane_seq", flat=True).first())
            old = lane_qs if first_kept is None else lane_qs.filter(lane_seq__lt=first_kept)
            last = old.order_by("-lane_seq").values("lane_seq", "hash").first()
            if last is None:
                continue
            through, anchor = last["lane_seq"], last["hash"]
            previous = (PurgeRecord.objects.filter(lane=lane).order_by("-through_seq")
                        .values_list("through_seq", flat=True).first() or 0)
            removed = through - previous
            at = iso(timezone.now())
            signature, fp = signing.sign(purge_message(lane, through, anchor, iso(before), removed, at))
            made.append(PurgeRecord.objects.create(
                lane=lane, through_seq=through, anchor_hash=anchor, before=before, removed=removed,
                at=dt.datetime.fromisoformat(at), actor_id=getattr(actor, "pk", None),
                actor_username=getattr(actor, "username", "") or "", signature=signature, key_fingerprint=fp,
            ))
        if not made:
            return []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL tokutei.purge = 'on'")
            else:
                PurgeAuthorisation.objects.create(through_seq=max(p.through_seq for p in made))
            for purge_record in made:
                cursor.execute("DELETE FROM auditlog_entry WHERE lane = %s AND lane_seq <= %s",
                               [purge_record.lane, purge_record.through_seq])
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL tokutei.purge = 'off'")
            else:
                PurgeAuthorisation.objects.all().delete()
        record(action="log.purge", actor=actor, terminal=terminal, count=sum(p.removed for p in made),
               article=article, target_type="purge", target_id=made[0].pk,
               details={"lanes": {str(p.lane): p.through_seq for p in made}, "before": iso(before)})
    return made


# --- log review sign-off (R-LOG-4) -------------------------------------------------------------------------

def sign_off_review(
    *, reviewer: Any, terminal: Any = None, period_from: dt.date, period_to: dt.date, findings: str,
    issues_found: bool = False,
) -> LogReview:
    """Record that ``reviewer`` reviewed the log for the period, with findings (R-LOG-4)."""
    with transaction.atomic():
        last = Entry.objects.order_by("-seq").values("seq", "hash").first() or {"seq": 0, "hash": GENESIS}
        review = LogReview.objects.create(
            reviewer=reviewer, period_from=period_from, period_to=period_to, findings=findings,
            issues_found=issues_found, signed_at=timezone.now(), through_seq=last["seq"], through_hash=last["hash"],
        )
        record(action="log.review", actor=reviewer, terminal=terminal, target_type="log_review",
               target_id=review.pk,
               details={"from": period_from.isoformat(), "to": period_to.isoformat(), "issues": issues_found})
    return review
