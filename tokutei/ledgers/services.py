"""Writes to the ledgers: each is one transaction that also appends its operation-log entry.

Handling-status records come FROM the operation log: :func:`record_from_entry` follows every append
(``auditlog.services.follow``) and writes the ``HandlingRecord`` of a handling entry (including refusals)
in the transaction that writes the entry, keyed by its seq — so the record is a by-product of the
operation and needs no cooperation from the apps that act, and no page load writes anything.
:func:`sync_from_log` catches up entries that have no row (written before this release, or by a process
without the ledgers app): ``tokutei ledgers sync``; it logs what it adds (``ledgers.sync``).

Permission is decided before each write (``tokutei.policy.require``, rules in ``rules.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action, staged_codes
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.core.fields import bounded_count, db_id
from tokutei.core.mynumber import looks_like_my_number
from tokutei.core.sql import column_of, insert_model
from tokutei.core.text import log_text
from tokutei.policy import Actor, Decision, refusal, require
from tokutei.profiles.selectors import get_profile

from . import files
from .models import FileRegisterSignOff, HandlingRecord, LogCursor, RegisterEntry
from .rules import HANDLING, REGISTER, Ledger
from .stages import STAGES, stage_for

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TEXT_MAX = 500


def _int_or_none(value: Any) -> int | None:
    """An id named by a log entry, or None (an odd value is "unknown": reading the log never fails)."""
    return db_id(value)


def _clean_text(value: Any, limit: int = 200) -> str:
    return log_text(value or "", limit)


def check_no_personal_number(label: str, value: str) -> None:
    """Refuse free text that looks like a 個人番号 (``tokutei.core.mynumber.looks_like_my_number``)."""
    if looks_like_my_number(value or ""):
        raise ValidationError(
            _("%(label)s に個人番号と思われる12桁の数字は記録できません。記録IDや件数で記載してください。")
            % {"label": label}
        )


def _row_from_entry(entry: Entry, **extra: Any) -> HandlingRecord | None:
    details = entry.details if isinstance(entry.details, dict) else {}
    stage = extra.pop("stage", None) or stage_for(entry.action, details)
    if stage is None:
        return None
    file_id = _int_or_none(details.get("file_id"))
    if file_id is None and entry.target_type == "file":
        file_id = _int_or_none(entry.target_id)
    fields = details.get("fields") or []
    if not isinstance(fields, list):
        fields = []
    values = {
        "recipient": _clean_text(extra.pop("recipient", None) or details.get("recipient")),
        "place": _clean_text(extra.pop("place", None) or details.get("place")),
        "method": _clean_text(extra.pop("method", None) or details.get("method")),
        "checker": _clean_text(extra.pop("checker", None) or details.get("checker"), 150),
        "item": _clean_text(extra.pop("item", None) or details.get("item")),
        "certificate": _clean_text(extra.pop("certificate", None) or details.get("certificate")),
        "note": _clean_text(extra.pop("note", None) or (entry.reason if entry.result != "ok" else ""), TEXT_MAX),
    }
    for label, value in values.items():
        if looks_like_my_number(value):
            values[label] = ""  # never copy something that looks like a 個人番号 into the ledger
    row = HandlingRecord(
        source=HandlingRecord.Source.LOG,
        source_seq=entry.seq,
        occurred_at=entry.at,
        stage=stage,
        action=entry.action,
        result=entry.result,
        actor_id=db_id(entry.actor_id),
        actor_username=_clean_text(entry.actor_username, 150),
        terminal_name=_clean_text(entry.terminal_name, 100),
        purpose=_clean_text(entry.purpose, 60),
        file_id=file_id,
        target_type=_clean_text(entry.target_type, 60),
        target_id=_clean_text(entry.target_id, 80),
        count=bounded_count(entry.count),
        fields=[str(f) for f in fields if isinstance(f, str) and len(f) <= 60 and _KEY_RE.match(f)][:50],
        article=_clean_text(entry.article, 200),
        **values,
    )
    row._witness_id = _int_or_none(details.get("witness_id") or details.get("checker_id"))
    return row


def _enrich(rows: list[HandlingRecord]) -> None:
    """Fill in what the entry names only by id: a carry-out's counterparty (an organisation) and media,
    the witness of a disposal. Read from the owning apps' rows in batches; absent apps are skipped."""
    from django.apps import apps

    try:
        carry_out_model = apps.get_model("registers", "CarryOut")
    except LookupError:
        carry_out_model = None
    if carry_out_model is not None:
        ids = {_int_or_none(r.target_id) for r in rows if r.target_type == "carry_out"} - {None}
        found = carry_out_model._default_manager.in_bulk(ids) if ids else {}
        for r in rows:
            co = found.get(_int_or_none(r.target_id)) if r.target_type == "carry_out" else None
            if co is None:
                continue
            r.recipient = r.recipient or str(getattr(co, "counterparty", "") or "")[:200]
            media = " ".join(str(v) for v in (getattr(co, "media_type", ""), getattr(co, "quantity", "")) if v)
            r.item = r.item or media[:200]
            r.purpose = r.purpose or str(getattr(co, "purpose_key", "") or "")[:60]
    witness_ids: dict[int, list[HandlingRecord]] = {}
    for r, witness in ((r, r._witness_id) for r in rows):
        if witness and not r.checker:
            witness_ids.setdefault(witness, []).append(r)
    if witness_ids:
        from tokutei.staff.models import User

        for pk, username in User.objects.filter(pk__in=witness_ids).values_list("pk", "username"):
            for r in witness_ids[pk]:
                r.checker = username
    for r in rows:
        for label in ("recipient", "item"):
            if looks_like_my_number(getattr(r, label)):
                setattr(r, label, "")


