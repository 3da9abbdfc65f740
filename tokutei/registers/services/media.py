"""記録媒体, 持出し and ドキュメント: the registers and the controlled operations on them.

* media register with storage place, fault checks (000 §11.6) and disposal with method and witness (000 §11.5);
* carry-out (000 §11.3; 002 §11, §35; 003 §13): the record the profile requires, its protection, its allowed
  purposes, the approvals the profile names — then "carried out" exactly once, then return or disposal;
* document register (000 §12): copy and carry-out only with the permission the profile names (E-09).

Decide first (``tokutei.policy.require`` with the rules of ``tokutei.registers.rules``; every refusal
logged), then write in one durable transaction whose last statement is its log entry. Articles come from
the profile (``rules.media_article`` …), never from this code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals import services
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import get_profile
from tokutei.vendors import services as vendors

from .. import rules
from ..models import CarryOut, Document, DocumentEvent, Medium, MediumCheck

# Protection measures offered when the profile names none (keys are stored; labels are shown).
DEFAULT_PROTECTIONS = {
    "locked_container": "施錠できる容器の使用",
    "strict_packaging": "厳重な包装",
    "sealed_envelope": "封筒への封緘",
    "lockable_bag": "施錠できるかばん等での搬送",
    "password": "パスワードの設定",
    "number_masking": "容易に個人番号が判明しない措置",
    "trackable_transport": "追跡可能な移送手段",
}


@dataclass(frozen=True)
class CarryOutPolicy:
    """What this organisation's profile says a carry-out needs (``profile.carry_out``)."""

    ja: str = "持出し"
    approval: str | None = None
    includes_internal_moves: bool = False
    allowed_purposes: dict[str, str] = field(default_factory=dict)
    protection_any_of: dict[str, str] = field(default_factory=dict)  # at least one
    protection_all_of: dict[str, str] = field(default_factory=dict)  # every one
    record_fields: list[str] = field(default_factory=list)
    article: str = ""

    def protections_offered(self) -> dict[str, str]:
        offered = {**self.protection_any_of, **self.protection_all_of}
        return offered or DEFAULT_PROTECTIONS


def carry_out_policy(profile=None) -> CarryOutPolicy:
    profile = profile or get_profile()
    co = getattr(profile, "carry_out", None)
    if co is None:
        rule = services.rule_for("media_carry_out", profile)
        return CarryOutPolicy(approval="media_carry_out" if rule else None, article=rules.carry_out_article(profile))
    return CarryOutPolicy(
        ja=co.ja, approval=co.approval, includes_internal_moves=getattr(co, "includes_internal_moves", False),
        allowed_purposes=dict(getattr(co, "allowed_purposes", {}) or {}),
        protection_any_of=dict(getattr(co, "protection_any_of", {}) or {}),
        protection_all_of=dict(getattr(co, "protection_all_of", {}) or {}),
        record_fields=list(getattr(co, "record_fields", []) or []), article=co.article,
    )


def _get(model, pk):
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden() from None


def _no(actor: Actor, message: str, *, action: Action, article: str = "", code: str = "refused",
        target: tuple[str, Any] = ("", ""), details: dict | None = None) -> Refused:
    """Log a refusal of a request the rules allow but whose content they do not (a field missing …)."""
    return refuse(message, action=action, article=article, code=code, target_type=target[0],
                  target_id=target[1] if target[1] is not None else "",
                  details={"channel": actor.channel.value, **(details or {})}, **actor.log_fields())


# --- 記録媒体 ----------------------------------------------------------------------------------------


