"""記録媒体の持出し (000 §11.3, E-06) and the media and document registers (000 §11, §12)."""

from __future__ import annotations

import datetime as dt

import pytest

from tokutei.approvals import services
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import CarryOut, Medium
from tokutei.registers.services import media


@pytest.fixture
def planned(officers000):
    o = officers000
    medium = media.register_medium(actor=Actor.console(o["operator"]), label="M-001", kind="optical", storage_place="保管室 金庫A",
                                   record_count=40)
    co = media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="仙台市 市民局", media_type="光ディスク",
                                quantity=1, record_count=40, protections=["locked_container"], medium_id=medium.pk)
    return co


def _approve(req, *approvers):
    for a in approvers:
        services.decide(actor=Actor.console(a), request_id=req.pk, approve=True)


def test_it_refuses_carry_out_with_one_approval(officers000, planned):
    o = officers000
    req = media.request_carry_out_approval(actor=Actor.console(o["operator"]), carry_out_id=planned.pk)
    _approve(req, o["id_manager"])
    with pytest.raises(Refused) as exc:
        media.carry_out(actor=Actor.console(o["operator"]), carry_out_id=planned.pk, approval_id=req.pk)
    assert "住基ネットシステム管理者 の承認がありません" in exc.value.message
    assert exc.value.article == "000 §11.3"
    planned.refresh_from_db()
    assert planned.status == CarryOut.Status.PLANNED
    assert Entry.objects.filter(action="media.carry_out", result="refused").exists()


def test_it_refuses_carry_out_without_naming_the_approval_and_says_what_is_pending(officers000, planned):
    o = officers000
    req = media.request_carry_out_approval(actor=Actor.console(o["operator"]), carry_out_id=planned.pk)
    _approve(req, o["sys_admin"])
    with pytest.raises(Refused, match="本人確認情報管理責任者 の承認がありません"):
        media.carry_out(actor=Actor.console(o["operator"]), carry_out_id=planned.pk)


def test_with_both_approvals_it_goes_ahead_exactly_once(officers000, planned):
    o = officers000
    req = media.request_carry_out_approval(actor=Actor.console(o["operator"]), carry_out_id=planned.pk)
    _approve(req, o["id_manager"], o["sys_admin"])
    done = media.carry_out(actor=Actor.console(o["operator"]), carry_out_id=planned.pk, approval_id=req.pk)
    assert done.status == CarryOut.Status.OUT and done.approval_id == req.pk
    assert Medium.objects.get(pk=planned.medium_id).status == Medium.Status.OUT
    with pytest.raises(Refused, match="既に実施"):
        media.carry_out(actor=Actor.console(o["operator"]), carry_out_id=planned.pk, approval_id=req.pk)
    assert Entry.objects.filter(action="media.carry_out", result="ok", details__stage="carried_out").count() == 1
    back = media.close_carry_out(actor=Actor.console(o["operator"]), carry_out_id=planned.pk, outcome="returned")
    assert back.status == CarryOut.Status.RETURNED
    assert Medium.objects.get(pk=planned.medium_id).status == Medium.Status.STORED


def test_one_approval_cannot_serve_two_carry_outs(officers000, planned):
    o = officers000
    req = media.request_carry_out_approval(actor=Actor.console(o["operator"]), carry_out_id=planned.pk)
    _approve(req, o["id_manager"], o["sys_admin"])
    other = media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="相手", media_type="紙", quantity=1,
                                   record_count=5, protections=["strict_packaging"])
    with pytest.raises(Refused, match="承認された持出しと異なります"):
        media.carry_out(actor=Actor.console(o["operator"]), carry_out_id=other.pk, approval_id=req.pk)


def test_it_refuses_a_carry_out_without_protection_or_record(officers000):
    o = officers000
    with pytest.raises(Refused, match="保護措置"):
        media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="相手", media_type="紙", quantity=1,
                               record_count=5, protections=[])
    with pytest.raises(Refused, match="相手方"):
        media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="", media_type="紙", quantity=1,
                               record_count=5, protections=["strict_packaging"])
    assert not CarryOut.objects.exists()


def test_disposal_needs_a_method_and_a_witness(officers000):
    o = officers000
    medium = media.register_medium(actor=Actor.console(o["operator"]), label="M-9", kind="paper", storage_place="保管室")
    with pytest.raises(Refused, match="立会者"):
        media.dispose_medium(actor=Actor.console(o["operator"]), medium_id=medium.pk, method="破砕", witness=o["operator"])
    with pytest.raises(Refused, match="方法"):
        media.dispose_medium(actor=Actor.console(o["operator"]), medium_id=medium.pk, method="", witness=o["sys_admin"])
    with pytest.raises(Refused, match="保存期間が満了していない"):  # 000 §11.1: not before the next payment
        media.dispose_medium(actor=Actor.console(o["operator"]), medium_id=medium.pk, method="破砕", witness=o["sys_admin"])
    from django.utils import timezone

    from tokutei.retention.models import PaymentDate

    Medium.objects.filter(pk=medium.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    PaymentDate.objects.create(date=timezone.localdate() - dt.timedelta(days=20), created_by=o["sys_admin"])
    done = media.dispose_medium(actor=Actor.console(o["operator"]), medium_id=medium.pk, method="破砕", witness=o["sys_admin"])
    assert done.status == Medium.Status.DISPOSED and done.disposal_witness == o["sys_admin"]


def test_only_the_system_administrator_records_faults(officers000):
    o = officers000
    medium = media.register_medium(actor=Actor.console(o["operator"]), label="M-2", kind="usb", storage_place="保管室")
    with pytest.raises(Refused, match="システム管理者"):
        media.record_fault_check(actor=Actor.console(o["operator"]), medium_id=medium.pk, has_fault=True)
    check = media.record_fault_check(actor=Actor.console(o["sys_admin"]), medium_id=medium.pk, has_fault=False)
    assert check.has_fault is False
    assert Entry.objects.filter(action="media.fault", result="ok").count() == 1


def test_a_document_is_copied_only_with_the_system_administrators_permission(officers000):
    o = officers000
    doc = media.register_document(actor=Actor.console(o["sys_admin"]), title="住基ネット運用手順書", kind="operation",
                                  storage_place="総務係 書庫")
    with pytest.raises(Refused, match="住基ネットシステム管理者 の承認がありません"):
        media.document_operation(actor=Actor.console(o["operator"]), document_id=doc.pk, kind="copy")
    req = services.create_request(actor=Actor.console(o["operator"]), operation="document_copy", particulars={"document_id": doc.pk})
    _approve(req, o["sys_admin"])
    event = media.document_operation(actor=Actor.console(o["operator"]), document_id=doc.pk, kind="copy", approval_id=req.pk)
    assert event.approval_id == req.pk
    doc.refresh_from_db()
    assert doc.copies == 2
    assert Entry.objects.filter(action="document.copy", result="ok").count() == 1


def test_a_move_of_the_storage_place_is_recorded(officers000):
    o = officers000
    m = media.register_medium(actor=Actor.console(o["operator"]), label="M-5", kind="paper", storage_place="金庫A")
    media.move_medium(actor=Actor.console(o["operator"]), medium_id=m.pk, storage_place="金庫B")
    m.refresh_from_db()
    assert m.storage_place == "金庫B"
    assert Entry.objects.filter(action="media.move", target_id=str(m.pk), details__moved=True).exists()