def record_from_entry(entry: Entry) -> HandlingRecord | None:
    """The handling-status row of one new log entry, written at once (called by ``record()`` for every
    append, inside its transaction). Returns None when the entry is not handling of personal data."""
    if stage_for(entry.action, entry.details if isinstance(entry.details, dict) else None) is None:
        return None
    row = _row_from_entry(entry)
    if row is None:
        return None
    if row.target_type == "carry_out" or row._witness_id:
        _enrich([row])
    # One row per logged handling operation, inside the operation's transaction: a fixed statement, not a
    # compiled INSERT (docs/performance.md, "Lookup over HTTP"); it stores what ``row.save()`` stores.
    insert_model(row)
    return row


RESCAN_WINDOW = dt.timedelta(minutes=10)


def _log_horizon(*, exact: bool) -> int:
    """The highest seq to read up to. ``exact``: the auditlog's committed horizon (it briefly holds appends
    back when there are several lanes, so only the command asks for it); otherwise MAX(seq) — an entry with
    a lower number that commits later is caught by the rescan window."""
    if exact:
        try:
            from tokutei.auditlog.selectors import committed_horizon
        except ImportError:
            pass
        else:
            return int(committed_horizon() or 0)
    return Entry.objects.aggregate(m=Max("seq"))["m"] or 0


def sync_from_log(*, actor: Actor | None = None, batch: int = 2000, exact: bool = False) -> int:
    """Generate rows for the handling entries of the log that have none yet (``tokutei ledgers sync``).

    Rows are normally written with their entry (:func:`record_from_entry`); this catches up the rest.
    Returns how many were added, and logs the catch-up (``ledgers.sync``) when it added any.
    """
    actor = actor or Actor.system()
    require(actor, Action.LEDGERS_SYNC)
    added = 0
    with transaction.atomic():
        cursor = LogCursor.objects.select_for_update().filter(id=1).first()
        if cursor is None:
            LogCursor.objects.get_or_create(id=1, defaults={"seq": 0})
            cursor = LogCursor.objects.select_for_update().get(id=1)
        last = _log_horizon(exact=exact)
        window_start = timezone.now() - RESCAN_WINDOW
        # Entries above the cursor, and — because with several log lanes a lower seq may commit after a
        # higher one — every entry of the last few minutes that has no row yet (idempotent either way).
        entries = (
            Entry.objects.filter(models.Q(seq__gt=cursor.seq) | models.Q(at__gte=window_start), seq__lte=last)
            .filter(models.Q(action__in=staged_codes()) | models.Q(details__has_key="stage"))
            .exclude(action__startswith="ledgers.")
            .exclude(seq__in=HandlingRecord.objects.filter(source_seq__isnull=False).values("source_seq"))
            .order_by("seq")
        )
        pending: list[HandlingRecord] = []
        for entry in entries.iterator(chunk_size=batch):
            row = _row_from_entry(entry)
            if row is not None:
                pending.append(row)
            if len(pending) >= batch:
                _enrich(pending)
                added += _insert_generated(pending)
                pending = []
        if pending:
            _enrich(pending)
            added += _insert_generated(pending)
        if last > cursor.seq:
            LogCursor.objects.filter(id=1).update(seq=last)
        if added:
            record(action=Action.LEDGERS_SYNC, **actor.log_fields(), target_type="handling_record", count=added,
                   details={"through_seq": last})
    return added