def register_medium(*, actor: Actor, label: str, kind: str, storage_place: str, record_count: int = 0,
                    content_summary: str = "", custodian=None) -> Medium:
    """Enter a medium in the media register (000 §11.2, §11.3; R-MED-1, R-MED-2)."""
    decision = require(actor, Action.MEDIA_REGISTER)
    label, storage_place = (label or "").strip(), (storage_place or "").strip()
    if not label or not storage_place:
        raise _no(actor, _("媒体番号と保管場所は必須です"), action=Action.MEDIA_REGISTER, article=decision.article,
                  code="record_missing")
    if Medium.objects.filter(label=label).exists():
        raise _no(actor, _("同じ媒体番号が既に登録されています"), action=Action.MEDIA_REGISTER,
                  article=decision.article, code="duplicate")
    with transaction.atomic(durable=True):
        medium = Medium.objects.create(label=label, kind=kind, storage_place=storage_place,
                                       record_count=max(0, int(record_count)), content_summary=content_summary,
                                       custodian=custodian, created_by=actor.user)
        record(action=Action.MEDIA_REGISTER, target_type="medium", target_id=medium.pk, count=medium.record_count,
               article=decision.article, details={"kind": kind}, **actor.log_fields())
    return medium


def move_medium(*, actor: Actor, medium_id, storage_place: str) -> Medium:
    """Record a change of the designated storage place (R-MED-2: moves are recorded)."""
    decision = require(actor, Action.MEDIA_MOVE, target=("medium", medium_id))
    medium = get_or_refuse(actor, Action.REGISTERS_VIEW, Medium.objects.all(), pk=medium_id)
    place = (storage_place or "").strip()[:200]
    target = ("medium", medium.pk)
    if not place:
        raise _no(actor, _("保管場所を入力してください"), action=Action.MEDIA_MOVE, article=decision.article,
                  target=target)
    if medium.status != Medium.Status.STORED:
        raise _no(actor, _("保管中の記録媒体のみ保管場所を変更できます"), action=Action.MEDIA_MOVE,
                  article=decision.article, target=target)
    with transaction.atomic(durable=True):
        locked = Medium.objects.select_for_update().get(pk=medium.pk)
        old = locked.storage_place
        locked.storage_place = place
        locked.save(update_fields=["storage_place"])
        record(action=Action.MEDIA_MOVE, target_type="medium", target_id=locked.pk, article=decision.article,
               details={"moved": True, "from_len": len(old)}, **actor.log_fields())
    return locked


def record_fault_check(*, actor: Actor, medium_id, has_fault: bool, description: str = "") -> MediumCheck:
    """障害の有無の記録 by the system administrator (000 §11.6)."""
    decision = require(actor, Action.MEDIA_FAULT, target=("medium", medium_id))
    medium = get_or_refuse(actor, Action.REGISTERS_VIEW, Medium.objects.all(), pk=medium_id)
    with transaction.atomic(durable=True):
        check = MediumCheck.objects.create(medium=medium, has_fault=bool(has_fault),
                                           description=(description or "")[:300], recorded_by=actor.user)
        record(action=Action.MEDIA_FAULT, target_type="medium", target_id=medium.pk, article=decision.article,
               details={"has_fault": bool(has_fault)}, **actor.log_fields())
    return check


def dispose_medium(*, actor: Actor, medium_id, method: str, witness=None, approval_id=None) -> Medium:
    """Dispose of a medium by 破砕 or another sure method, with the method and a witness recorded (000 §11.5)."""
    decision = require(actor, Action.MEDIA_DISPOSE, target=("medium", medium_id))
    medium = get_or_refuse(actor, Action.REGISTERS_VIEW, Medium.objects.all(), pk=medium_id)
    target = ("medium", medium.pk)
    article = decision.article
    method = (method or "").strip()
    if medium.status == Medium.Status.DISPOSED:
        raise _no(actor, _("この記録媒体は既に廃棄されています"), action=Action.MEDIA_DISPOSE, target=target)
    if medium.status == Medium.Status.OUT:
        raise _no(actor, _("持出し中の記録媒体は廃棄できません。先に返却を記録してください"),
                  action=Action.MEDIA_DISPOSE, target=target)
    if not method:
        raise _no(actor, _("廃棄の方法（破砕等）を記録してください"), action=Action.MEDIA_DISPOSE, article=article,
                  target=target)
    if witness is None or witness.pk == actor.user.pk:
        raise _no(actor, _("廃棄には作業者以外の立会者が必要です"), action=Action.MEDIA_DISPOSE, article=article,
                  target=target)
    from tokutei.retention.services.disposal import assert_disposable

    assert_disposable(actor=actor, record_class="medium", record_id=medium.pk, action=Action.MEDIA_DISPOSE)  # E-36
    approval = services.require_approval(operation="disposal", actor=actor, approval_id=approval_id,
                                         action=Action.MEDIA_DISPOSE, target_type="medium", target_id=medium.pk)
    with transaction.atomic(durable=True):
        if approval is not None:
            services.consume_approval(request_id=approval.pk, operation="disposal", actor=actor)
        locked = Medium.objects.select_for_update().get(pk=medium.pk)
        if locked.status == Medium.Status.DISPOSED:
            raise NotFoundOrForbidden()
        locked.status = Medium.Status.DISPOSED
        locked.disposed_at = timezone.now()
        locked.disposal_method = method[:100]
        locked.disposed_by = actor.user
        locked.disposal_witness = witness
        locked.save(update_fields=["status", "disposed_at", "disposal_method", "disposed_by", "disposal_witness"])
        record(action=Action.MEDIA_DISPOSE, target_type="medium", target_id=locked.pk, article=article,
               count=locked.record_count, details={"method": method[:100], "witness_id": witness.pk},
               **actor.log_fields())
    return locked


