"""記録媒体, 持出し and ドキュメント: the registers and the controlled operations on them.

* media register with storage place, fault checks (000 §11.6) and disposal with method and witness (000 §11.5);
* carry-out (000 §11.3; 002 §11, §35; 003 §13): the record the profile requires, its protection, its allowed
  purposes, the approvals the profile names — then "carried out" exactly once, then return or disposal;
* document register (000 §12): copy and carry-out only with the permission the profile names (E-09).

Decide first (every refusal logged), then write in one transaction with its log entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals import services
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import NotFoundOrForbidden
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import has_role

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
        return CarryOutPolicy(approval="media_carry_out" if rule else None, article=rule.article if rule else "")
    return CarryOutPolicy(
        ja=co.ja, approval=co.approval, includes_internal_moves=getattr(co, "includes_internal_moves", False),
        allowed_purposes=dict(getattr(co, "allowed_purposes", {}) or {}),
        protection_any_of=dict(getattr(co, "protection_any_of", {}) or {}),
        protection_all_of=dict(getattr(co, "protection_all_of", {}) or {}),
        record_fields=list(getattr(co, "record_fields", []) or []), article=co.article,
    )


def _admin(actor) -> bool:
    return has_role(actor, get_profile().admin_roles())


def _get(model, pk):
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden() from None


# --- 記録媒体 ----------------------------------------------------------------------------------------


def register_medium(*, actor, terminal=None, label: str, kind: str, storage_place: str, record_count: int = 0,
                    content_summary: str = "", custodian=None) -> Medium:
    """Enter a medium in the media register (R-MED-1, R-MED-2)."""
    label, storage_place = (label or "").strip(), (storage_place or "").strip()
    if not label or not storage_place:
        raise refuse(_("媒体番号と保管場所は必須です"), action="media.register", actor=actor, terminal=terminal,
                     article="000 §11.2")
    if Medium.objects.filter(label=label).exists():
        raise refuse(_("同じ媒体番号が既に登録されています"), action="media.register", actor=actor,
                     terminal=terminal)
    with transaction.atomic():
        medium = Medium.objects.create(label=label, kind=kind, storage_place=storage_place,
                                       record_count=max(0, int(record_count)), content_summary=content_summary,
                                       custodian=custodian, created_by=actor)
        record(action="media.register", actor=actor, terminal=terminal, target_type="medium", target_id=medium.pk,
               count=medium.record_count, details={"kind": kind})
    return medium


def move_medium(*, actor, terminal=None, medium_id, storage_place: str) -> Medium:
    """Record a change of the designated storage place (R-MED-2: moves are recorded)."""
    medium = _get(Medium, medium_id)
    place = (storage_place or "").strip()[:200]
    if not place:
        raise refuse(_("保管場所を入力してください"), action="media.register", actor=actor, terminal=terminal,
                     target_type="medium", target_id=medium.pk)
    if medium.status != Medium.Status.STORED:
        raise refuse(_("保管中の記録媒体のみ保管場所を変更できます"), action="media.register", actor=actor,
                     terminal=terminal, target_type="medium", target_id=medium.pk)
    with transaction.atomic():
        old = medium.storage_place
        medium.storage_place = place
        medium.save(update_fields=["storage_place"])
        record(action="media.register", actor=actor, terminal=terminal, target_type="medium", target_id=medium.pk,
               details={"moved": True, "from_len": len(old)})
    return medium


def record_fault_check(*, actor, terminal=None, medium_id, has_fault: bool, description: str = "") -> MediumCheck:
    """障害の有無の記録 by the system administrator (000 §11.6)."""
    medium = _get(Medium, medium_id)
    if not _admin(actor):
        raise refuse(_("記録媒体の障害の有無はシステム管理者が記録します"), action="media.fault", actor=actor,
                     terminal=terminal, article="000 §11.6", target_type="medium", target_id=medium.pk)
    with transaction.atomic():
        check = MediumCheck.objects.create(medium=medium, has_fault=bool(has_fault),
                                           description=(description or "")[:300], recorded_by=actor)
        record(action="media.fault", actor=actor, terminal=terminal, target_type="medium", target_id=medium.pk,
               details={"has_fault": bool(has_fault)})
    return check


def dispose_medium(*, actor, terminal=None, medium_id, method: str, witness=None, approval_id=None) -> Medium:
    """Dispose of a medium by 破砕 or another sure method, with the method and a witness recorded (000 §11.5)."""
    medium = _get(Medium, medium_id)
    common = {"action": "media.dispose", "actor": actor, "terminal": terminal, "target_type": "medium",
              "target_id": medium.pk}
    method = (method or "").strip()
    if medium.status == Medium.Status.DISPOSED:
        raise refuse(_("この記録媒体は既に廃棄されています"), **common)
    if medium.status == Medium.Status.OUT:
        raise refuse(_("持出し中の記録媒体は廃棄できません。先に返却を記録してください"), **common)
    if not method:
        raise refuse(_("廃棄の方法（破砕等）を記録してください"), article="000 §11.5", **common)
    if witness is None or witness.pk == actor.pk:
        raise refuse(_("廃棄には作業者以外の立会者が必要です"), article="000 §11.5", **common)
    approval = services.require_approval(operation="disposal", actor=actor, approval_id=approval_id,
                                         terminal=terminal, action="media.dispose", target_type="medium",
                                         target_id=medium.pk)
    with transaction.atomic():
        if approval is not None:
            services.consume_approval(request_id=approval.pk, operation="disposal", actor=actor, terminal=terminal)
        locked = Medium.objects.select_for_update().get(pk=medium.pk)
        if locked.status == Medium.Status.DISPOSED:
            raise NotFoundOrForbidden()
        locked.status = Medium.Status.DISPOSED
        locked.disposed_at = timezone.now()
        locked.disposal_method = method[:100]
        locked.disposed_by = actor
        locked.disposal_witness = witness
        locked.save(update_fields=["status", "disposed_at", "disposal_method", "disposed_by", "disposal_witness"])
        record(count=locked.record_count, details={"method": method[:100], "witness_id": witness.pk}, **common)
    return locked


# --- 持出し --------------------------------------------------------------------------------------------


def create_carry_out(
    *, actor, terminal=None, counterparty: str, media_type: str, quantity: int, record_count: int,
    protections: list[str], purpose_key: str = "", purpose_note: str = "", medium_id=None,
) -> CarryOut:
    """Record a planned carry-out. Refused unless the record and protection the profile requires are there."""
    policy = carry_out_policy()
    medium = _get(Medium, medium_id) if medium_id not in (None, "") else None
    common = {"action": "media.carry_out", "actor": actor, "terminal": terminal, "article": policy.article,
              "target_type": "medium" if medium else "", "target_id": medium.pk if medium else ""}
    counterparty, media_type = (counterparty or "").strip(), (media_type or "").strip()
    if not counterparty or not media_type or int(quantity or 0) < 1 or record_count is None or int(record_count) < 0:
        raise refuse(_("持出しの記録には 相手方、記録媒体の種類、数量 及び 記録件数 が必要です"), code="record_missing",
                     **common)
    if medium is not None and medium.status != Medium.Status.STORED:
        raise refuse(_("この記録媒体は保管中ではありません"), **common)
    protections = sorted({p for p in (protections or []) if isinstance(p, str)})
    offered = policy.protections_offered()
    unknown = [p for p in protections if p not in offered]
    if unknown:
        raise refuse(_("定められていない保護措置が指定されました"), code="protection_unknown", **common)
    if policy.protection_any_of and not set(protections) & set(policy.protection_any_of):
        raise refuse(_("持出しには次のいずれかの保護措置が必要です: %(m)s") % {
            "m": "、".join(policy.protection_any_of.values())}, code="protection_missing", **common)
    missing_all = [label for key, label in policy.protection_all_of.items() if key not in protections]
    if missing_all:
        raise refuse(_("持出しには次の保護措置がすべて必要です: %(m)s") % {"m": "、".join(missing_all)},
                     code="protection_missing", **common)
    if policy.allowed_purposes and purpose_key not in policy.allowed_purposes:
        raise refuse(_("持出しは次の目的に限られます: %(p)s") % {"p": "、".join(policy.allowed_purposes.values())},
                     code="purpose_not_allowed", **common)
    with transaction.atomic():
        co = CarryOut.objects.create(
            medium=medium, counterparty=counterparty[:200], media_type=media_type[:60], quantity=int(quantity),
            record_count=int(record_count), purpose_key=purpose_key or "", purpose_note=(purpose_note or "")[:200],
            protections=protections, requested_by=actor,
        )
        record(action="media.carry_out", actor=actor, terminal=terminal, target_type="carry_out",
               target_id=co.pk, count=co.record_count, article=policy.article,
               details={"stage": "planned", "protections": protections, "purpose": purpose_key,
                        "medium_id": getattr(medium, "pk", None)})
    return co


def request_carry_out_approval(*, actor, terminal=None, carry_out_id) -> Any:
    """Apply for the approvals the profile names for this carry-out (particulars: the carry-out's scope)."""
    co = _get(CarryOut, carry_out_id)
    policy = carry_out_policy()
    if co.requested_by_id != actor.pk:
        raise NotFoundOrForbidden()
    if policy.approval is None:
        raise refuse(_("この組織では持出しに承認は定められていません"), action="approvals.request", actor=actor,
                     terminal=terminal, article=policy.article)
    return services.create_request(actor=actor, terminal=terminal, operation=policy.approval, particulars={
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


def carry_out(*, actor, terminal=None, carry_out_id, approval_id=None) -> CarryOut:
    """持出しの実施: blocked until every approval the profile names is given; happens exactly once."""
    co = _get(CarryOut, carry_out_id)
    policy = carry_out_policy()
    common = {"action": "media.carry_out", "actor": actor, "terminal": terminal, "article": policy.article,
              "target_type": "carry_out", "target_id": co.pk}
    if co.status != CarryOut.Status.PLANNED:
        raise refuse(_("この持出しは既に実施されています"), code="already_carried_out", **common)
    if approval_id in (None, "") and hasattr(co, "pk"):
        approval_id = _pending_or_approved_for(co, policy)
    approval = None
    if policy.approval:
        approval = services.require_approval(operation=policy.approval, actor=actor, approval_id=approval_id,
                                             particulars_check=_carry_out_scope(co), terminal=terminal,
                                             action="media.carry_out", target_type="carry_out", target_id=co.pk)
        if approval is None and services.rule_for(policy.approval) is None:
            # The profile names an approval key that has no rule: fail closed.
            raise refuse(_("持出しの承認手続がプロファイルにありません"), code="approval_rule_missing", **common)
    with transaction.atomic():
        locked = CarryOut.objects.select_for_update().get(pk=co.pk)
        if locked.status != CarryOut.Status.PLANNED:
            raise NotFoundOrForbidden()
        if approval is not None:
            assert policy.approval is not None  # only asked for when the policy names it
            services.consume_approval(request_id=approval.pk, operation=policy.approval, actor=actor,
                                      check=_carry_out_scope(locked), terminal=terminal)
            locked.approval = approval
        locked.status = CarryOut.Status.OUT
        locked.carried_out_at = timezone.now()
        locked.carried_out_by = actor
        locked.save(update_fields=["status", "carried_out_at", "carried_out_by", "approval"])
        if locked.medium_id:
            Medium.objects.filter(pk=locked.medium_id).update(status=Medium.Status.OUT)
        record(action="media.carry_out", actor=actor, terminal=terminal, target_type="carry_out",
               target_id=locked.pk, count=locked.record_count, article=policy.article,
               details={"stage": "carried_out", "approval_id": getattr(approval, "pk", None),
                        "protections": locked.protections, "medium_id": locked.medium_id,
                        "counterparty_len": len(locked.counterparty)})
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


def close_carry_out(*, actor, terminal=None, carry_out_id, outcome: str, disposal_method: str = "",
                    witness=None) -> CarryOut:
    """Record the return, delivery or disposal of what was carried out (media.return / media.dispose)."""
    co = _get(CarryOut, carry_out_id)
    action = "media.dispose" if outcome == "disposed" else "media.return"
    common = {"action": action, "actor": actor, "terminal": terminal, "target_type": "carry_out", "target_id": co.pk}
    if co.status != CarryOut.Status.OUT:
        raise refuse(_("持出し中ではありません"), **common)
    if outcome not in ("returned", "disposed", "delivered"):
        raise refuse(_("返却・提出・廃棄のいずれかを選んでください"), **common)
    if outcome == "disposed" and not (disposal_method or "").strip():
        raise refuse(_("廃棄の方法（破砕等）を記録してください"), article="000 §11.5", **common)
    if outcome == "disposed" and (witness is None or witness.pk == actor.pk):
        raise refuse(_("廃棄には作業者以外の立会者が必要です"), article="000 §11.5", **common)
    with transaction.atomic():
        locked = CarryOut.objects.select_for_update().get(pk=co.pk)
        if locked.status != CarryOut.Status.OUT:
            raise NotFoundOrForbidden()
        locked.status = outcome
        locked.closed_at = timezone.now()
        locked.closed_by = actor
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
                medium.disposed_by = actor
                medium.disposal_witness = witness
                medium.save(update_fields=["status", "disposed_at", "disposal_method", "disposed_by",
                                           "disposal_witness"])
        record(count=locked.record_count, details={"outcome": outcome, "medium_id": locked.medium_id,
                                                   "method": locked.disposal_method,
                                                   "witness_id": getattr(witness, "pk", None)}, **common)
    return locked


# --- ドキュメント ----------------------------------------------------------------------------------------


def register_document(*, actor, terminal=None, title: str, kind: str, storage_place: str, copies: int = 1) -> Document:
    """Enter a system document in the document register (000 §12.1: kept by the system administrator)."""
    if not _admin(actor):
        raise refuse(_("ドキュメントはシステム管理者が管理します"), action="document.register", actor=actor,
                     terminal=terminal, article="000 §12.1")
    title, storage_place = (title or "").strip(), (storage_place or "").strip()
    if not title or not storage_place:
        raise refuse(_("文書名と保管場所は必須です"), action="document.register", actor=actor, terminal=terminal)
    with transaction.atomic():
        doc = Document.objects.create(title=title[:200], kind=kind, storage_place=storage_place[:200],
                                      copies=max(1, int(copies or 1)), created_by=actor)
        record(action="document.register", actor=actor, terminal=terminal, target_type="document",
               target_id=doc.pk, details={"kind": kind})
    return doc


def document_operation(*, actor, terminal=None, document_id, kind: str, approval_id=None, note: str = "") -> DocumentEvent:
    """Copy, carry out, return, check or dispose of a document. Copy and carry-out need the profile's
    permission (000 §12.2, E-09): operations ``document_copy`` / ``document_carry_out``."""
    doc = _get(Document, document_id)
    action = {"copy": "document.copy", "carry_out": "document.carry_out"}.get(kind, f"document.{kind}")
    common = {"action": action, "actor": actor, "terminal": terminal, "target_type": "document", "target_id": doc.pk}
    if kind not in DocumentEvent.Kind.values:
        raise refuse(_("不明な操作です"), **common)
    if doc.status == Document.Status.DISPOSED:
        raise refuse(_("このドキュメントは廃棄済みです"), **common)
    if kind == "carry_out" and doc.status == Document.Status.OUT:
        raise refuse(_("このドキュメントは持出し中です"), **common)
    if kind == "return" and doc.status != Document.Status.OUT:
        raise refuse(_("このドキュメントは持出し中ではありません"), **common)
    operation = {"copy": "document_copy", "carry_out": "document_carry_out"}.get(kind)
    approval = None
    if operation:
        approval = services.require_approval(
            operation=operation, actor=actor, approval_id=approval_id, terminal=terminal, action=action,
            target_type="document", target_id=doc.pk,
            particulars_check=lambda p: None if p.get("document_id") in (None, doc.pk) else _("文書が承認と異なります"))
    with transaction.atomic():
        if approval is not None:
            assert operation is not None  # only asked for when the kind needs one
            services.consume_approval(request_id=approval.pk, operation=operation, actor=actor, terminal=terminal)
        event = DocumentEvent.objects.create(document=doc, kind=kind, approval=approval, note=(note or "")[:300],
                                             by=actor)
        if kind == "copy":
            doc.copies += 1
        doc.status = {"carry_out": Document.Status.OUT, "return": Document.Status.STORED,
                      "dispose": Document.Status.DISPOSED}.get(kind, doc.status)
        doc.save(update_fields=["copies", "status"])
        record(details={"kind": kind, "approval_id": getattr(approval, "pk", None)}, **common)
    return event
