"""大量の取扱い (000 §9.2, E-05): check_bulk, the contract the vault and bulk import call."""

from __future__ import annotations

import pytest

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor


@pytest.fixture
def purpose(org000):
    return next(iter(org000.selectable_tasks()))


def _approved(o, purpose, **particulars):
    req = services.create_request(actor=Actor.console(o["operator"]), operation="bulk_handling",
                                  particulars={"purpose": purpose, **particulars})
    return services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)


def test_at_or_below_the_threshold_no_approval_is_needed(officers000, purpose, org000):
    assert services.check_bulk(actor=Actor.console(officers000["operator"], purpose=purpose),
                               count=org000.bulk.threshold) is None


def test_above_the_threshold_it_is_refused_without_prior_approval_and_logged(officers000, purpose, org000):
    with pytest.raises(Refused) as exc:
        services.check_bulk(actor=Actor.console(officers000["operator"], purpose=purpose),
                            count=org000.bulk.threshold + 1, operation_label="一括検索", action="vault.search")
    assert "事前に 本人確認情報管理責任者 の承認が必要です" in exc.value.message
    assert exc.value.article == "000 §9.2"
    entry = Entry.objects.get(action="vault.search", result="refused")
    assert entry.details["count"] == org000.bulk.threshold + 1


def test_the_approval_must_name_the_purpose_and_cover_the_count(officers000, purpose, org000):
    o, n = officers000, org000.bulk.threshold + 50
    small = _approved(o, purpose, count_limit=n - 1)
    with pytest.raises(Refused, match="上限"):
        services.check_bulk(actor=Actor.console(o["operator"], purpose=purpose), count=n, approval_id=small.pk)
    other_task = next(k for k in org000.selectable_tasks() if k != purpose)
    wrong = _approved(o, other_task, count_limit=n)
    with pytest.raises(Refused, match="事務"):
        services.check_bulk(actor=Actor.console(o["operator"], purpose=purpose), count=n, approval_id=wrong.pk)
    other_file = _approved(o, purpose, count_limit=n, file_id=8)
    with pytest.raises(Refused, match="ファイル"):
        services.check_bulk(actor=Actor.console(o["operator"], purpose=purpose), count=n,
                            approval_id=other_file.pk, file_id=9)


def test_a_matching_approval_is_used_once(officers000, purpose, org000):
    o, n = officers000, org000.bulk.threshold + 1
    req = _approved(o, purpose, count_limit=n, file_id=9)
    used = services.check_bulk(actor=Actor.console(o["operator"], purpose=purpose), count=n, approval_id=req.pk,
                               file_id=9)
    assert used is not None and used.status == ApprovalRequest.Status.USED
    with pytest.raises(Refused, match="既に使用"):
        services.check_bulk(actor=Actor.console(o["operator"], purpose=purpose), count=n, approval_id=req.pk,
                            file_id=9)


def test_check_only_mode_leaves_the_approval_for_the_callers_transaction(officers000, purpose, org000):
    o, n = officers000, org000.bulk.threshold + 1
    req = _approved(o, purpose, count_limit=n)
    checked = services.check_bulk(actor=Actor.console(o["operator"], purpose=purpose), count=n, approval_id=req.pk,
                                  consume=False)
    assert checked is not None
    assert checked.pk == req.pk and ApprovalRequest.objects.get(pk=req.pk).status == "approved"


def test_no_bulk_rule_means_no_limit(t97, make_user):
    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    assert services.check_bulk(actor=Actor.console(clerk, purpose="payroll"), count=10**6) is None


def test_room_permission_is_in_force_for_its_subject_until_expiry(officers000):
    from tokutei.approvals import selectors

    o = officers000
    assert not selectors.has_room_permission(o["operator"], "room_entry_l1")
    req = services.create_request(actor=Actor.console(o["id_manager"]), operation="room_entry_l1", subject=o["operator"])
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    assert selectors.has_room_permission(o["operator"], "room_entry_l1")
    assert not selectors.has_room_permission(o["operator2"], "room_entry_l1")