# --- 持出し --------------------------------------------------------------------------------------------


def create_carry_out(
    *, actor: Actor, counterparty: str, media_type: str, quantity: int, record_count: int,
    protections: list[str], purpose_key: str = "", purpose_note: str = "", medium_id=None, contract_id=None,
) -> CarryOut:
    """Record a planned carry-out. Refused unless the record and protection the profile requires are there,
    and — when the counterparty is a registered vendor — its valid contract with a current evaluation
    (tokutei.vendors, E-27)."""
    decision = require(actor, Action.MEDIA_CARRY_OUT, target=("medium", medium_id or ""))
    policy = carry_out_policy()
    medium = (get_or_refuse(actor, Action.REGISTERS_VIEW, Medium.objects.all(), pk=medium_id)
              if medium_id not in (None, "") else None)

    def no(message: str, code: str = "refused") -> Refused:
        return _no(actor, message, action=Action.MEDIA_CARRY_OUT, article=decision.article, code=code,
                   target=("medium", medium.pk) if medium else ("", ""))

    counterparty, media_type = (counterparty or "").strip(), (media_type or "").strip()
    if not counterparty or not media_type or int(quantity or 0) < 1 or record_count is None or int(record_count) < 0:
        raise no(_("持出しの記録には 相手方、記録媒体の種類、数量 及び 記録件数 が必要です"), "record_missing")
    if medium is not None and medium.status != Medium.Status.STORED:
        raise no(_("この記録媒体は保管中ではありません"))
    protections = sorted({p for p in (protections or []) if isinstance(p, str)})
    offered = policy.protections_offered()
    if [p for p in protections if p not in offered]:
        raise no(_("定められていない保護措置が指定されました"), "protection_unknown")
    if policy.protection_any_of and not set(protections) & set(policy.protection_any_of):
        raise no(_("持出しには次のいずれかの保護措置が必要です: %(m)s") % {
            "m": "、".join(policy.protection_any_of.values())}, "protection_missing")
    missing_all = [label for key, label in policy.protection_all_of.items() if key not in protections]
    if missing_all:
        raise no(_("持出しには次の保護措置がすべて必要です: %(m)s") % {"m": "、".join(missing_all)},
                 "protection_missing")
    if policy.allowed_purposes and purpose_key not in policy.allowed_purposes:
        raise no(_("持出しは次の目的に限られます: %(p)s") % {"p": "、".join(policy.allowed_purposes.values())},
                 "purpose_not_allowed")
    cleared = vendors.check_delivery(actor=actor, action=Action.MEDIA_CARRY_OUT, recipient=counterparty,
                                     contract_id=contract_id, target=("medium", medium.pk) if medium else ("", ""))
    with transaction.atomic(durable=True):
        co = CarryOut.objects.create(
            medium=medium, counterparty=counterparty[:200], media_type=media_type[:60], quantity=int(quantity),
            record_count=int(record_count), purpose_key=purpose_key or "", purpose_note=(purpose_note or "")[:200],
            protections=protections, requested_by=actor.user,
        )
        if cleared is not None:
            vendors.note_delivery(actor=actor, cleared=cleared, kind="carry_out", reference=f"carry_out:{co.pk}",
                                  record_count=co.record_count)
        record(action=Action.MEDIA_CARRY_OUT, target_type="carry_out", target_id=co.pk, count=co.record_count,
               article=decision.article, details={"stage": "planned", "protections": protections,
                                                  "purpose": purpose_key, "medium_id": getattr(medium, "pk", None),
                                                  **(cleared.details() if cleared is not None else {})},
               **actor.log_fields())
    return co


