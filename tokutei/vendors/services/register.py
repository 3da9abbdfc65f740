"""The vendor register: a vendor, its qualification before selection (E-29), its supervision, and the
別紙3 evaluation with its yearly re-evaluation (004 §14(5), 別紙3; E-26, E-27).

Each takes ``actor: Actor``; access is decided first (``require`` / ``get_or_refuse``), then one durable
transaction whose last statement is its log entry.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, get_or_refuse, require

from .. import evaluation as rule
from ..models import Evaluation, EvaluationItem, Qualification, Supervision, Vendor
from .common import clean, no, outsourcing


def _vendor(actor: Actor, action: Action, vendor_id) -> Vendor:
    return get_or_refuse(actor, action, Vendor.objects.all(), pk=vendor_id)


def create_vendor(*, actor: Actor, name: str, department: str = "", responsible_person: str = "",
                  address: str = "", pmark: bool = False, unit=None, owner=None, note: str = "") -> Vendor:
    """委託先の登録 (R-OUT-1)."""
    decision = require(actor, Action.VENDORS_REGISTER)
    t = clean(actor, Action.VENDORS_REGISTER, name=name, department=department,
              responsible_person=responsible_person, address=address, note=note)
    if not t["name"]:
        raise no(actor, _("委託先名称を記入してください"), action=Action.VENDORS_REGISTER, code="invalid")
    if unit is None and decision.units:
        from tokutei.staff.models import Unit

        unit = Unit.objects.filter(pk__in=decision.units).order_by("pk").first()
    if unit is not None and decision.units is not None and unit.pk not in decision.units:
        raise no(actor, _("自分の所属以外の課の委託先は登録できません"), action=Action.VENDORS_REGISTER, code="unit")
    with transaction.atomic(durable=True):
        vendor = Vendor.objects.create(
            name=t["name"][:200], department=t["department"][:200], responsible_person=t["responsible_person"][:100],
            address=t["address"][:300], pmark=bool(pmark), unit=unit, owner=owner, note=t["note"][:500],
            created_by=actor.user)
        record(action=Action.VENDORS_REGISTER, target_type="vendor", target_id=vendor.pk,
               article=outsourcing().article, details={"unit_id": getattr(unit, "pk", None),
                                                       "owner_id": getattr(owner, "pk", None)},
               **actor.log_fields())
    return vendor


def record_qualification(*, actor: Actor, vendor_id, method: str, evidence: str, qualified: bool,
                         checked_on: dt.date | None = None) -> Qualification:
    """選定前の確認 (000 §22.1, 002 §38.1–2; E-29): whether the vendor meets the criterion, how it was
    confirmed, and the evidence."""
    vendor = _vendor(actor, Action.VENDORS_QUALIFY, vendor_id)
    q = outsourcing().qualification
    target = ("vendor", vendor.pk)
    t = clean(actor, Action.VENDORS_QUALIFY, target, evidence=evidence)
    methods = q.methods or {"document": _("書類による確認")}
    if method not in methods:
        raise no(actor, _("確認の方法を選択してください"), action=Action.VENDORS_QUALIFY, article=q.article,
                 code="invalid", target=target)
    if not t["evidence"]:
        raise no(actor, _("確認の根拠（資料・調査の内容）を記入してください"), action=Action.VENDORS_QUALIFY,
                 article=q.article, code="no_evidence", target=target)
    with transaction.atomic(durable=True):
        return qualification_step(actor=actor, vendor=vendor, method=method, method_label=methods[method],
                                  evidence=t["evidence"], qualified=qualified, checked_on=checked_on)


def qualification_step(*, actor: Actor, vendor: Vendor, method: str, method_label: str, evidence: str,
                       qualified: bool, checked_on: dt.date | None = None) -> Qualification:
    """The writes of a qualification record and its log entry, inside the caller's transaction — for a service
    that has already decided ``Action.VENDORS_QUALIFY`` and checked its input (this one, or an incident's
    measure that suspends the vendor: ``qualified=False`` refuses every delivery to it)."""
    article = outsourcing().qualification.article
    row = Qualification.objects.create(
        vendor=vendor, method=method, method_label=method_label[:100], evidence=evidence[:500],
        qualified=bool(qualified), checked_on=checked_on or timezone.localdate(), checked_by=actor.user,
        article=article)
    record(action=Action.VENDORS_QUALIFY, target_type="vendor", target_id=vendor.pk, article=article,
           details={"qualification_id": row.pk, "method": method, "qualified": bool(qualified)},
           **actor.log_fields())
    return row


def record_supervision(*, actor: Actor, vendor_id, kind: str, held_on: dt.date, summary: str,
                       contract_id=None) -> Supervision:
    """委託先の監督: an on-site inspection, a hearing or a report (000 §22.2(9), 002 §38.3, 004 §14(5))."""
    vendor = _vendor(actor, Action.VENDORS_SUPERVISE, vendor_id)
    target = ("vendor", vendor.pk)
    t = clean(actor, Action.VENDORS_SUPERVISE, target, summary=summary)
    if kind not in Supervision.Kind.values or not t["summary"]:
        raise no(actor, _("方法と結果を記入してください"), action=Action.VENDORS_SUPERVISE, code="invalid", target=target)
    contract = None
    if contract_id not in (None, ""):
        contract = vendor.contracts.filter(pk=contract_id).first()
        if contract is None:
            raise no(actor, _("この委託先の契約ではありません"), action=Action.VENDORS_SUPERVISE, code="not_found",
                     target=target)
    with transaction.atomic(durable=True):
        row = Supervision.objects.create(vendor=vendor, contract=contract, kind=kind, held_on=held_on,
                                         summary=t["summary"][:2000], recorded_by=actor.user)
        record(action=Action.VENDORS_SUPERVISE, target_type="vendor", target_id=vendor.pk,
               article=outsourcing().article, details={"supervision_id": row.pk, "kind": kind,
                                                       "contract_id": getattr(contract, "pk", None)},
               **actor.log_fields())
    return row


# --- 別紙3 委託先評価シート ---------------------------------------------------------------------------------


def _ve_article() -> str:
    return outsourcing().vendor_evaluation.article


def create_evaluation(*, actor: Actor, vendor_id, pattern: str, kind: str | None = None,
                      created_on: dt.date | None = None, method: str = "", work: str = "", entrusted: str = "",
                      remarks: dict[str, str] | None = None) -> Evaluation:
    """A new 別紙3 sheet for the vendor: 基本情報 from the register, the pattern's items to grade.

    ``kind`` defaults to 再評価 when the vendor already has an active contract, else 新規 (※ on the form)."""
    vendor = _vendor(actor, Action.VENDORS_EVALUATE, vendor_id)
    ve = outsourcing().vendor_evaluation
    target = ("vendor", vendor.pk)
    if not ve.enabled:
        raise no(actor, _("この組織では委託先評価シートは定められていません"), action=Action.VENDORS_EVALUATE,
                 code="no_evaluation_form", target=target)
    if pattern not in ("I", "II", "III", "IV"):
        raise no(actor, _("委託パターンを選択してください"), action=Action.VENDORS_EVALUATE, article=ve.article,
                 code="invalid", target=target)
    texts = clean(actor, Action.VENDORS_EVALUATE, target, work=work, entrusted=entrusted,
                  **{f"remark_{k}": v for k, v in (remarks or {}).items() if k.isascii() and k.isalnum()})
    methods = outsourcing().qualification.methods
    if method and method not in methods:
        raise no(actor, _("確認の方法を選択してください"), action=Action.VENDORS_EVALUATE, article=ve.article,
                 code="invalid", target=target)
    if kind is None:
        kind = Evaluation.Kind.RE if vendor.contracts.filter(status="active").exists() else Evaluation.Kind.NEW
    if kind not in Evaluation.Kind.values:
        raise no(actor, _("新規・再評価の区分が不正です"), action=Action.VENDORS_EVALUATE, article=ve.article,
                 code="invalid", target=target)
    contract = vendor.contracts.order_by("-starts_on").first()
    basic = {
        "name": vendor.name, "department": vendor.department, "responsible_person": vendor.responsible_person,
        "work": texts["work"] or (contract.work if contract else ""),
        "entrusted": texts["entrusted"] or (contract.entrusted if contract else ""),
        "remarks": {k.removeprefix("remark_"): v[:200] for k, v in texts.items() if k.startswith("remark_")},
    }
    with transaction.atomic(durable=True):
        ev = Evaluation.objects.create(vendor=vendor, kind=kind, pattern=pattern, method=method,
                                       created_on=created_on or timezone.localdate(), basic=basic,
                                       pmark=True if vendor.pmark else None, created_by=actor.user,
                                       article=ve.article)
        EvaluationItem.objects.bulk_create([EvaluationItem(evaluation=ev, no=item.no, text=item.ja[:300])
                                            for item in rule.applicable(ve, pattern)])
        record(action=Action.VENDORS_EVALUATE, target_type="evaluation", target_id=ev.pk, article=ve.article,
               details={"vendor_id": vendor.pk, "pattern": pattern, "kind": kind, "stage": "drafted"},
               **actor.log_fields())
    return ev


def _evaluation(actor: Actor, action: Action, evaluation_id, *, open_only: bool = True) -> Evaluation:
    ev = get_or_refuse(actor, action, Evaluation.objects.select_related("vendor"), pk=evaluation_id)
    if open_only and ev.finalised_at is not None:
        raise no(actor, _("最終判定を記入した評価シートは変更できません。再評価は新しいシートで行ってください"),
                 action=action, article=ev.article, code="finalised", target=("evaluation", ev.pk))
    return ev


def grade(*, actor: Actor, evaluation_id, grades: dict[str, str], improvements: dict[str, str] | None = None,
          pmark: bool | None = None, no_leak_2y: bool | None = None) -> Evaluation:
    """Record 判定 (A/B/C/—) and 改善措置等 for the sheet's items, and the two pre-items."""
    ev = _evaluation(actor, Action.VENDORS_EVALUATE, evaluation_id)
    target = ("evaluation", ev.pk)
    improvements = improvements or {}
    items = {i.no: i for i in ev.items.all()}
    stray = sorted(set(grades) - set(items)) + sorted(set(improvements) - set(items))
    if stray:
        raise no(actor, _("委託パターン%(p)sに該当しない項目は判定できません: %(n)s")
                 % {"p": ev.pattern, "n": "、".join(dict.fromkeys(stray))}, action=Action.VENDORS_EVALUATE,
                 article=ev.article, code="not_applicable", target=target)
    bad = [no_ for no_, g in grades.items() if g not in (*rule.GRADES, "")]
    if bad:
        raise no(actor, _("判定は A・B・C・— のいずれかです"), action=Action.VENDORS_EVALUATE, article=ev.article,
                 code="invalid", target=target)
    texts = clean(actor, Action.VENDORS_EVALUATE, target, **{f"i{k}": v for k, v in improvements.items()})
    with transaction.atomic(durable=True):
        for no_, item in items.items():
            changed = []
            if no_ in grades:
                item.grade = grades[no_]
                changed.append("grade")
            if no_ in improvements:
                item.improvement = texts[f"i{no_}"][:1000]
                changed.append("improvement")
            if changed:
                item.save(update_fields=changed)
        fields = []
        if pmark is not None:
            ev.pmark = pmark
            fields.append("pmark")
        if no_leak_2y is not None:
            ev.no_leak_2y = no_leak_2y
            fields.append("no_leak_2y")
        if fields:
            ev.save(update_fields=fields)
        record(action=Action.VENDORS_EVALUATE, target_type="evaluation", target_id=ev.pk, article=ev.article,
               details={"vendor_id": ev.vendor_id, "graded": sorted(grades), "stage": "graded"},
               **actor.log_fields())
    return ev


