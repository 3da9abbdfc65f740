"""The ledger pages: filters, manual entry, printable pages and Excel exports in the form's layout."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.ledgers.models import HandlingRecord, RegisterEntry


@pytest.fixture
def as_clerk(client, clerk):
    client.force_login(clerk)
    return client


def test_a_reveal_made_anywhere_shows_on_the_page_with_its_purpose(org, as_clerk, clerk):
    record(action="vault.reveal", actor=clerk, purpose="payroll", target_type="person", target_id=5)
    page = as_clerk.get(reverse("ledgers:handling")).content.decode()
    assert "個人番号の表示" in page and org.tasks["payroll"].ja in page


def test_a_clerk_records_a_paper_step_from_the_form(org, as_clerk):
    response = as_clerk.post(reverse("ledgers:handling_new"), {
        "stage": "submission", "occurred_on": "令和7年5月1日", "purpose": "payroll", "count": "3",
        "recipient": "地方公務員共済組合連合会", "method": "封緘の上、簡易書留で郵送", "note": "",
    })
    assert response.status_code == 302
    row = HandlingRecord.objects.get()
    assert row.recipient == "地方公務員共済組合連合会" and row.count == 3 and row.source == "manual"
    page = as_clerk.get(reverse("ledgers:handling") + "?nendo=2025").content.decode()
    assert "地方公務員共済組合連合会" in page and "令和7年5月1日" in page


def test_a_bad_date_is_refused_with_a_japanese_message_and_nothing_changes(org, as_clerk):
    response = as_clerk.post(reverse("ledgers:handling_new"), {"stage": "disposal", "occurred_on": "令和7年2月30日",
                                                               "count": "1"})
    assert response.status_code == 200 and "存在しない日付です" in response.content.decode()
    assert HandlingRecord.objects.count() == 0


def test_someone_without_a_ledger_role_is_refused_and_it_is_logged(org, client, make_user):
    nobody = make_user("nobody")
    client.force_login(nobody)
    assert client.get(reverse("ledgers:handling")).status_code == 403
    assert Entry.objects.filter(action="ledgers.view", result="refused").exists()


def test_the_handling_export_opens_with_the_forms_headers(org, as_clerk, clerk):
    record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=5)
    response = as_clerk.get(reverse("ledgers:handling_export") + "?nendo=")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0].startswith("収集及び特定個人情報ファイル")
    use = wb.worksheets[1]
    assert use["A1"].value == "特定個人情報等の運用状況記録票"
    assert [c.value for c in use[4]] == ["No.", "年月日", "内容", "利用目的", "件数", "提出先", "担当者", "備考"]
    assert use["C5"].value == "閲覧" and use["B5"].is_date and "ggge" in use["B5"].number_format  # a 和暦 date
    assert use["A5"].value == int(use["A5"].value) and use["E5"].value == 1  # numbers, not text


def test_the_printable_page_shows_every_category_of_the_form(org, as_clerk):
    page = as_clerk.get(reverse("ledgers:handling_print")).content.decode()
    for category in org.handling_status.categories.values():
        assert category.ja in page
    assert "data-print" in page and "js/app.js" in page  # the print button (CSP: no inline handler)


def test_a_record_book_entry_is_added_corrected_and_exported(org, client, sysadmin):
    client.force_login(sysadmin)
    fields = org.registers["room_entry"].fields
    data = {f"f{i}": "" for i in range(len(fields))}
    data.update({"f0": "令和8年4月1日 9:00", "f2": "保守 一郎", "f3": "株式会社保守", "f4": "定期保守"})
    assert client.post(reverse("ledgers:register_new", args=["room_entry"]), data).status_code == 302
    first = RegisterEntry.objects.get()
    data.update({"f4": "障害対応", "reason": "目的の誤記"})
    assert client.post(reverse("ledgers:register_correct", args=["room_entry", first.pk]), data).status_code == 302
    assert RegisterEntry.objects.count() == 2
    page = client.get(reverse("ledgers:register", args=["room_entry"])).content.decode()
    assert "障害対応" in page and "定期保守" not in page
    wb = load_workbook(io.BytesIO(client.get(reverse("ledgers:register_export", args=["room_entry"])).content))
    ws = wb.active
    assert [c.value for c in ws[4]] == ["No.", *fields, "記入者", "記入日", "版"]
    assert ws["F5"].value == "障害対応" and ws.max_row == 5


def test_only_the_owning_role_writes_a_record_book(org, as_clerk):
    response = as_clerk.get(reverse("ledgers:register_new", args=["room_entry"]))
    assert response.status_code == 403


def test_an_unknown_record_book_is_not_found(org, client, sysadmin):
    client.force_login(sysadmin)
    assert client.get(reverse("ledgers:register", args=["nothing"])).status_code == 404


def test_the_file_register_page_and_export(org, client, manager, make_user):
    from tokutei.staff.models import Unit
    from tokutei.vault.models import SpecificFile

    unit = Unit.objects.create(key="somu", name_ja="総務課")
    f = SpecificFile.objects.create(name="源泉徴収票ファイル", unit=unit, tasks=["payroll"], responsible=manager)
    make_user("clerk", "clerk", tasks=["payroll"], unit=unit)
    client.force_login(manager)
    page = client.get(reverse("ledgers:file_register")).content.decode()
    assert "源泉徴収票ファイル" in page and "clerk 太郎" in page and "未確認" in page
    assert client.post(reverse("ledgers:file_sign_off", args=[f.pk]), {"note": ""}).status_code == 302
    page = client.get(reverse("ledgers:file_register")).content.decode()
    assert "差異あり" not in page
    wb = load_workbook(io.BytesIO(client.get(reverse("ledgers:file_register_export")).content))
    ws = wb.active
    assert [c.value for c in ws[4]] == ["No.", *org.file_register.fields, "台帳の確認", "差異"]
    assert "clerk 太郎" in ws["F5"].value and ws["H5"].value == "なし"


def test_the_dashboard_shows_the_ledger_cards(org, client, manager):
    client.force_login(manager)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "特定個人情報等の運用状況記録票" in page and "特定個人情報ファイル管理台帳" in page


def test_the_api_lists_records_with_purpose_and_takes_a_paper_entry(org, as_clerk, clerk):
    record(action="vault.reveal", actor=clerk, purpose="payroll", target_type="person", target_id=5)
    response = as_clerk.post("/api/v1/ledgers/handling", {
        "stage": "disposal", "occurred_on": "2025-06-01", "count": 2, "method": "シュレッダー細断",
    }, content_type="application/json")
    assert response.status_code == 201 and response.json()["category"] == "disposal"
    rows = as_clerk.get("/api/v1/ledgers/handling").json()
    assert [(r["action"], r["purpose"]) for r in rows] == [("ledgers.manual_entry", ""), ("vault.reveal", "payroll")]


def test_the_api_refuses_a_paper_entry_from_a_non_recorder_with_the_article(org, client, auditor):
    client.force_login(auditor)
    response = client.post("/api/v1/ledgers/handling", {"stage": "disposal", "occurred_on": "2025-06-01"},
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["article"] == "T97 §9"


def test_a_register_kept_by_another_app_is_linked_not_duplicated(org, client, sysadmin, settings):
    from tokutei.ledgers.external import EXTERNAL, external_url

    EXTERNAL["room_entry"] = ("ledgers:handling",)  # stands in for another app's page
    try:
        client.force_login(sysadmin)
        page = client.get(reverse("ledgers:register", args=["room_entry"])).content.decode()
        assert external_url("room_entry") == reverse("ledgers:handling")
        assert "専用の管理画面で記録しています" in page
        assert reverse("ledgers:register_new", args=["room_entry"]) not in page
    finally:
        del EXTERNAL["room_entry"]


def test_a_carry_out_takes_its_counterparty_from_the_approvals_record(org, clerk):
    from tokutei.ledgers import services

    carry_out_model = pytest.importorskip("tokutei.registers.models").CarryOut
    co = carry_out_model.objects.create(counterparty="地方公務員共済組合連合会", media_type="CD-R", quantity=1,
                                        record_count=20, requested_by=clerk)
    record(action="media.carry_out", actor=clerk, target_type="carry_out", target_id=co.pk, count=20,
           details={"stage": "planned"})
    record(action="media.carry_out", actor=clerk, target_type="carry_out", target_id=co.pk, count=20,
           details={"stage": "carried_out"})
    services.sync_from_log()
    [row] = HandlingRecord.objects.all()
    assert row.stage == "carry_out" and row.recipient == "地方公務員共済組合連合会" and row.item == "CD-R 1"