def _carry_out_for(actor: Actor, action: Action, carry_out_id) -> CarryOut:
    """The carry-out, if ``actor`` may ``action`` it; out of scope and missing look the same (404)."""
    return get_or_refuse(actor, action, CarryOut.objects.select_related("requested_by"), pk=carry_out_id)


def request_carry_out_approval(*, actor: Actor, carry_out_id) -> Any:
    """Apply for the approvals the profile names for this carry-out (particulars: the carry-out's scope)."""
    co = _carry_out_for(actor, Action.MEDIA_CARRY_OUT, carry_out_id)
    policy = carry_out_policy()
    if co.requested_by_id != actor.user.pk:
        raise NotFoundOrForbidden()
    if policy.approval is None:
        raise _no(actor, _("この組織では持出しに承認は定められていません"), action=Action.APPROVALS_REQUEST,
                  article=policy.article, target=("carry_out", co.pk))
    return services.create_request(actor=actor, operation=policy.approval, particulars={
        "carry_out_id": co.pk, "medium_id": co.medium_id, "quantity": co.quantity, "record_count": co.record_count,
        "media_type": co.media_type[:60]})


def _carry_out_scope(co: CarryOut):
    def check(p: dict[str, Any]) -> str | None:
        if p.get("carry_out_id") not in (None, co.pk):
            return _("承認された持出しと異なります")
        if p.get("record_count") is not None and co.record_count > int(p["record_count"]):
            return _("記録件数が承認を超えています")
        if p.get("quantity") is not None and co.quantity > int(p["quantity"]):
            return _("数量が承認を超えています")
        return None
    return check


def carry_out(*, actor: Actor, carry_out_id, approval_id=None) -> CarryOut:
    """持出しの実施: blocked until every approval the profile names is given; happens exactly once."""
    co = _carry_out_for(actor, Action.MEDIA_CARRY_OUT, carry_out_id)
    policy = carry_out_policy()

    def no(message: str, code: str = "refused") -> Refused:
        return _no(actor, message, action=Action.MEDIA_CARRY_OUT, article=policy.article, code=code,
                   target=("carry_out", co.pk))

    if co.status != CarryOut.Status.PLANNED:
        raise no(_("この持出しは既に実施されています"), "already_carried_out")
    if approval_id in (None, ""):
        approval_id = _pending_or_approved_for(co, policy)
    approval = None
    if policy.approval:
        approval = services.require_approval(operation=policy.approval, actor=actor, approval_id=approval_id,
                                             particulars_check=_carry_out_scope(co), action=Action.MEDIA_CARRY_OUT,
                                             target_type="carry_out", target_id=co.pk)
        if approval is None and services.rule_for(policy.approval) is None:
            # The profile names an approval key that has no rule: fail closed.
            raise no(_("持出しの承認手続がプロファイルにありません"), "approval_rule_missing")
    with transaction.atomic(durable=True):
        locked = CarryOut.objects.select_for_update().get(pk=co.pk)
        if locked.status != CarryOut.Status.PLANNED:
            raise NotFoundOrForbidden()
        if approval is not None:
            assert policy.approval is not None  # only asked for when the policy names it
            services.consume_approval(request_id=approval.pk, operation=policy.approval, actor=actor,
                                      check=_carry_out_scope(locked))
            locked.approval = approval
        locked.status = CarryOut.Status.OUT
        locked.carried_out_at = timezone.now()
        locked.carried_out_by = actor.user
        locked.save(update_fields=["status", "carried_out_at", "carried_out_by", "approval"])
        if locked.medium_id:
            Medium.objects.filter(pk=locked.medium_id).update(status=Medium.Status.OUT)
        record(action=Action.MEDIA_CARRY_OUT, target_type="carry_out", target_id=locked.pk,
               count=locked.record_count, article=policy.article,
               details={"stage": "carried_out", "approval_id": getattr(approval, "pk", None),
                        "protections": locked.protections, "medium_id": locked.medium_id,
                        "counterparty_len": len(locked.counterparty)}, **actor.log_fields())
    return locked


