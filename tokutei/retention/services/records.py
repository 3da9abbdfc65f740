"""Writes that feed the schedule: payment dates, recorded start dates, legal holds."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require
from tokutei.profiles.schema import RECORD_CLASSES, RETENTION_EVENTS

from ..models import LegalHold, PaymentDate, RecordEvent
from ..schedule import OPERATION_LOG


class InvalidInput(ValueError):
    """Bad input: a Japanese message; nothing was changed."""


def add_payment_date(*, actor: Actor, date: dt.date, label: str = "") -> PaymentDate:
    """給付日の登録 (000 §11.1: the "next payment" the identity data is erased after)."""
    require(actor, Action.RETENTION_PAYMENT_DATE)
    if PaymentDate.objects.filter(date=date).exists():
        raise InvalidInput(_("この給付日は既に登録されています"))
    with transaction.atomic(durable=True):
        row = PaymentDate.objects.create(date=date, label=label[:100], created_by=actor.user)
        record(action=Action.RETENTION_PAYMENT_DATE, target_type="payment_date", target_id=row.pk,
               details={"date": date.isoformat(), "change": "add"}, **actor.log_fields())
    return row


def remove_payment_date(*, actor: Actor, date: dt.date) -> None:
    require(actor, Action.RETENTION_PAYMENT_DATE)
    row = PaymentDate.objects.filter(date=date).first()
    if row is None:
        raise InvalidInput(_("この給付日は登録されていません"))
    with transaction.atomic(durable=True):
        pk = row.pk
        row.delete()
        record(action=Action.RETENTION_PAYMENT_DATE, target_type="payment_date", target_id=pk,
               details={"date": date.isoformat(), "change": "remove"}, **actor.log_fields())


def _check_class(record_class: str) -> None:
    if record_class not in RECORD_CLASSES and record_class != OPERATION_LOG:
        raise InvalidInput(_("記録の区分が正しくありません"))


def record_event(*, actor: Actor, record_class: str, record_id: str, event: str, date: dt.date,
                 note: str = "") -> RecordEvent:
    """起算日・「不要と判断した日」の記録 for one record; a later entry corrects an earlier one."""
    require(actor, Action.RETENTION_EVENT)
    _check_class(record_class)
    if event not in RETENTION_EVENTS:
        raise InvalidInput(_("起算の事由が正しくありません"))
    if date > timezone.localdate():
        raise InvalidInput(_("将来の日付は記録できません"))
    with transaction.atomic(durable=True):
        row = RecordEvent.objects.create(record_class=record_class, record_id=str(record_id), event=event,
                                         date=date, note=note[:300], recorded_by=actor.user)
        record(action=Action.RETENTION_EVENT, target_type=record_class, target_id=str(record_id),
               details={"event": event, "date": date.isoformat()}, **actor.log_fields())
    return row


def place_hold(*, actor: Actor, record_class: str, kind: str, reason: str, record_id: str = "",
               file_id: int | None = None) -> LegalHold:
    """法的保存: stop the clock of one record (or of every person of a file) — who and why are recorded."""
    require(actor, Action.RETENTION_HOLD)
    _check_class(record_class)
    if kind not in LegalHold.Kind.values:
        raise InvalidInput(_("法的保存の理由の種類が正しくありません"))
    if not reason.strip():
        raise InvalidInput(_("法的保存の理由を記入してください"))
    if not record_id and file_id is None:
        raise InvalidInput(_("対象の記録（またはファイル）を指定してください"))
    with transaction.atomic(durable=True):
        return hold_step(actor=actor, record_class=record_class, kind=kind, reason=reason, record_id=record_id,
                         file_id=file_id)


def hold_step(*, actor: Actor, record_class: str, kind: str, reason: str, record_id: str = "",
              file_id: int | None = None) -> LegalHold:
    """The writes of one legal hold and its log entry, inside the caller's transaction — for a service that
    has already decided ``Action.RETENTION_HOLD`` and checked its input (this one, or an incident's measure)."""
    hold = LegalHold.objects.create(record_class=record_class, record_id=str(record_id), file_id=file_id,
                                    kind=kind, reason=reason.strip()[:300], placed_by=actor.user)
    record(action=Action.RETENTION_HOLD, target_type=record_class, target_id=str(record_id or f"file:{file_id}"),
           reason=hold.reason, details={"hold_id": hold.pk, "kind": kind, "file_id": file_id},
           **actor.log_fields())
    return hold


def release_hold(*, actor: Actor, hold_id: int, reason: str) -> LegalHold:
    require(actor, Action.RETENTION_HOLD_RELEASE)
    if not reason.strip():
        raise InvalidInput(_("解除の理由を記入してください"))
    with transaction.atomic(durable=True):
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id, released_at__isnull=True).first()
        if hold is None:
            raise InvalidInput(_("解除できる法的保存がありません"))
        hold.released_at = timezone.now()
        hold.released_by = actor.user
        hold.release_reason = reason.strip()[:300]
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        record(action=Action.RETENTION_HOLD_RELEASE, target_type=hold.record_class,
               target_id=str(hold.record_id or f"file:{hold.file_id}"), reason=hold.release_reason,
               details={"hold_id": hold.pk}, **actor.log_fields())
    return hold
