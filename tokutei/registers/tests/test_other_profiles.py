"""Carry-outs and exports under the other organisations' rules: 002 (保護管理者の指示), 003 (目的と保護措置)."""

from __future__ import annotations

import pytest

from tokutei.approvals import services
from tokutei.approvals.tests.conftest import a_unit
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import CarryOut, TemporaryCopy
from tokutei.registers.services import exports, media
from tokutei.registers.services.exports import Rows


def _carry(actor, protections, purpose_key=""):
    return media.create_carry_out(actor=Actor.console(actor), counterparty="年金事務所", media_type="書類", quantity=1,
                                  record_count=2, protections=protections, purpose_key=purpose_key)


def test_002_carry_out_needs_a_protection_measure_and_the_managers_instruction(activate, make_user):
    activate("sayama")
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"], unit=a_unit()), make_user("kacho", "pm", unit=a_unit())
    with pytest.raises(Refused, match="保護措置"):
        _carry(staff, [])
    co = _carry(staff, ["number_masking", "trackable_transport"])
    with pytest.raises(Refused) as exc:
        media.carry_out(actor=Actor.console(staff), carry_out_id=co.pk)
    assert "保護管理者 の承認がありません" in exc.value.message and exc.value.article.startswith("002 §11(3)")
    req = media.request_carry_out_approval(actor=Actor.console(staff), carry_out_id=co.pk)
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    assert media.carry_out(actor=Actor.console(staff), carry_out_id=co.pk, approval_id=req.pk).status == CarryOut.Status.OUT


def test_003_carry_out_only_for_the_listed_purposes_with_protection_and_no_approver(activate, make_user):
    activate("inabe")
    handler = make_user("tanto", "handler", tasks=["health_insurance"])
    with pytest.raises(Refused, match="目的に限られます"):
        _carry(handler, ["password"], purpose_key="")
    with pytest.raises(Refused, match="保護措置"):
        _carry(handler, [], purpose_key="statutory_returns")
    co = _carry(handler, ["password"], purpose_key="statutory_returns")
    assert media.carry_out(actor=Actor.console(handler), carry_out_id=co.pk).status == CarryOut.Status.OUT


def _fake_rows(**_kwargs):
    return Rows(True, ["name"], [(1, 7, {"name": "試験 太郎"}), (2, 7, {"name": "試験 花子"})])


def test_002_an_export_is_a_copy_that_needs_the_managers_instruction(activate, make_user, export_dir):
    activate("sayama")
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"], unit=a_unit()), make_user("kacho", "pm", unit=a_unit())
    with pytest.raises(Refused, match="保護管理者 の承認がありません"):
        exports.export_people(actor=Actor.console(staff, purpose="local_tax"), recipient="税務課",
                              source=_fake_rows)
    req = services.create_request(actor=Actor.console(staff), operation="copy", particulars={"purpose": "local_tax"})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    copy, passphrase = exports.export_people(actor=Actor.console(staff, purpose="local_tax"), recipient="税務課",
                                             approval_id=req.pk, source=_fake_rows)
    blob = exports.copy_path(copy).read_bytes()
    assert "試験".encode() not in blob
    assert "試験 花子" in exports.decrypt_export(blob, passphrase).decode("utf-8-sig")
    with pytest.raises(Refused, match="既に使用"):
        exports.export_people(actor=Actor.console(staff, purpose="local_tax"), recipient="税務課",
                              approval_id=req.pk, source=_fake_rows)
    assert TemporaryCopy.objects.count() == 1


def test_an_export_approval_for_another_purpose_is_refused(activate, make_user, export_dir):
    activate("sayama")
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"], unit=a_unit()), make_user("kacho", "pm", unit=a_unit())
    req = services.create_request(actor=Actor.console(staff), operation="copy", particulars={"purpose": "child_allowance"})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="目的"):
        exports.export_people(actor=Actor.console(staff, purpose="local_tax"), recipient="税務課",
                              approval_id=req.pk, source=_fake_rows)


def test_an_exported_text_cell_cannot_run_as_a_spreadsheet_formula(activate, make_user, export_dir):
    activate("sayama")
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"], unit=a_unit()), make_user("kacho", "pm", unit=a_unit())
    req = services.create_request(actor=Actor.console(staff), operation="copy", particulars={"purpose": "local_tax"})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    copy, passphrase = exports.export_people(
        actor=Actor.console(staff, purpose="local_tax"), recipient="税務課", approval_id=req.pk,
        source=lambda **_: Rows(True, ["name"], [(1, 1, {"name": '=HYPERLINK("http://x")'})]))
    text = exports.decrypt_export(exports.copy_path(copy).read_bytes(), passphrase).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("\"'=HYPERLINK")


def test_a_processing_copy_is_tracked_and_purged_when_processing_ends(t97, make_user, export_dir,
                                                                      django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from tokutei.registers.services.exports import purge_copies, track_processing_copy

    clerk, pm = make_user("clerk", "clerk", tasks=["payroll"]), make_user("pm", "pm")
    head = make_user("head", "head")
    export_dir.mkdir(parents=True, exist_ok=True)
    path = export_dir / "work-1.bin"
    path.write_bytes(b"\x00encrypted")
    with pytest.raises(Refused, match="承認がありません"):
        track_processing_copy(actor=Actor.console(clerk, purpose="payroll"), path=path, ttl=dt.timedelta(hours=2))
    req = services.create_request(actor=Actor.console(clerk), operation="copy")
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    services.decide(actor=Actor.console(head), request_id=req.pk, approve=True)
    copy = track_processing_copy(actor=Actor.console(clerk, purpose="payroll"), path=path,
                                 ttl=dt.timedelta(hours=2), approval_id=req.pk)
    assert purge_copies() == []
    with django_capture_on_commit_callbacks(execute=True):  # the file is shredded once the deletion commits
        assert purge_copies(now=timezone.now() + dt.timedelta(hours=3)) == [copy.pk]
    assert not path.exists()