def _pending_or_approved_for(co: CarryOut, policy: CarryOutPolicy):
    """The latest approval request naming this carry-out, so the refusal can say what is still missing."""
    if not policy.approval:
        return None
    from tokutei.approvals.models import ApprovalRequest

    for req in ApprovalRequest.objects.filter(operation=policy.approval, requester=co.requested_by).order_by("-id"):
        if (req.particulars or {}).get("carry_out_id") == co.pk:
            return req.pk
    return None


def close_carry_out(*, actor: Actor, carry_out_id, outcome: str, disposal_method: str = "",
                    witness=None) -> CarryOut:
    """Record the return, delivery or disposal of what was carried out (media.return / media.dispose)."""
    action = Action.MEDIA_DISPOSE if outcome == "disposed" else Action.MEDIA_RETURN
    decision = require(actor, action, target=("carry_out", carry_out_id))
    co = _carry_out_for(actor, Action.MEDIA_RETURN, carry_out_id)
    article = rules.disposal_article(get_profile()) if outcome == "disposed" else decision.article

    def no(message: str) -> Refused:
        return _no(actor, message, action=action, article=article, target=("carry_out", co.pk))

    if co.status != CarryOut.Status.OUT:
        raise no(_("持出し中ではありません"))
    if outcome not in ("returned", "disposed", "delivered"):
        raise no(_("返却・提出・廃棄のいずれかを選んでください"))
    if outcome == "disposed" and not (disposal_method or "").strip():
        raise no(_("廃棄の方法（破砕等）を記録してください"))
    if outcome == "disposed" and (witness is None or witness.pk == actor.user.pk):
        raise no(_("廃棄には作業者以外の立会者が必要です"))
    if outcome == "disposed" and co.medium_id is not None:
        from tokutei.retention.services.disposal import assert_disposable

        assert_disposable(actor=actor, record_class="medium", record_id=co.medium_id, action=action)  # E-36
    with transaction.atomic(durable=True):
        locked = CarryOut.objects.select_for_update().get(pk=co.pk)
        if locked.status != CarryOut.Status.OUT:
            raise NotFoundOrForbidden()
        locked.status = outcome
        locked.closed_at = timezone.now()
        locked.closed_by = actor.user
        locked.disposal_method = (disposal_method or "").strip()[:100]
        locked.save(update_fields=["status", "closed_at", "closed_by", "disposal_method"])
        if locked.medium_id:
            medium = Medium.objects.select_for_update().get(pk=locked.medium_id)
            if outcome == "returned":
                medium.status = Medium.Status.STORED
                medium.save(update_fields=["status"])
            elif outcome == "disposed":
                medium.status = Medium.Status.DISPOSED
                medium.disposed_at = locked.closed_at
                medium.disposal_method = locked.disposal_method
                medium.disposed_by = actor.user
                medium.disposal_witness = witness
                medium.save(update_fields=["status", "disposed_at", "disposal_method", "disposed_by",
                                           "disposal_witness"])
        record(action=action, target_type="carry_out", target_id=locked.pk, count=locked.record_count,
               article=article, details={"outcome": outcome, "medium_id": locked.medium_id,
                                         "method": locked.disposal_method,
                                         "witness_id": getattr(witness, "pk", None)}, **actor.log_fields())
    return locked


# --- ドキュメント ----------------------------------------------------------------------------------------