def result_of(ev: Evaluation, *, claim_shortcut: bool = False) -> rule.Result:
    items = list(ev.items.all())
    return rule.decide(outsourcing().vendor_evaluation, pattern=ev.pattern,
                       grades={i.no: i.grade for i in items}, improvements={i.no: i.improvement for i in items},
                       pmark=ev.pmark, no_leak_2y=ev.no_leak_2y, claim_shortcut=claim_shortcut)


def finalise(*, actor: Actor, evaluation_id, claim_shortcut: bool = False) -> Evaluation:
    """最終判定 exactly per E-26: refused while an applicable item is ungraded, a B lacks its 改善措置等, or the
    shortcut is claimed without both P-mark and no leak in 2 years."""
    ev = _evaluation(actor, Action.VENDORS_EVALUATE, evaluation_id)
    result = result_of(ev, claim_shortcut=claim_shortcut)
    if not result.decided:
        problem = result.problems[0]
        raise no(actor, problem.message, action=Action.VENDORS_EVALUATE, article=ev.article, code=problem.code,
                 target=("evaluation", ev.pk), details={"items": list(problem.items)})
    assert result.verdict is not None  # decided
    with transaction.atomic(durable=True):
        locked = Evaluation.objects.select_for_update().get(pk=ev.pk)
        if locked.finalised_at is not None:
            raise no(actor, _("既に最終判定が記入されています"), action=Action.VENDORS_EVALUATE, article=ev.article,
                     code="finalised", target=("evaluation", ev.pk))
        locked.verdict, locked.shortcut = result.verdict, result.shortcut
        locked.finalised_at, locked.finalised_by = timezone.now(), actor.user
        locked.save(update_fields=["verdict", "shortcut", "finalised_at", "finalised_by"])
        record(action=Action.VENDORS_EVALUATE, target_type="evaluation", target_id=locked.pk, article=ev.article,
               details={"vendor_id": ev.vendor_id, "verdict": result.verdict, "shortcut": result.shortcut,
                        "improvements": list(result.improvements), "stage": "finalised"},
               **actor.log_fields())
    return locked


