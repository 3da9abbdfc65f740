"""回付・進達 (004 §14(2), E-39): a recorded workflow — opened, then completed only with its 別紙1 entry.

A 回付 (electronic forwarding to another body) or a 進達 (papers sealed and mailed to the 連合会) is opened by a
designated handler for the declared task, then completed. Completing it writes the log entry whose stage is
the 回付 or the 進達; the ledgers turn it into its row of the handling-status record (運用状況記録票, 別紙1) in
the same transaction, and the completion checks that row is there — without it nothing is completed. A 進達
is completed only by a mailing method chosen from the profile's list (``dispatch.mailing_methods``) that
leaves a record (``traceable``), with the envelope sealed where the profile asks it. An organisation without a
``dispatch`` section has no such workflow: the attempt is refused with its general provisions.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import get_profile

from ..models import Dispatch


def method_choices() -> list[tuple[str, str]]:
    """The profile's mailing methods; those that leave no record are marked (refused when chosen)."""
    spec = get_profile().dispatch
    if spec is None:
        return []
    return [(key, m.ja if m.traceable else _("%(name)s（履歴が残らない・進達できません）") % {"name": m.ja})
            for key, m in spec.mailing_methods.items()]


def _no_workflow(actor: Actor, action: Action) -> Refused:
    profile = get_profile()
    return refuse(_("この組織の規程には、回付・進達の定めがありません"), action=action,
                  article=profile.organisation.article, code="no_dispatch", **actor.log_fields())


def open_dispatch(*, actor: Actor, kind: str, recipient: str, item: str = "", record_count: int = 0) -> Dispatch:
    """Open a 回付 or 進達 for the declared task (``actor.purpose``)."""
    spec = get_profile().dispatch
    if spec is None:
        raise _no_workflow(actor, Action.DISPATCH_OPEN)
    require(actor, Action.DISPATCH_OPEN, target=("dispatch", ""), details={"kind": kind[:20]})
    recipient = (recipient or "").strip()
    if kind not in Dispatch.Kind.values or not recipient or record_count < 0:
        raise refuse(_("区分・回付先又は進達先・件数を正しく記録してください"), action=Action.DISPATCH_OPEN,
                     article=spec.article, code="invalid", **actor.log_fields(), target_type="dispatch")
    with transaction.atomic(durable=True):
        dispatch = Dispatch.objects.create(kind=kind, purpose=actor.purpose, recipient=recipient[:200],
                                           item=(item or "")[:200], record_count=record_count,
                                           created_by=actor.user)
        record(action=Action.DISPATCH_OPEN, **actor.log_fields(), target_type="dispatch", target_id=dispatch.pk,
               count=record_count, article=spec.article, details={"kind": kind, "stage": "planned"})
    return dispatch


def complete_dispatch(*, actor: Actor, dispatch_id: int, method: str = "", sealed: bool = False) -> Dispatch:
    """Complete a 回付 or 進達: a 進達 by a traceable mailing method of the list (sealed where asked); the 別紙1
    entry is written with it, or nothing is completed."""
    profile = get_profile()
    spec = profile.dispatch
    if spec is None:
        raise _no_workflow(actor, Action.DISPATCH_COMPLETE)
    dispatch = get_or_refuse(actor, Action.DISPATCH_COMPLETE, Dispatch.objects.all(), pk=dispatch_id)
    def no(message: str, code: str, **details: Any) -> Refused:
        # The refused attempt is part of the handling status too, under the stage it would have been.
        return refuse(message, action=Action.DISPATCH_COMPLETE, article=spec.article, code=code,
                      **actor.log_fields(), target_type="dispatch", target_id=dispatch.pk,
                      details={"stage": dispatch.kind, **details})

    if dispatch.status != Dispatch.Status.OPEN:
        raise no(_("この回付・進達は既に完了しています"), "already_done")
    chosen = None
    if dispatch.kind == Dispatch.Kind.SUBMISSION:
        chosen = spec.mailing_methods.get(method or "")
        if chosen is None:
            raise no(_("進達の郵送方法は、定められた一覧から選択してください"), "unknown_method",
                     method=(method or "")[:60])
        if not chosen.traceable:
            raise no(_("「%(name)s」は郵送の履歴が残らないため、進達に使えません") % {"name": chosen.ja},
                     "untraceable_method", method=method)
        if spec.sealed and not sealed:
            raise no(_("進達の書類は封筒に封緘してください"), "not_sealed")
    try:
        return _complete(actor=actor, dispatch=dispatch, method=method, sealed=sealed, chosen=chosen, spec=spec)
    except _NoEntry:
        raise no(_("運用状況記録票への記録ができないため、回付・進達を完了できません"), "no_handling_record") from None
    except _AlreadyDone:
        raise no(_("この回付・進達は既に完了しています"), "already_done") from None


class _NoEntry(Exception):
    pass


class _AlreadyDone(Exception):
    pass


def _complete(*, actor: Actor, dispatch: Dispatch, method: str, sealed: bool, chosen, spec) -> Dispatch:
    from tokutei.ledgers.models import HandlingRecord

    with transaction.atomic(durable=True):
        locked = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
        if locked.status != Dispatch.Status.OPEN:
            raise _AlreadyDone
        locked.status = Dispatch.Status.DONE
        locked.method = method if chosen is not None else ""
        locked.sealed = bool(sealed) if chosen is not None else False
        locked.completed_at = timezone.now()
        locked.completed_by = actor.user
        locked.save(update_fields=["status", "method", "sealed", "completed_at", "completed_by"])
        entry = record(action=Action.DISPATCH_COMPLETE, **actor.log_fields(), target_type="dispatch",
                       target_id=locked.pk, count=locked.record_count, article=spec.article,
                       details={"stage": locked.kind, "recipient": locked.recipient, "item": locked.item,
                                "method": chosen.ja if chosen is not None else "", "sealed": locked.sealed})
        # Completed only with its 別紙1 entry: the ledgers wrote it with the log entry, in this transaction;
        # without it the transaction rolls back and the refusal is logged on its own.
        if not HandlingRecord.objects.filter(source_seq=entry.seq).exists():
            raise _NoEntry
    return locked