DOCUMENT_ACTIONS = {
    DocumentEvent.Kind.COPY: Action.DOCUMENT_COPY, DocumentEvent.Kind.CARRY_OUT: Action.DOCUMENT_CARRY_OUT,
    DocumentEvent.Kind.RETURN: Action.DOCUMENT_RETURN, DocumentEvent.Kind.CHECK: Action.DOCUMENT_CHECK,
    DocumentEvent.Kind.DISPOSE: Action.DOCUMENT_DISPOSE,
}


def register_document(*, actor: Actor, title: str, kind: str, storage_place: str, copies: int = 1) -> Document:
    """Enter a system document in the document register (000 §12.1: kept by the system administrator)."""
    decision = require(actor, Action.DOCUMENT_REGISTER)
    title, storage_place = (title or "").strip(), (storage_place or "").strip()
    if not title or not storage_place:
        raise _no(actor, _("文書名と保管場所は必須です"), action=Action.DOCUMENT_REGISTER, article=decision.article,
                  code="record_missing")
    with transaction.atomic(durable=True):
        doc = Document.objects.create(title=title[:200], kind=kind, storage_place=storage_place[:200],
                                      copies=max(1, int(copies or 1)), created_by=actor.user)
        record(action=Action.DOCUMENT_REGISTER, target_type="document", target_id=doc.pk, article=decision.article,
               details={"kind": kind}, **actor.log_fields())
    return doc


def document_operation(*, actor: Actor, document_id, kind: str, approval_id=None, note: str = "") -> DocumentEvent:
    """Copy, carry out, return, check or dispose of a document. Copy and carry-out need the profile's
    permission (000 §12.2, E-09): operations ``document_copy`` / ``document_carry_out``."""
    action = DOCUMENT_ACTIONS.get(kind)  # type: ignore[call-overload]
    if action is None:
        raise _no(actor, _("不明な操作です"), action=Action.REGISTERS_VIEW, target=("document", document_id))
    decision = require(actor, action, target=("document", document_id))
    doc = get_or_refuse(actor, Action.REGISTERS_VIEW, Document.objects.all(), pk=document_id)
    target = ("document", doc.pk)
    if doc.status == Document.Status.DISPOSED:
        raise _no(actor, _("このドキュメントは廃棄済みです"), action=action, target=target)
    if kind == "carry_out" and doc.status == Document.Status.OUT:
        raise _no(actor, _("このドキュメントは持出し中です"), action=action, target=target)
    if kind == "return" and doc.status != Document.Status.OUT:
        raise _no(actor, _("このドキュメントは持出し中ではありません"), action=action, target=target)
    if kind == "dispose":
        from tokutei.retention.services.disposal import assert_disposable

        assert_disposable(actor=actor, record_class="document", record_id=doc.pk, action=action)  # E-36
    operation = {"copy": "document_copy", "carry_out": "document_carry_out"}.get(kind)
    approval = None
    if operation:
        approval = services.require_approval(
            operation=operation, actor=actor, approval_id=approval_id, action=action,
            target_type="document", target_id=doc.pk,
            particulars_check=lambda p: None if p.get("document_id") in (None, doc.pk) else _("文書が承認と異なります"))
    with transaction.atomic(durable=True):
        if approval is not None:
            assert operation is not None  # only asked for when the kind needs one
            services.consume_approval(request_id=approval.pk, operation=operation, actor=actor)
        locked = Document.objects.select_for_update().get(pk=doc.pk)
        event = DocumentEvent.objects.create(document=locked, kind=kind, approval=approval,
                                             note=(note or "")[:300], by=actor.user)
        if kind == "copy":
            locked.copies += 1
        locked.status = {"carry_out": Document.Status.OUT, "return": Document.Status.STORED,
                         "dispose": Document.Status.DISPOSED}.get(kind, locked.status)
        locked.save(update_fields=["copies", "status"])
        record(action=action, target_type="document", target_id=locked.pk, article=decision.article,
               details={"kind": kind, "approval_id": getattr(approval, "pk", None)}, **actor.log_fields())
    return event
