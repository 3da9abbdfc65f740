"""Deliveries to vendors: every export, carry-out or hand-over to a vendor names the vendor and its contract,
is refused without a valid contract and — in 004 — a current evaluation (E-27: an overdue re-evaluation blocks
a delivery), shows on the vendor's page and in the handling-status record (別紙1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.ledgers.models import HandlingRecord
from tokutei.policy import Actor
from tokutei.registers.models import CarryOut
from tokutei.registers.services import media
from tokutei.vendors import selectors, services
from tokutei.vendors.models import Delivery

from .conftest import a_unit, active_contract, adopted_evaluation, qualified_vendor, web

TODAY = timezone.localdate()


def _carry_out(owner, counterparty, contract_id=None):
    return media.create_carry_out(actor=Actor.console(owner), counterparty=counterparty, media_type="紙",
                                  quantity=1, record_count=12, protections=["sealed_traceable_mail"],
                                  contract_id=contract_id)


def test_004_an_overdue_re_evaluation_blocks_a_delivery(people):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = services.create_vendor(actor=web(manager), name="印刷センター株式会社", owner=owner, unit=a_unit())
    adopted_evaluation(manager, vendor, on=TODAY - dt.timedelta(days=300))
    contract = active_contract(manager, vendor)
    assert _carry_out(owner, "印刷センター株式会社", contract.pk).pk  # within the year: delivered
    # 13 months after the last evaluation, with no 再評価
    old = vendor.evaluations.get()
    type(old).objects.filter(pk=old.pk).update(created_on=TODAY - dt.timedelta(days=400))
    assert selectors.standing(vendor).overdue
    with pytest.raises(Refused, match="再評価の期限") as refused:
        _carry_out(owner, "印刷センター株式会社", contract.pk)
    assert refused.value.article == profile.outsourcing.vendor_evaluation.article
    assert CarryOut.objects.count() == 1 and Delivery.objects.count() == 1
    entry = Entry.objects.filter(action="media.carry_out", result="refused").get()
    assert entry.reason.startswith("委託先「印刷センター株式会社」には提供できません")
    # the 再評価 lifts the block
    re = adopted_evaluation(manager, vendor)
    assert re.kind == "re"
    assert _carry_out(owner, "印刷センター株式会社", contract.pk).pk
    assert Delivery.objects.count() == 2


def test_004_a_vendor_without_an_evaluation_gets_nothing(people):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    contract = active_contract(manager, vendor)
    vendor.evaluations.update(verdict="rejected")
    with pytest.raises(Refused, match="不採用"):
        _carry_out(owner, vendor.name, contract.pk)


def test_a_carry_out_to_a_vendor_names_its_contract(people):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    with pytest.raises(Refused, match="委託先です。委託契約を指定してください"):
        _carry_out(owner, " 株式会社データ処理センター ")  # spaces and width ignored: still the vendor
    contract = services.draft_contract(actor=web(manager), vendor_id=vendor.pk, title="入力", work="入力",
                                       entrusted="氏名", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=30))
    with pytest.raises(Refused, match="有効ではありません"):
        _carry_out(owner, vendor.name, contract.pk)
    with pytest.raises(Refused, match="見つかりません"):
        _carry_out(owner, vendor.name, 987654)
    assert not CarryOut.objects.exists()
    assert _carry_out(owner, "地方公務員共済組合連合会").pk  # not a vendor: no contract asked for


def test_a_contract_past_its_term_delivers_nothing(people):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    contract = active_contract(manager, vendor)
    type(contract).objects.filter(pk=contract.pk).update(ends_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(Refused, match="契約期間外"):
        _carry_out(owner, vendor.name, contract.pk)


def test_a_hand_over_is_in_the_handling_status_record_with_the_vendor(people, make_terminal):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    contract = active_contract(manager, vendor)
    terminal = make_terminal()[0]
    from tokutei.staff.models import RoleAssignment

    task = RoleAssignment.objects.get(user=owner).tasks[0]
    handler = Actor(user=owner, terminal=terminal, purpose=task)
    row = services.hand_over(actor=handler, contract_id=contract.pk, item="請求書等 12件（封緘）", record_count=12)
    assert row.vendor == vendor and row.contract == contract
    record = HandlingRecord.objects.filter(action="vendors.delivery").get()
    assert record.recipient == vendor.name and record.stage == "provision" and record.count == 12
    # a manager without a handler designation may not hand over 特定個人情報等
    with pytest.raises(Refused):
        services.hand_over(actor=Actor(user=manager, terminal=terminal, purpose=task), contract_id=contract.pk,
                           item="書類")


def test_the_vendor_page_lists_its_deliveries(people, client):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    contract = active_contract(manager, vendor)
    _carry_out(owner, vendor.name, contract.pk)
    client.force_login(manager)
    page = client.get(f"/vendors/{vendor.pk}/").content.decode()
    assert "記録媒体・書類の持出し" in page and contract.title in page


def test_where_the_profile_says_so_a_conditional_adoption_blocks_deliveries_until_closed(activate, make_user,
                                                                                          settings, tmp_path):
    """§6-6: the B-grade policy flag (``b_grade_blocks_until_closed``)."""
    from pathlib import Path

    import yaml

    source = Path(__file__).resolve().parents[2] / "profiles" / "data" / "hyogo-kyosai.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["outsourcing"]["vendor_evaluation"]["b_grade_blocks_until_closed"] = True
    (tmp_path / "hyogo-blocking.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, tmp_path]
    activate("hyogo-blocking")
    manager = make_user("kanri", "protection_officer", unit=a_unit())
    owner = make_user("tanto", "handler", unit=a_unit(), tasks=["p1_i"])
    vendor = services.create_vendor(actor=web(manager), name="警備保障株式会社", owner=owner, unit=a_unit())
    ev = services.create_evaluation(actor=web(manager), vendor_id=vendor.pk, pattern="IV")
    services.grade(actor=web(manager), evaluation_id=ev.pk, grades={i.no: "A" for i in ev.items.all()} | {"5": "B"},
                   improvements={"5": "誓約書を全員から取得する"})
    assert services.finalise(actor=web(manager), evaluation_id=ev.pk).verdict == "conditional"
    contract = active_contract(manager, vendor)
    with pytest.raises(Refused, match="改善措置が完了していません"):
        _carry_out(owner, vendor.name, contract.pk)
    services.close_improvement(actor=web(manager), item_id=ev.items.get(no="5").pk, note="全員分の誓約書を確認")
    assert _carry_out(owner, vendor.name, contract.pk).pk


def test_the_export_form_offers_the_contracts_in_force_by_title_and_vendor(people, client):
    """An export to a vendor names its contract by choosing it, never by typing the contract's number."""
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    contract = active_contract(manager, vendor)
    client.force_login(owner)
    page = client.get("/registers/exports/").content.decode()
    assert '<select name="contract_id"' in page
    assert f'<option value="{contract.pk}">{contract.title}（{vendor.name}）</option>' in page