def _insert_generated(rows: list[HandlingRecord]) -> int:
    """Insert generated rows as multi-row INSERTs (Django's bulk_create spends most of its time building SQL
    for a 28-column model); a row whose entry already has one is skipped (ON CONFLICT on source_seq)."""
    fields = [f for f in HandlingRecord._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for row in rows:
        row.created_at = now
    table = connection.ops.quote_name(HandlingRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column_of(f)) for f in fields)
    slow = {f.attname for f in fields if f.get_internal_type() in ("DateTimeField", "JSONField")}
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # COPY: ~10× faster than INSERT here; a conflict (a row just written by record_handling)
                # rolls back to the savepoint and the INSERT … ON CONFLICT path below takes over.
                with connection.wrap_database_errors, \
                        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([
                            f.get_db_prep_save(getattr(row, f.attname), connection) if f.attname in slow
                            else getattr(row, f.attname) for f in fields
                        ])
            return len(rows)
        except IntegrityError:
            pass
    limit = connection.features.max_query_params or 30000
    size = max(1, min(500, limit // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            params = [
                f.get_db_prep_save(getattr(row, f.attname), connection) if f.attname in slow
                else getattr(row, f.attname)
                for row in chunk for f in fields
            ]
            values = ", ".join([marks] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 — names from the model
                f"ON CONFLICT ({connection.ops.quote_name('source_seq')}) DO NOTHING",
                params,
            )
    return len(rows)


def add_manual_record(
    *,
    actor: Actor,
    stage: str,
    occurred_on: dt.date,
    purpose: str = "",
    file_id: int | None = None,
    count: int = 1,
    recipient: str = "",
    place: str = "",
    method: str = "",
    checker: str = "",
    item: str = "",
    certificate: str = "",
    note: str = "",
    corrects: HandlingRecord | None = None,
) -> HandlingRecord:
    """A paper step entered by hand (封緘・郵送による進達, シュレッダー細断, 保管場所, 提供) — 003 §7, 004 §9, §14."""
    profile = get_profile()
    article = profile.handling_status.article if profile.handling_status else ""
    require(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(HANDLING), target=("handling_record", ""),
            details={"stage": stage if stage in STAGES else ""})
    if corrects is not None:
        require(actor, Action.LEDGERS_MANUAL_ENTRY, corrects)  # a record of another unit is not found
    if stage not in STAGES:
        raise ValidationError(_("管理段階の指定が正しくありません。"))
    if purpose and purpose not in profile.tasks:
        raise ValidationError(_("事務（利用目的）の指定が正しくありません。"))
    if count < 0:
        raise ValidationError(_("件数は0以上で入力してください。"))
    if occurred_on > timezone.localdate():
        raise ValidationError(_("未来の日付は記録できません。"))
    if file_id is not None and files.file_model() is not None and files.get_file(file_id) is None:
        raise ValidationError(_("指定された特定個人情報ファイルが見つかりません。"))
    required = {
        "submission": (("提供先・進達先", recipient), ("方法（郵送の履歴が残る方法）", method)),  # 004 §14(2), E-39
        "forwarding": (("回付先", recipient),),
        "provision": (("提供先の名称", recipient),),  # 003 §7 (3)
        "storage": (("保管場所", place),),  # 003 §7 (4)
    }.get(stage, ())
    missing = [label for label, value in required if not value.strip()]
    if missing:
        raise ValidationError(_("この区分では次の項目が必要です: %(labels)s") % {"labels": "、".join(missing)})
    if stage == "submission" and profile.dispatch is not None:
        # 004 §14(2), E-39: a 進達 is mailed by a method of the profile's list that leaves a record — not free text.
        traceable = [m.ja for m in profile.dispatch.mailing_methods.values() if m.traceable]
        if method.strip() not in traceable:
            raise ValidationError(_("進達の郵送方法は、郵送の履歴が残る次の方法から選んでください: %(methods)s")
                                  % {"methods": "、".join(traceable)})
    if checker:
        from tokutei.staff.models import User

        if checker == actor.username:
            raise ValidationError(_("確認者には記録者と別の職員を指定してください。"))
        if not User.objects.filter(username=checker, is_active=True).exists():
            raise ValidationError(_("確認者の職員IDが見つかりません。"))
    texts = {"提供先・進達先": recipient, "保管場所": place, "方法": method, "確認者": checker, "対象": item,
             "証明書等": certificate, "備考": note}
    for label, value in texts.items():
        check_no_personal_number(label, value)
    if corrects is not None and not note.strip():
        raise ValidationError(_("訂正の理由を備考に記入してください。"))
    if corrects is not None and HandlingRecord.objects.filter(corrects=corrects).exists():
        raise ValidationError(_("既に訂正された記録です。最新の記録を訂正してください。"))
    now = timezone.now()
    occurred_at = timezone.make_aware(dt.datetime.combine(occurred_on, dt.time(12, 0))) \
        if occurred_on != timezone.localdate() else now
    with transaction.atomic():
        entry = record(
            action=Action.LEDGERS_MANUAL_ENTRY, actor=actor.user, terminal=actor.terminal, purpose=purpose,
            target_type="handling_record", count=count,
            details={"stage": stage, "file_id": file_id, "corrects": corrects.pk if corrects else None},
        )
        try:
            with transaction.atomic():
                row = _create_manual(
                    source_seq=entry.seq, occurred_at=occurred_at, stage=stage, actor=actor.user,
                    terminal=actor.terminal,
                    purpose=purpose, file_id=file_id, count=count, recipient=recipient, place=place,
                    method=method, checker=checker, item=item, certificate=certificate, note=note,
                    corrects=corrects, article=article,
                )
        except IntegrityError:
            raise ValidationError(_("既に訂正された記録です。最新の記録を訂正してください。")) from None
    return row


def _create_manual(*, source_seq: int, occurred_at: dt.datetime, stage: str, actor: Any, terminal: Any,
                   purpose: str, file_id: int | None, count: int, recipient: str, place: str, method: str,
                   checker: str, item: str, certificate: str, note: str, corrects: HandlingRecord | None,
                   article: str) -> HandlingRecord:
    return HandlingRecord.objects.create(
        source=HandlingRecord.Source.MANUAL, source_seq=source_seq, occurred_at=occurred_at, stage=stage,
        action="ledgers.manual_entry", result="ok", actor_id=actor.pk, actor_username=actor.username,
        terminal_name=getattr(terminal, "name", "") or "", purpose=purpose, file_id=file_id, count=count,
        recipient=recipient[:200], place=place[:200], method=method[:200], checker=checker[:150],
        item=item[:200], certificate=certificate[:200], note=note[:TEXT_MAX], corrects=corrects,
        created_by=actor, article=article,
    )


def correct_record(*, actor: Actor, original: HandlingRecord, reason: str, **changes: Any) -> HandlingRecord:
    """A correction is a new row pointing at the one it corrects (R-HSR-1); the original stays."""
    base: dict[str, Any] = {
        "stage": original.stage,
        "occurred_on": timezone.localtime(original.occurred_at).date(),
        "purpose": original.purpose,
        "file_id": original.file_id,
        "count": original.count,
        "recipient": original.recipient,
        "place": original.place,
        "method": original.method,
        "checker": original.checker,
        "item": original.item,
        "certificate": original.certificate,
    }
    base.update(changes)
    return add_manual_record(actor=actor, note=reason, corrects=original, **base)


# --- 特定個人情報ファイル管理台帳 -----------------------------------------------------------------------

def sign_off_file(*, actor: Actor, file_id: int, note: str = "") -> FileRegisterSignOff:
    """The responsible person confirms the register entry and its access list (004 §10, E-43)."""
    from .selectors import file_register_row

    profile = get_profile()
    asked = require(actor, Action.LEDGERS_FILE_SIGN_OFF, target=("file", file_id))
    info = files.get_file(file_id)
    if info is None:  # refused like a file the actor may not sign: the same answer, the same article
        missing = Decision(False, reason=NOT_FOUND_MESSAGE, article=asked.article, code="not_found")
        raise refusal(actor, Action.LEDGERS_FILE_SIGN_OFF, missing, target=("file", file_id))
    require(actor, Action.LEDGERS_FILE_SIGN_OFF, info, target=("file", file_id))
    check_no_personal_number("備考", note)
    row = file_register_row(info, profile=profile)
    with transaction.atomic():
        # E-43: a file awaiting its first confirmation is put into use by it (the vault refuses it until then).
        activated = files.activate_pending(file_id)
        if activated:
            row["snapshot"]["status"] = "active"
        entry = record(action=Action.LEDGERS_FILE_SIGN_OFF, **actor.log_fields(), target_type="file",
                       target_id=file_id, count=len(row["access"]),
                       details={"file_id": file_id, "access_user_ids": [a["user_id"] for a in row["access"]],
                                "activated": activated})
        return FileRegisterSignOff.objects.create(
            file_id=file_id, snapshot=row["snapshot"], note=note[:TEXT_MAX], signed_by=actor.user, log_seq=entry.seq
        )


# --- simple record books (R-REG-0) ---------------------------------------------------------------------

def _validate_values(profile: Any, register: str, values: dict[str, Any]) -> dict[str, Any]:
    """Typed fields of the register's form in force (issue 17, ``tokutei.registers.typed``)."""
    from tokutei.registers import typed

    definition = profile.registers.get(register)
    if definition is None:
        raise ValidationError(_("この記録簿はプロファイルに定義されていません。"))
    return typed.validate(definition, values, profile=profile)


def add_register_entry(*, actor: Actor, register: str, values: dict[str, Any],
                       supersedes: RegisterEntry | None = None, reason: str = "") -> RegisterEntry:
    """Add an entry (or a corrected version of one) to a record book defined in the profile."""
    profile = get_profile()
    if register not in profile.registers:
        raise ValidationError(_("この記録簿はプロファイルに定義されていません。"))
    require(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(REGISTER, register), target=("register_entry", register),
            details={"register": register})
    if supersedes is not None:
        require(actor, Action.LEDGERS_MANUAL_ENTRY, supersedes)  # an entry of another unit is not found
    cleaned = _validate_values(profile, register, values)
    if supersedes is not None:
        check_no_personal_number("訂正理由", reason)
        if not reason.strip():
            raise ValidationError(_("訂正の理由を入力してください。"))
        if supersedes.register != register or is_superseded(supersedes):
            raise ValidationError(_("最新の記載だけを訂正できます。"))
    with transaction.atomic():
        if supersedes is None:
            last = RegisterEntry.objects.filter(register=register).aggregate(m=Max("entry_no"))["m"] or 0
            entry_no, version = last + 1, 1
        else:
            entry_no, version = supersedes.entry_no, supersedes.version + 1
        entry = record(
            action=Action.LEDGERS_MANUAL_ENTRY, **actor.log_fields(), target_type="register_entry",
            target_id=f"{register}:{entry_no}", details={"register": register, "entry_no": entry_no,
                                                         "version": version, "fields": []},
        )
        try:
            with transaction.atomic():
                return RegisterEntry.objects.create(
                    register=register, entry_no=entry_no, version=version, values=cleaned,
                    form_version=profile.registers[register].form_version,
                    supersedes=supersedes, reason=reason[:TEXT_MAX], created_by=actor.user, log_seq=entry.seq,
                )
        except IntegrityError:
            raise ValidationError(_("同時に別の記載が行われました。もう一度操作してください。")) from None


def is_superseded(entry: RegisterEntry) -> bool:
    return RegisterEntry.objects.filter(supersedes=entry).exists()