def close_improvement(*, actor: Actor, item_id, note: str) -> EvaluationItem:
    """A B item's improvement carried out (条件付採用 tracked to closure)."""
    item = EvaluationItem.objects.select_related("evaluation__vendor").filter(pk=item_id).first()
    ev = get_or_refuse(actor, Action.VENDORS_IMPROVEMENT, Evaluation.objects.all(),
                       pk=item.evaluation_id if item is not None else 0)
    assert item is not None  # get_or_refuse found its sheet
    target = ("evaluation", ev.pk)
    t = clean(actor, Action.VENDORS_IMPROVEMENT, target, note=note)
    if item.grade != "B" or ev.finalised_at is None:
        raise no(actor, _("改善措置を確認できるのは、最終判定を記入した評価シートの判定 B の項目です"),
                 action=Action.VENDORS_IMPROVEMENT, article=ev.article, code="not_b", target=target)
    if item.closed_at is not None:
        raise no(actor, _("この改善措置は既に完了しています"), action=Action.VENDORS_IMPROVEMENT, article=ev.article,
                 code="closed", target=target)
    if not t["note"]:
        raise no(actor, _("改善の確認内容を記入してください"), action=Action.VENDORS_IMPROVEMENT, article=ev.article,
                 code="invalid", target=target)
    with transaction.atomic(durable=True):
        item.closed_at, item.closed_by, item.closing_note = timezone.now(), actor.user, t["note"][:500]
        item.save(update_fields=["closed_at", "closed_by", "closing_note"])
        record(action=Action.VENDORS_IMPROVEMENT, target_type="evaluation", target_id=ev.pk, article=ev.article,
               details={"item": item.no}, **actor.log_fields())
    return item
