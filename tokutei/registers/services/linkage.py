"""情報連携システムのID (004 §14(2), §14(7); R-IAM-13, E-44). Issue 17.

The 特定個人情報保護責任者 applies to the 連合会 for an ID per handler; the register records that application
(date, the 連合会's reference, who applied) first. An ID is activated only for a handler with such an
application on record — activating one without it is refused, logged, citing the profile's article for the
``linkage_ids`` register — and its suspension, resumption and return are recorded. Only organisations whose
profile has the ``linkage_ids`` register keep it (004); the rules say who (its ``owner_roles``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record as log
from tokutei.auditlog.services import refuse
from tokutei.core.mynumber import looks_like_my_number
from tokutei.core.text import is_clean
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import get_profile

from ..models import LinkageId
from ..rules import linkage_article

OPEN = (LinkageId.Status.APPLIED, LinkageId.Status.ACTIVE, LinkageId.Status.SUSPENDED)


def _no(actor: Actor, message: str, *, action: Action, code: str, holder_id: Any, details: dict | None = None):
    return refuse(message, action=str(action), article=linkage_article(get_profile()), code=code,
                  target_type="user", target_id=holder_id, details=details or {}, **actor.log_fields())


def _text(actor: Actor, action: Action, holder_id: Any, label: str, value: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _no(actor, _("「%(f)s」を入力してください") % {"f": label}, action=action, code="invalid",
                  holder_id=holder_id)
    if not is_clean(value):
        raise _no(actor, _("「%(f)s」に使用できない文字（制御文字など）が含まれています") % {"f": label}, action=action,
                  code="invalid", holder_id=holder_id)
    if looks_like_my_number(value):
        raise _no(actor, _("「%(f)s」に個人番号を書くことはできません") % {"f": label}, action=action,
                  code="personal_number", holder_id=holder_id)
    return value[:60]


def record_application(*, actor: Actor, holder, applied_on: dt.date, reference: str, applied_by=None) -> LinkageId:
    """連合会へのIDの申請 (004 §14(2)): recorded before the ID can be activated."""
    require(actor, Action.LINKAGE_ID_APPLY, target=("user", holder.pk))
    reference = _text(actor, Action.LINKAGE_ID_APPLY, holder.pk, _("申請の受付番号"), reference)
    if not holder.is_active:
        raise _no(actor, _("無効化された職員のIDは申請できません"), action=Action.LINKAGE_ID_APPLY,
                  code="inactive_user", holder_id=holder.pk)
    if LinkageId.objects.filter(holder=holder, status__in=OPEN).exists():
        raise _no(actor, _("この職員には申請中又は利用中のIDがあります"), action=Action.LINKAGE_ID_APPLY,
                  code="duplicate", holder_id=holder.pk)
    with transaction.atomic(durable=True):
        line = LinkageId.objects.create(holder=holder, applied_on=applied_on, reference=reference,
                                        applied_by=applied_by or actor.user, recorded_by=actor.user)
        log(action=Action.LINKAGE_ID_APPLY, **actor.log_fields(), target_type="user", target_id=holder.pk,
            article=linkage_article(get_profile()),
            details={"linkage_record_id": line.pk, "applied_on": applied_on.isoformat(),
                     "applied_by": line.applied_by_id})
    return line


def activate(*, actor: Actor, holder, linkage_id: str, issued_on: dt.date, activated_on: dt.date | None = None
             ) -> LinkageId:
    """利用開始 (004 §14(2), §14(7), E-44): only on the handler's recorded application to the 連合会."""
    require(actor, Action.LINKAGE_ID_ACTIVATE, target=("user", holder.pk))
    value = _text(actor, Action.LINKAGE_ID_ACTIVATE, holder.pk, _("ID"), linkage_id)
    application = LinkageId.objects.filter(holder=holder, status=LinkageId.Status.APPLIED).order_by("-id").first()
    if application is None:
        raise _no(actor, _("連合会への申請が記録されていないため、情報連携システムのIDを利用開始できません"),
                  action=Action.LINKAGE_ID_ACTIVATE, code="application_missing", holder_id=holder.pk)
    activated_on = activated_on or timezone.localdate()
    if issued_on < application.applied_on or activated_on < issued_on:
        raise _no(actor, _("日付の順序が正しくありません（申請日・交付日・利用開始日の順）"),
                  action=Action.LINKAGE_ID_ACTIVATE, code="invalid", holder_id=holder.pk)
    with transaction.atomic(durable=True):
        application.linkage_id, application.issued_on, application.activated_on = value, issued_on, activated_on
        application.activated_by, application.status = actor.user, LinkageId.Status.ACTIVE
        application.save(update_fields=["linkage_id", "issued_on", "activated_on", "activated_by", "status"])
        log(action=Action.LINKAGE_ID_ACTIVATE, **actor.log_fields(), target_type="user", target_id=holder.pk,
            article=linkage_article(get_profile()),
            details={"linkage_record_id": application.pk, "reference_recorded": True,
                     "applied_on": application.applied_on.isoformat(), "activated_on": activated_on.isoformat()})
    return application


def _change(actor: Actor, action: Action, record_id: int, allowed: tuple[str, ...]) -> LinkageId:
    line = get_or_refuse(actor, action, LinkageId.objects.all(), pk=record_id)
    if line.status not in allowed:
        raise _no(actor, _("このIDは「%(s)s」のため、この操作はできません") % {"s": line.get_status_display()},
                  action=action, code="wrong_state", holder_id=line.holder_id, details={"linkage_record_id": line.pk})
    return line


def suspend(*, actor: Actor, record_id: int, reason: str, resume: bool = False) -> LinkageId:
    """利用停止 (or its 再開): the ID stays the holder's; the register shows since when."""
    action = Action.LINKAGE_ID_SUSPEND
    line = _change(actor, action, record_id,
                   (LinkageId.Status.SUSPENDED,) if resume else (LinkageId.Status.ACTIVE,))
    reason = _text(actor, action, line.holder_id, _("理由"), reason, required=not resume)
    with transaction.atomic(durable=True):
        if resume:
            line.status, line.suspended_on = LinkageId.Status.ACTIVE, None
        else:
            line.status, line.suspended_on = LinkageId.Status.SUSPENDED, timezone.localdate()
        line.note = (reason or line.note)[:200]
        line.save(update_fields=["status", "suspended_on", "note"])
        log(action=action, **actor.log_fields(), target_type="user", target_id=line.holder_id,
            article=linkage_article(get_profile()), details={"linkage_record_id": line.pk, "resumed": resume})
    return line


def return_id(*, actor: Actor, record_id: int, reason: str) -> LinkageId:
    """返却 (廃止): the line stays in the register with the date; a new ID needs a new application."""
    action = Action.LINKAGE_ID_RETURN
    line = _change(actor, action, record_id, OPEN)
    reason = _text(actor, action, line.holder_id, _("理由"), reason)
    with transaction.atomic(durable=True):
        line.status, line.returned_on, line.note = LinkageId.Status.RETURNED, timezone.localdate(), reason[:200]
        line.save(update_fields=["status", "returned_on", "note"])
        log(action=action, **actor.log_fields(), target_type="user", target_id=line.holder_id,
            article=linkage_article(get_profile()), details={"linkage_record_id": line.pk})
    return line
