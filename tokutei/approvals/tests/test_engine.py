"""The approval engine: steps, orders, distinct approvers, self-approval, single use, expiry, logging."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.policy import Actor


def _refusals(action: str) -> list[Entry]:
    return list(Entry.objects.filter(action=action, result=Entry.Result.REFUSED))


def test_it_refuses_carry_out_with_one_approval_and_names_the_missing_one(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out", particulars={"medium": "M-1"})
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    with pytest.raises(Refused) as exc:
        services.require_approval(operation="media_carry_out", actor=Actor.console(o["operator"]), approval_id=req.pk)
    assert "住基ネットシステム管理者 の承認がありません" in str(exc.value)
    assert "本人確認情報管理責任者" not in exc.value.message
    assert exc.value.article == "000 §11.3" and "セキュリティ管理規程第11条第3項" in str(exc.value)
    assert _refusals("approvals.use")


def test_it_names_both_approvals_when_none_is_given(officers000):
    with pytest.raises(Refused) as exc:
        services.require_approval(operation="media_carry_out", actor=Actor.console(officers000["operator"]), approval_id=None)
    assert "本人確認情報管理責任者 及び 住基ネットシステム管理者 の承認がありません（セキュリティ管理規程第11条第3項）" in str(exc.value)


def test_it_allows_a_carry_out_approval_to_be_used_exactly_once(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    req = services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    assert req.status == ApprovalRequest.Status.APPROVED and req.expires_at is not None
    services.require_approval(operation="media_carry_out", actor=Actor.console(o["operator"]), approval_id=req.pk)
    used = services.consume_approval(request_id=req.pk, operation="media_carry_out", actor=Actor.console(o["operator"]))
    assert used.status == ApprovalRequest.Status.USED and used.used_by == o["operator"]
    with pytest.raises(Refused, match="既に使用"):
        services.consume_approval(request_id=req.pk, operation="media_carry_out", actor=Actor.console(o["operator"]))
    with pytest.raises(Refused, match="既に使用"):
        services.require_approval(operation="media_carry_out", actor=Actor.console(o["operator"]), approval_id=req.pk)
    assert Entry.objects.filter(action="approvals.use", result="ok").count() == 1
    assert len(_refusals("approvals.use")) == 2


def test_it_refuses_self_approval(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["id_manager"]), operation="media_carry_out")
    with pytest.raises(Refused, match="自分の申請"):
        services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    assert req.decisions.count() == 0
    assert _refusals("approvals.approve")[0].details["code"] == "self_approval"


def test_one_person_holding_both_posts_may_not_approve_twice_when_distinct(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    services.decide(actor=Actor.console(o["both"]), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="二つの段階"):
        services.decide(actor=Actor.console(o["both"]), request_id=req.pk, approve=True)
    req.refresh_from_db()
    assert req.status == ApprovalRequest.Status.PENDING


def test_it_refuses_an_approver_without_the_role(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    # Holding none of the request's step roles, the request is out of their scope: it looks missing.
    with pytest.raises(NotFoundOrForbidden):
        services.decide(actor=Actor.console(o["operator2"]), request_id=req.pk, approve=True)
    assert Entry.objects.filter(action="approvals.approve", result="refused", actor_id=o["operator2"].pk).exists()


def test_an_approver_whose_designation_ended_cannot_approve(officers000, make_user):
    o = officers000
    former = make_user("moto_kacho", "sys_admin", end=timezone.localdate() - dt.timedelta(days=1))
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    with pytest.raises(Refused):
        services.decide(actor=Actor.console(former), request_id=req.pk, approve=True)


def test_a_rejection_closes_the_request(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    req = services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=False, comment="理由")
    assert req.status == ApprovalRequest.Status.REJECTED
    with pytest.raises(Refused, match="承認待ちではありません"):
        services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    assert Entry.objects.filter(action="approvals.reject", result="ok").exists()


def test_it_refuses_particulars_with_a_number(officers000):
    with pytest.raises(Refused, match="番号"):
        services.create_request(actor=Actor.console(officers000["operator"]), operation="media_carry_out",
                                particulars={"note": "１２３４５６７８９０１８"})
    assert not ApprovalRequest.objects.exists()


def test_it_refuses_an_application_from_the_wrong_role(officers000):
    with pytest.raises(Refused, match="拠点管理者 が行います"):
        services.create_request(actor=Actor.console(officers000["operator"]), operation="biometric_register")
    req = services.create_request(actor=Actor.console(officers000["site_admin"]), operation="biometric_register")
    assert services.decide(actor=Actor.console(officers000["sys_admin"]), request_id=req.pk, approve=True).status == "approved"


def test_an_expired_approval_cannot_be_used(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    ApprovalRequest.objects.filter(pk=req.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(Refused, match="有効期限"):
        services.require_approval(operation="media_carry_out", actor=Actor.console(o["operator"]), approval_id=req.pk)
    req.refresh_from_db()
    # Read as expired, written as expired only by the expiry job, with its log entry.
    assert req.status == ApprovalRequest.Status.APPROVED and req.status_now() == ApprovalRequest.Status.EXPIRED
    assert services.expire_overdue() == 1
    req.refresh_from_db()
    assert req.status == ApprovalRequest.Status.EXPIRED
    assert Entry.objects.filter(action="approvals.expire", target_id=str(req.pk), result="ok").count() == 1


def test_sequence_order_takes_steps_in_turn(t97, make_user):
    clerk, pm, head = make_user("clerk", "clerk"), make_user("pm", "pm"), make_user("head", "head")
    req = services.create_request(actor=Actor.console(clerk), operation="copy")
    with pytest.raises(Refused, match="保護管理者"):
        services.decide(actor=Actor.console(head), request_id=req.pk, approve=True)
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    assert services.decide(actor=Actor.console(head), request_id=req.pk, approve=True).status == "approved"


def test_any_order_needs_one_step(t97, make_user):
    clerk, head = make_user("clerk", "clerk"), make_user("head", "head")
    req = services.create_request(actor=Actor.console(clerk), operation="export")
    assert services.decide(actor=Actor.console(head), request_id=req.pk, approve=True).status == "approved"


def test_same_person_may_approve_two_steps_when_the_profile_allows(t97, make_user):
    clerk, both = make_user("clerk", "clerk"), make_user("kenmu", "pm", "sysadmin")
    req = services.create_request(actor=Actor.console(clerk), operation="terminal_carry_out")
    services.decide(actor=Actor.console(both), request_id=req.pk, approve=True)
    assert services.decide(actor=Actor.console(both), request_id=req.pk, approve=True).status == "approved"


def test_an_approval_is_used_only_by_its_requester(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="申請者本人"):
        services.require_approval(operation="media_carry_out", actor=Actor.console(o["operator2"]), approval_id=req.pk)


def test_an_approval_for_another_operation_is_refused(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="document_copy")
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="承認ではありません"):
        services.require_approval(operation="media_carry_out", actor=Actor.console(o["operator"]), approval_id=req.pk)


def test_an_operation_the_profile_does_not_control_needs_no_approval(officers000):
    assert services.require_approval(operation="terminal_carry_out", actor=Actor.console(officers000["operator"]),
                                     approval_id=None) is None


def test_l1_room_entry_is_only_for_operators_and_only_from_the_system_administrator(officers000):
    o = officers000
    with pytest.raises(Refused, match="システム操作者 にのみ"):
        services.create_request(actor=Actor.console(o["chief"]), operation="room_entry_l1", subject=o["id_manager"])
    req = services.create_request(actor=Actor.console(o["id_manager"]), operation="room_entry_l1", subject=o["operator"])
    with pytest.raises(Refused):
        services.decide(actor=Actor.console(o["chief"]), request_id=req.pk, approve=True)
    assert services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True).status == "approved"


def test_subcontracting_is_refused_outright_where_prohibited(officers000):
    with pytest.raises(Refused, match="再委託は禁止"):
        services.check_subcontracting(actor=Actor.console(officers000["sys_admin"]))
    with pytest.raises(Refused, match="再委託は禁止"):
        services.create_request(actor=Actor.console(officers000["sys_admin"]), operation="subcontracting")


def test_subcontracting_needs_the_managers_decision_where_allowed(t97, make_user):
    clerk, pm = make_user("clerk", "clerk"), make_user("pm", "pm")
    with pytest.raises(Refused, match="保護管理者 の承認がありません"):
        services.check_subcontracting(actor=Actor.console(clerk), vendor_id=3)
    req = services.create_request(actor=Actor.console(clerk), operation="subcontracting", particulars={"vendor_id": 3})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    used = services.check_subcontracting(actor=Actor.console(clerk), approval_id=req.pk, vendor_id=3)
    assert used is not None and used.status == "used"


def test_every_step_is_logged(officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    services.consume_approval(request_id=req.pk, operation="media_carry_out", actor=Actor.console(o["operator"]))
    actions = list(Entry.objects.filter(target_type="approval", target_id=str(req.pk), result="ok")
                   .values_list("action", flat=True))
    assert actions == ["approvals.request", "approvals.approve", "approvals.approve", "approvals.use"]
