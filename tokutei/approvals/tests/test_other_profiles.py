"""The same engine under the other organisations' rules: 001/004 再委託, 002 端末の持出し."""

from __future__ import annotations

import pytest

from tokutei.approvals import services
from tokutei.approvals.tests.conftest import a_unit
from tokutei.core.errors import Refused
from tokutei.policy import Actor


@pytest.mark.parametrize(("name", "approver"), [("kokubunji", "sec_officer"), ("hyogo-kyosai", "protection_officer")])
def test_subcontracting_needs_prior_approval_where_not_prohibited(activate, make_user, name, approver):
    activate(name)
    applicant, boss = make_user("tanto", "operator" if name == "kokubunji" else "handler"), make_user("boss", approver)
    with pytest.raises(Refused, match="承認がありません"):
        services.check_subcontracting(actor=Actor.console(applicant), vendor_id=5)
    req = services.create_request(actor=Actor.console(applicant), operation="subcontracting", particulars={"vendor_id": 5})
    services.decide(actor=Actor.console(boss), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="委託先が承認と異なります"):
        services.check_subcontracting(actor=Actor.console(applicant), approval_id=req.pk, vendor_id=6)
    used = services.check_subcontracting(actor=Actor.console(applicant), approval_id=req.pk, vendor_id=5)
    assert used is not None and used.status == "used"


def test_002_a_terminal_is_taken_out_only_with_the_managers_approval_for_that_terminal(activate, make_user):
    activate("sayama")
    staff, pm = make_user("staff1", "staff", unit=a_unit()), make_user("kacho", "pm", unit=a_unit())
    with pytest.raises(Refused, match="保護管理者 の承認がありません"):
        services.check_terminal_movement(actor=Actor.console(staff), terminal_id=4, direction="out")
    req = services.create_request(actor=Actor.console(staff), operation="terminal_carry_out", particulars={"terminal_id": 4})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="端末が承認と異なります"):
        services.check_terminal_movement(actor=Actor.console(staff), terminal_id=5, direction="out", approval_id=req.pk)
    used = services.check_terminal_movement(actor=Actor.console(staff), terminal_id=4, direction="out", approval_id=req.pk)
    assert used is not None and used.status == "used"
