"""Approvals by kind (issue 18 item 4): each kind its own form with pickers, required fields per kind, the
approver sees the scope and the reason, the course of the request and a printable 決裁票."""

from __future__ import annotations

import re

import pytest

from tokutei.approvals.models import ApprovalRequest


@pytest.fixture
def a_file(org000):
    from tokutei.vault.models import SpecificFile

    return SpecificFile.objects.create(name="生存確認ファイル", unit=None, tasks=["p1"])


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_it_asks_first_for_the_kind_of_operation_by_its_name(client, officers000):
    client.force_login(officers000["operator"])
    page = _html(client.get("/approvals/new/"))
    assert "大量の本人確認情報の取扱い（事前承認）" in page and 'href="?operation=bulk_handling"' in page
    assert "<input" not in page.split("<main", 1)[1].split("</main>")[0].replace('type="hidden"', "")


def test_the_bulk_form_picks_the_file_and_the_task_and_has_no_id_box(client, officers000, a_file):
    client.force_login(officers000["operator"])
    page = _html(client.get("/approvals/new/?operation=bulk_handling"))
    assert re.search(r'<select name="file"[^>]*>.*生存確認ファイル', page, re.S)
    assert re.search(r'<select name="purpose"[^>]*required', page)
    assert "_id" not in " ".join(re.findall(r'name="([^"]+)"', page))  # no typed record number anywhere
    assert 'class="required"' in page  # required fields are marked


def test_it_refuses_a_bulk_request_without_its_task_and_limit_and_names_every_missing_field(client, officers000):
    client.force_login(officers000["operator"])
    page = _html(client.post("/approvals/new/", {"operation": "bulk_handling", "note": ""}))
    assert page.count("このフィールドは必須です") == 3  # purpose, count limit and reason, all at once
    assert not ApprovalRequest.objects.exists()


def test_the_approver_sees_the_file_task_and_reason_in_words(client, officers000, a_file):
    client.force_login(officers000["operator"])
    response = client.post("/approvals/new/", {"operation": "bulk_handling", "purpose": "p1", "count_limit": "500",
                                               "file": str(a_file.pk), "note": "年次の生存確認のため"})
    req = ApprovalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/approvals/{req.pk}/"
    assert req.particulars == {"purpose": "p1", "count_limit": 500, "file_id": a_file.pk, "note": "年次の生存確認のため"}
    client.force_login(officers000["id_manager"])
    queue = _html(client.get("/approvals/"))
    assert "年次の生存確認のため" in queue and "生存確認ファイル" in queue
    detail = _html(client.get(f"/approvals/{req.pk}/"))
    assert "給付の請求をすると見込まれる者の生存の事実" in detail and "（p1）" not in detail
    assert "<dt>申請理由</dt><dd>年次の生存確認のため</dd>" in detail
    assert "<dt>件数の上限</dt><dd>500</dd>" in detail


def test_the_course_of_a_request_and_its_decision_sheet_show_each_decision(client, officers000):
    from tokutei.approvals import services
    from tokutei.policy import Actor

    req = services.create_request(actor=Actor.console(officers000["operator"]), operation="media_carry_out",
                                  particulars={"note": "監査法人への提出"})
    services.decide(actor=Actor.console(officers000["sys_admin"]), request_id=req.pk, approve=True,
                    comment="確認しました")
    client.force_login(officers000["operator"])
    detail = _html(client.get(f"/approvals/{req.pk}/"))
    history = detail.split('id="history-h"', 1)[1]
    assert history.index("申請") < history.index("承認") and "確認しました" in history
    sheet = _html(client.get(f"/approvals/{req.pk}/print/"))
    assert "決裁票" in sheet and "本人確認情報管理責任者" in sheet and "住基ネットシステム管理者" in sheet
    assert "監査法人への提出" in sheet and "somu_kakaricho 太郎" in sheet
    assert "<style" not in sheet and "onclick" not in sheet  # the CSP allows neither


def test_a_carry_out_request_offers_only_the_requesters_own_planned_carry_outs(client, officers000):
    from tokutei.registers.models import CarryOut

    mine = CarryOut.objects.create(counterparty="県庁", media_type="光ディスク", quantity=1, record_count=20,
                                   requested_by=officers000["operator"])
    CarryOut.objects.create(counterparty="他課", media_type="USB", quantity=1, record_count=5,
                            requested_by=officers000["operator2"])
    client.force_login(officers000["operator"])
    page = _html(client.get("/approvals/new/?operation=media_carry_out"))
    assert "県庁 へ" in page and "他課" not in page
    client.post("/approvals/new/", {"operation": "media_carry_out", "carry_out": str(mine.pk), "note": "提出"})
    assert ApprovalRequest.objects.get().particulars["carry_out_id"] == mine.pk


def test_a_room_entry_request_needs_the_person_it_is_for(client, officers000, org000):
    rooms = [k for k in org000.approvals if k.startswith("room_entry_")]
    if not rooms:
        pytest.skip("this profile has no room-entry approval")
    client.force_login(officers000["site_admin"])
    page = _html(client.post("/approvals/new/", {"operation": rooms[0], "note": "保守作業"}))
    assert "許可の対象者" in page and "このフィールドは必須です" in page
    assert not ApprovalRequest.objects.exists()
