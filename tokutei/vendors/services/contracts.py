"""Contracts with vendors: drafted only for a qualified vendor (E-29), the profile's clause checklist
confirmed item by item with where each stands (E-28), the 覚書 (000 §22.3), sub-contractors by the
profile's policy (E-30), dispatched workers (E-31), and the return or erasure at the end (E-32).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals import services as approvals
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.errors import NOT_FOUND_MESSAGE, NotFoundOrForbidden
from tokutei.policy import Actor, Decision, get_or_refuse, refusal, require
from tokutei.profiles.selectors import get_profile

from .. import selectors
from ..models import ClauseConfirmation, Contract, DispatchedWorker, ReturnTask, SubContractor, Vendor
from .common import article_or_general, clean, no, outsourcing


def _contract(actor: Actor, action: Action, contract_id) -> Contract:
    return get_or_refuse(actor, action, Contract.objects.select_related("vendor"), pk=contract_id)


def checklist(profile=None) -> list[dict[str, str]]:
    """The profile's mandatory clauses, then its written confirmations, as a contract's snapshot."""
    out = (profile or get_profile()).outsourcing
    return ([{"kind": "clause", "ja": c.ja, "article": c.article} for c in out.contract_clauses]
            + [{"kind": "confirmation", "ja": c.ja, "article": c.article} for c in out.written_confirmations])


def draft_contract(*, actor: Actor, vendor_id, title: str, work: str, entrusted: str, starts_on: dt.date,
                   ends_on: dt.date, file_ids: list[int] | None = None, field_keys: list[str] | None = None
                   ) -> Contract:
    """委託契約の作成: refused for a vendor not qualified before selection (E-29) — in 004 one without an
    adopted 別紙3 evaluation."""
    vendor = get_or_refuse(actor, Action.VENDORS_CONTRACT, Vendor.objects.all(), pk=vendor_id)
    profile = get_profile()
    out = profile.outsourcing
    target = ("vendor", vendor.pk)
    t = clean(actor, Action.VENDORS_CONTRACT, target, title=title, work=work, entrusted=entrusted)
    if not t["title"] or not t["work"] or not t["entrusted"]:
        raise no(actor, _("契約件名、業務委託内容及び預託個人情報を記入してください"), action=Action.VENDORS_CONTRACT,
                 code="invalid", target=target)
    if ends_on < starts_on:
        raise no(actor, _("契約期間の終了が開始より前です"), action=Action.VENDORS_CONTRACT, code="bad_dates",
                 target=target)
    unknown = [k for k in (field_keys or []) if k not in profile.fields]
    if unknown:
        raise no(actor, _("定められていない項目が含まれています"), action=Action.VENDORS_CONTRACT, code="invalid",
                 target=target)
    standing = selectors.standing(vendor, profile=profile)
    q, ev = standing.qualification, standing.evaluation
    if out.qualification.required and not standing.qualified:
        message = standing.blockers[0][1] if standing.blockers else _("選定前の確認がありません")
        raise no(actor, _("選定前の確認で基準を満たすことが確認されていない委託先とは契約できません（%(m)s）")
                 % {"m": message}, action=Action.VENDORS_CONTRACT, article=out.qualification.article,
                 code="not_qualified", target=target)
    with transaction.atomic(durable=True):
        contract = Contract.objects.create(
            vendor=vendor, title=t["title"][:200], work=t["work"][:1000], entrusted=t["entrusted"][:500],
            file_ids=sorted({int(i) for i in (file_ids or [])}), field_keys=list(dict.fromkeys(field_keys or [])),
            starts_on=starts_on, ends_on=ends_on, qualification=q if q is not None and q.qualified else None,
            evaluation=ev if ev is not None and ev.verdict != "rejected" else None, clauses=checklist(profile),
            created_by=actor.user, article=out.article)
        record(action=Action.VENDORS_CONTRACT, target_type="contract", target_id=contract.pk, article=out.article,
               details={"vendor_id": vendor.pk, "clauses": len(contract.clauses), "file_ids": contract.file_ids,
                        "fields": contract.field_keys}, **actor.log_fields())
    return contract


def _draft(actor: Actor, action: Action, contract_id) -> Contract:
    contract = _contract(actor, action, contract_id)
    if contract.status != Contract.Status.DRAFT:
        raise no(actor, _("締結済みの契約の条項の確認は変更できません"), action=action, code="not_draft",
                 target=("contract", contract.pk))
    return contract


def confirm_clause(*, actor: Actor, contract_id, index: int, location: str) -> ClauseConfirmation:
    """One mandatory clause (or written confirmation) confirmed, with where it stands (第N条 …)."""
    contract = _draft(actor, Action.VENDORS_CLAUSE, contract_id)
    target = ("contract", contract.pk)
    t = clean(actor, Action.VENDORS_CLAUSE, target, location=location)
    if not 0 <= int(index) < len(contract.clauses):
        raise no(actor, _("契約の確認項目がありません"), action=Action.VENDORS_CLAUSE, code="invalid", target=target)
    item = contract.clauses[int(index)]
    if not t["location"]:
        raise no(actor, _("「%(c)s」が契約書のどこに定められているか（条項・頁）を記入してください") % {"c": item["ja"]},
                 action=Action.VENDORS_CLAUSE, article=item["article"], code="no_location", target=target)
    if contract.confirmations.filter(index=index).exists():
        raise no(actor, _("この項目は既に確認されています"), action=Action.VENDORS_CLAUSE, article=item["article"],
                 code="already_confirmed", target=target)
    with transaction.atomic(durable=True):
        row = ClauseConfirmation.objects.create(contract=contract, index=int(index), location=t["location"][:200],
                                                confirmed_by=actor.user)
        record(action=Action.VENDORS_CLAUSE, target_type="contract", target_id=contract.pk,
               article=item["article"], details={"index": int(index), "kind": item["kind"]}, **actor.log_fields())
    return row


def record_memorandum(*, actor: Actor, contract_id, concluded_on: dt.date, items: list[str]) -> Contract:
    """覚書の締結 (000 §22.3): media hand-over procedure, transport, storage and loss prevention."""
    contract = _contract(actor, Action.VENDORS_MEMORANDUM, contract_id)
    memo = outsourcing().memorandum
    target = ("contract", contract.pk)
    if memo is None:
        raise no(actor, _("この組織では覚書は定められていません"), action=Action.VENDORS_MEMORANDUM,
                 code="no_memorandum", target=target)
    chosen = [i for i in memo.items if i in set(items or [])]
    if not chosen:
        raise no(actor, _("覚書で定めた事項を選択してください"), action=Action.VENDORS_MEMORANDUM, article=memo.article,
                 code="invalid", target=target)
    with transaction.atomic(durable=True):
        contract.memorandum_on, contract.memorandum_items, contract.memorandum_by = concluded_on, chosen, actor.user
        contract.save(update_fields=["memorandum_on", "memorandum_items", "memorandum_by"])
        record(action=Action.VENDORS_MEMORANDUM, target_type="contract", target_id=contract.pk,
               article=memo.article, details={"items": len(chosen)}, **actor.log_fields())
    return contract


def activate_contract(*, actor: Actor, contract_id) -> Contract:
    """委託契約の締結: refused while any mandatory clause or written confirmation is unconfirmed (E-28), or
    the vendor no longer qualifies (E-29)."""
    contract = _draft(actor, Action.VENDORS_ACTIVATE, contract_id)
    target = ("contract", contract.pk)
    missing = selectors.unconfirmed(contract)
    if missing:
        first = missing[0]
        raise no(actor, _("契約に定めるべき事項が確認されていません（%(n)s 件）: %(c)s")
                 % {"n": len(missing), "c": "、".join(m["ja"] for m in missing[:3])},
                 action=Action.VENDORS_ACTIVATE, article=first["article"], code="clause_unconfirmed", target=target,
                 details={"unconfirmed": [m["index"] for m in missing]})
    out = outsourcing()
    standing = selectors.standing(contract.vendor)
    if out.qualification.required and not standing.qualified:
        raise no(actor, standing.blockers[0][1] if standing.blockers else _("選定前の確認がありません"),
                 action=Action.VENDORS_ACTIVATE, article=out.qualification.article, code="not_qualified",
                 target=target)
    with transaction.atomic(durable=True):
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.status != Contract.Status.DRAFT:
            raise NotFoundOrForbidden()
        locked.status, locked.activated_at, locked.activated_by = Contract.Status.ACTIVE, timezone.now(), actor.user
        if standing.evaluation is not None and locked.evaluation_id is None:
            locked.evaluation = standing.evaluation
        locked.save(update_fields=["status", "activated_at", "activated_by", "evaluation"])
        record(action=Action.VENDORS_ACTIVATE, target_type="contract", target_id=locked.pk, article=out.article,
               details={"vendor_id": locked.vendor_id, "clauses": len(locked.clauses)}, **actor.log_fields())
    return locked


def end_contract(*, actor: Actor, contract_id, note: str = "") -> ReturnTask:
    """委託契約の終了: opens the task of the return, erasure or disposal by the vendor (R-OUT-12)."""
    contract = _contract(actor, Action.VENDORS_END, contract_id)
    out = outsourcing()
    target = ("contract", contract.pk)
    t = clean(actor, Action.VENDORS_END, target, note=note)
    if contract.status != Contract.Status.ACTIVE:
        raise no(actor, _("有効な契約ではありません"), action=Action.VENDORS_END, article=out.return_article,
                 code="not_active", target=target)
    article = article_or_general(out.return_article)
    with transaction.atomic(durable=True):
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.status != Contract.Status.ACTIVE:
            raise NotFoundOrForbidden()
        locked.status, locked.ended_at = Contract.Status.ENDED, timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        task = ReturnTask.objects.create(contract=locked, note=t["note"][:500], article=article)
        record(action=Action.VENDORS_END, target_type="contract", target_id=locked.pk, article=article,
               details={"return_task_id": task.pk}, **actor.log_fields())
    return task


def record_return(*, actor: Actor, contract_id, outcome: str, certificate_ref: str = "",
                  certificate_date: dt.date | None = None, disposal_list_id: int | None = None,
                  note: str = "") -> ReturnTask:
    """返還・消去・廃棄の確認: closed only with the vendor's certificate where the profile requires it
    (002 §14.2, 004 §9.2; E-32). A retention disposal list (tokutei.retention) may be linked."""
    contract = _contract(actor, Action.VENDORS_RETURN, contract_id)
    out = outsourcing()
    target = ("contract", contract.pk)
    task = ReturnTask.objects.filter(contract=contract).first()
    article = article_or_general(out.return_article)
    if task is None or task.closed_at is not None:
        raise no(actor, _("返還・消去の確認を待っている契約ではありません"), action=Action.VENDORS_RETURN, article=article,
                 code="no_task", target=target)
    t = clean(actor, Action.VENDORS_RETURN, target, certificate_ref=certificate_ref, note=note)
    if outcome not in ReturnTask.Outcome.values:
        raise no(actor, _("返還・消去・廃棄のいずれかを選択してください"), action=Action.VENDORS_RETURN, article=article,
                 code="invalid", target=target)
    if out.return_certificate_required and (not t["certificate_ref"] or certificate_date is None):
        raise no(actor, _("委託先が確実に返還・消去・廃棄したことを証明書等で確認するまで完了できません。"
                          "証明書の番号等と日付を記録してください"), action=Action.VENDORS_RETURN, article=article,
                 code="no_certificate", target=target)
    if disposal_list_id is not None:
        from django.apps import apps

        try:
            found = apps.get_model("retention", "DisposalList")._default_manager.filter(pk=disposal_list_id).exists()
        except LookupError:
            found = False
        if not found:
            raise no(actor, _("廃棄リストが見つかりません"), action=Action.VENDORS_RETURN, article=article,
                     code="not_found", target=target)
    with transaction.atomic(durable=True):
        locked = ReturnTask.objects.select_for_update().get(pk=task.pk)
        if locked.closed_at is not None:
            raise NotFoundOrForbidden()
        locked.outcome, locked.certificate_ref, locked.certificate_date = outcome, t["certificate_ref"][:200], certificate_date
        locked.disposal_list_id, locked.closed_at, locked.closed_by = disposal_list_id, timezone.now(), actor.user
        if t["note"]:
            locked.note = t["note"][:500]
        locked.save(update_fields=["outcome", "certificate_ref", "certificate_date", "disposal_list_id",
                                   "closed_at", "closed_by", "note"])
        Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.CLOSED)
        record(action=Action.VENDORS_RETURN, target_type="contract", target_id=contract.pk, article=article,
               details={"outcome": outcome, "certificate": bool(t["certificate_ref"]),
                        "disposal_list_id": disposal_list_id}, **actor.log_fields())
    return locked


# --- 再委託 (E-30) ----------------------------------------------------------------------------------------


def add_subcontractor(*, actor: Actor, contract_id, vendor_id, work: str, above_id=None, reason: str = "",
                      safety_check: str = "", equivalent_conditions: bool = False, approval_id=None
                      ) -> SubContractor:
    """再委託先の登録, by the profile's policy (E-30): refused outright (000 §22.2(5)); only with the prior
    application approved (001 §11(5)); only on the 保護管理者's decision after confirming safe management
    (002 §38.4); only when unavoidable, documented, on conditions equivalent to the contract (004 §14(5)④).
    Each tier of the chain carries its own permission record."""
    contract = _contract(actor, Action.VENDORS_SUBCONTRACT, contract_id)
    out = outsourcing()
    article = article_or_general(out.subcontracting_article)
    target = ("contract", contract.pk)

    def refuse(message: str, code: str) -> Exception:
        return no(actor, message, action=Action.VENDORS_SUBCONTRACT, article=article, code=code, target=target,
                  details={"policy": out.subcontracting})

    if out.subcontracting == "prohibited":
        raise refuse(_("再委託は禁止されています"), "subcontracting_prohibited")
    t = clean(actor, Action.VENDORS_SUBCONTRACT, target, work=work, reason=reason, safety_check=safety_check)
    sub = Vendor.objects.filter(pk=vendor_id).first()
    if sub is None or sub.pk == contract.vendor_id:
        raise refuse(_("再委託先として登録された委託先を指定してください"), "invalid")
    above = None
    if above_id not in (None, ""):
        above = contract.subcontractors.filter(pk=above_id).first()
        if above is None:
            raise refuse(_("上位の再委託先がこの契約にありません"), "invalid")
    if not t["work"]:
        raise refuse(_("再委託する業務を記入してください"), "invalid")
    if contract.status not in (Contract.Status.DRAFT, Contract.Status.ACTIVE):
        raise refuse(_("終了した契約には再委託先を登録できません"), "not_active")
    if out.subcontracting == "manager_decision" and not t["safety_check"]:
        raise refuse(_("再委託の諾否は、特定個人情報の適切な安全管理が図られることを確認した上で判断します。"
                       "確認の内容を記録してください"), "no_safety_check")
    if out.subcontracting == "exceptional":
        if not t["reason"]:
            raise refuse(_("再委託は原則として禁止です。やむを得ない理由を記録してください"), "not_unavoidable")
        if not equivalent_conditions:
            raise refuse(_("やむを得ず再委託する場合は、委託と同等の条件を満たすことが必要です"), "not_equivalent")
    if out.qualification.required and not selectors.standing(sub).qualified:
        raise refuse(_("再委託先も選定前の確認で基準を満たすことが確認されていなければなりません"), "not_qualified")
    approval = None
    operation = out.subcontracting_approval
    if out.subcontracting in ("prior_approval", "manager_decision", "exceptional"):
        if operation is None or approvals.rule_for(operation) is None:
            raise refuse(_("再委託の承認手続がプロファイルにありません"), "approval_rule_missing")
        approval = approvals.require_approval(operation=operation, actor=actor, approval_id=approval_id,
                                              particulars_check=_scope(contract, sub),
                                              action=Action.VENDORS_SUBCONTRACT, target_type="contract",
                                              target_id=contract.pk)
    with transaction.atomic(durable=True):
        if approval is not None:
            assert operation is not None
            approvals.consume_approval(request_id=approval.pk, operation=operation, actor=actor,
                                       check=_scope(contract, sub))
        row = SubContractor.objects.create(
            contract=contract, vendor=sub, above=above, tier=(above.tier + 1) if above else 1, work=t["work"][:500],
            reason=t["reason"][:1000], safety_check=t["safety_check"][:1000],
            equivalent_conditions=bool(equivalent_conditions), approval=approval, policy=out.subcontracting,
            article=article, registered_by=actor.user)
        if sub.parent_id is None:
            Vendor.objects.filter(pk=sub.pk).update(parent=contract.vendor)
        record(action=Action.VENDORS_SUBCONTRACT, target_type="contract", target_id=contract.pk, article=article,
               details={"subcontractor_id": row.pk, "vendor_id": sub.pk, "tier": row.tier,
                        "approval_id": getattr(approval, "pk", None), "policy": out.subcontracting},
               **actor.log_fields())
    return row


def _scope(contract: Contract, sub: Vendor):
    def check(p: dict[str, Any]) -> str | None:
        if p.get("contract_id") not in (None, contract.pk, str(contract.pk)):
            return _("承認された契約と異なります")
        if p.get("vendor_id") not in (None, sub.pk, str(sub.pk)):
            return _("承認された再委託先と異なります")
        return None
    return check


# --- 派遣労働者 (002 §38.5, E-31) ----------------------------------------------------------------------------


def record_dispatched_worker(*, actor: Actor, user, agency: str, dispatch_contract: str, contract_from: dt.date,
                             contract_to: dt.date) -> DispatchedWorker:
    """A dispatched worker and the worker-dispatch contract they work under (terms still to confirm)."""
    require_dispatch = outsourcing().dispatch
    decision_target = ("user", getattr(user, "pk", ""))
    decision = require(actor, Action.VENDORS_DISPATCH, target=decision_target)
    if decision.units is not None and getattr(user, "unit_id", None) not in decision.units:
        # a unit-scoped 保護管理者 records the dispatched workers of their own unit only
        raise refusal(actor, Action.VENDORS_DISPATCH, Decision(False, reason=NOT_FOUND_MESSAGE,
                                                                article=decision.article, code="not_found"),
                      target=decision_target)
    article = require_dispatch.article if require_dispatch else outsourcing().article
    t = clean(actor, Action.VENDORS_DISPATCH, decision_target, agency=agency, dispatch_contract=dispatch_contract)
    if not t["agency"] or not t["dispatch_contract"] or contract_to < contract_from:
        raise no(actor, _("派遣元事業者、労働者派遣契約及び派遣期間を記入してください"), action=Action.VENDORS_DISPATCH,
                 article=article, code="invalid", target=decision_target)
    terms = [{"ja": term, "location": ""} for term in (require_dispatch.terms if require_dispatch else [])]
    with transaction.atomic(durable=True):
        row = DispatchedWorker.objects.create(user=user, agency=t["agency"][:200],
                                              dispatch_contract=t["dispatch_contract"][:200],
                                              contract_from=contract_from, contract_to=contract_to, terms=terms,
                                              recorded_by=actor.user, article=article)
        record(action=Action.VENDORS_DISPATCH, target_type="user", target_id=user.pk, article=article,
               details={"dispatched_worker_id": row.pk, "stage": "recorded"}, **actor.log_fields())
    return row


def confirm_dispatch_terms(*, actor: Actor, worker_id, locations: list[str]) -> DispatchedWorker:
    """Each term the dispatch contract must state (秘密保持義務 …), confirmed with where it stands."""
    row = get_or_refuse(actor, Action.VENDORS_DISPATCH, DispatchedWorker.objects.all(), pk=worker_id)
    target = ("user", row.user_id)
    texts = clean(actor, Action.VENDORS_DISPATCH, target, **{f"l{i}": v for i, v in enumerate(locations or [])})
    filled = [texts.get(f"l{i}", "") for i in range(len(row.terms))]
    missing = [term["ja"] for term, where in zip(row.terms, filled, strict=True) if not where]
    if missing:
        raise no(actor, _("労働者派遣契約に明記されている箇所を記入してください: %(t)s") % {"t": "、".join(missing)},
                 action=Action.VENDORS_DISPATCH, article=row.article, code="terms_unconfirmed", target=target)
    with transaction.atomic(durable=True):
        row.terms = [{"ja": term["ja"], "location": where[:200]} for term, where in zip(row.terms, filled, strict=True)]
        row.confirmed_at, row.confirmed_by = timezone.now(), actor.user
        row.save(update_fields=["terms", "confirmed_at", "confirmed_by"])
        record(action=Action.VENDORS_DISPATCH, target_type="user", target_id=row.user_id, article=row.article,
               details={"dispatched_worker_id": row.pk, "stage": "confirmed"}, **actor.log_fields())
    return row
