"""E-30: sub-contracting refused in 000, needs prior approval in 001, a 保護管理者 decision after a safety
check in 002, documented unavoidability and equivalent conditions in 004 — each refusal citing the profile's
article; each tier of the chain carries its own permission record."""

from __future__ import annotations

import pytest

from tokutei.approvals import services as approvals
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.vendors import services
from tokutei.vendors.models import SubContractor

from .conftest import active_contract, qualified_vendor, web


def _setup(people, name):
    profile, manager, owner, approver = people(name)
    contract = active_contract(manager, qualified_vendor(profile, manager, owner))
    sub = qualified_vendor(profile, manager, owner, name="再委託先システム株式会社")
    return profile, manager, owner, approver, contract, sub


def _approved(owner, approver, contract, sub):
    req = approvals.create_request(actor=web(owner), operation="subcontracting",
                                   particulars={"contract_id": contract.pk, "vendor_id": sub.pk})
    approvals.decide(actor=web(approver), request_id=req.pk, approve=True, comment="安全管理措置を確認した")
    return req


def test_000_refuses_sub_contracting_citing_the_contract_clause(people):
    profile, manager, _owner, _approver, contract, sub = _setup(people, "sendai-kyosai")
    with pytest.raises(Refused, match="再委託は禁止") as refused:
        services.add_subcontractor(actor=web(manager), contract_id=contract.pk, vendor_id=sub.pk, work="入力",
                                   reason="繁忙期", equivalent_conditions=True)
    assert refused.value.article == profile.outsourcing.subcontracting_article == "000 §22.2(5)"
    assert not SubContractor.objects.exists()
    assert Entry.objects.filter(action="vendors.subcontract", result="refused", article="000 §22.2(5)").exists()


def test_001_needs_the_prior_application_approved(people):
    _profile, _manager, owner, approver, contract, sub = _setup(people, "kokubunji")
    with pytest.raises(Refused, match="承認がありません") as refused:
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="入力")
    assert refused.value.article == "001 §11(5)"
    req = _approved(owner, approver, contract, sub)
    row = services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="入力",
                                     approval_id=req.pk)
    assert row.approval_id == req.pk and row.tier == 1 and row.policy == "prior_approval"
    with pytest.raises(Refused, match="既に使用"):  # an approval is used once: the next tier needs its own
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="入力",
                                   approval_id=req.pk)


def test_001_an_approval_for_another_sub_contractor_does_not_count(people):
    profile, manager, owner, approver, contract, sub = _setup(people, "kokubunji")
    other = qualified_vendor(profile, manager, owner, name="別会社")
    req = _approved(owner, approver, contract, other)
    with pytest.raises(Refused, match="承認された再委託先と異なります"):
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="入力",
                                   approval_id=req.pk)


def test_002_needs_the_protection_managers_decision_after_a_safety_check(people):
    _profile, _manager, owner, approver, contract, sub = _setup(people, "sayama")
    with pytest.raises(Refused, match="安全管理が図られることを確認") as refused:
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="保守")
    assert refused.value.article == "002 §38.4"
    with pytest.raises(Refused, match="保護管理者 の承認がありません"):
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="保守",
                                   safety_check="再委託先の安全管理規程と入退室記録を確認")
    req = _approved(owner, approver, contract, sub)
    row = services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="保守",
                                     safety_check="再委託先の安全管理規程と入退室記録を確認", approval_id=req.pk)
    assert row.approval is not None and row.approval.decisions.get().approver == approver


def test_004_only_when_unavoidable_documented_and_on_equivalent_conditions(people):
    profile, manager, owner, approver, contract, sub = _setup(people, "hyogo-kyosai")
    with pytest.raises(Refused, match="やむを得ない理由") as refused:
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="印刷")
    assert refused.value.article == "004 §14(5)④"
    with pytest.raises(Refused, match="同等の条件"):
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="印刷",
                                   reason="専用の封入封緘設備が委託先にない")
    req = _approved(owner, approver, contract, sub)
    row = services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=sub.pk, work="印刷",
                                     reason="専用の封入封緘設備が委託先にない", equivalent_conditions=True,
                                     approval_id=req.pk)
    # the next tier (再々委託) needs its own permission record
    third = qualified_vendor(profile, manager, owner, name="三次請け株式会社")
    with pytest.raises(Refused, match="承認がありません"):
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=third.pk, work="発送",
                                   above_id=row.pk, reason="発送設備", equivalent_conditions=True)
    req2 = _approved(owner, approver, contract, third)
    deeper = services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=third.pk, work="発送",
                                        above_id=row.pk, reason="発送設備", equivalent_conditions=True,
                                        approval_id=req2.pk)
    assert deeper.tier == 2 and deeper.above == row and deeper.approval_id == req2.pk


def test_004_a_sub_contractor_must_itself_be_an_evaluated_vendor(people):
    from tokutei.vendors.tests.conftest import a_unit

    _profile, manager, owner, _approver, contract, _sub = _setup(people, "hyogo-kyosai")
    fresh = services.create_vendor(actor=web(manager), name="未評価の再委託先", owner=owner, unit=a_unit())
    with pytest.raises(Refused, match="再委託先も選定前の確認"):
        services.add_subcontractor(actor=web(owner), contract_id=contract.pk, vendor_id=fresh.pk, work="印刷",
                                   reason="設備がない", equivalent_conditions=True)
