"""The worklist page (screen, A4 print, Excel), the dashboard alert, the disposal list pages."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.policy import Actor
from tokutei.retention.models import DisposalList
from tokutei.retention.services import check_list, confirm_list, draft_list, execute_list

D = dt.date
LOST = D(2015, 7, 1)


def test_the_managers_dashboard_alerts_on_overdue_records_and_links_the_worklist(client, manager, pension_file,
                                                                                  person_in):
    person_in(pension_file, 1, lost=LOST)  # due 2026-04-01, overdue since the day after
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "廃棄期限を過ぎた記録が 1 件あります" in page and "/retention/" in page
    worklist = client.get("/retention/").content.decode()
    assert "廃棄期限超過" in worklist and "年金受給者ファイル" in worklist and "令和8年4月1日" in worklist


def test_the_worklist_filters_by_date_and_prints_and_exports(client, manager, pension_file, person_in):
    person_in(pension_file, 1, lost=LOST)
    client.force_login(manager)
    assert "該当する記録はありません" in client.get("/retention/?on=令和8年3月31日").content.decode()
    printed = client.get("/retention/print/?on=2026-04-01").content.decode()
    assert "廃棄予定一覧" in printed and "data-print" in printed
    response = client.get("/retention/export/?on=2026-04-01")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "廃棄可能" in cells and "令和8年4月1日" in cells
    assert Entry.objects.filter(action="retention.export").exists()


def test_a_clerk_drafts_from_the_page_and_another_checks_it(client, clerk, clerk2, pension_file, person_in, clock):
    person = person_in(pension_file, 1, lost=LOST)
    clock(D(2026, 4, 1))
    client.force_login(clerk)
    response = client.post("/retention/disposals/new/", {"ref": f"person:{person.pk}"})
    disposal = DisposalList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/retention/disposals/{disposal.pk}/"
    refused = client.post(f"/retention/disposals/{disposal.pk}/check/")
    assert refused.status_code == 403 and "作成した本人は確認できません" in refused.content.decode()
    assert "取扱規程第14条第6号" in refused.content.decode()
    client.force_login(clerk2)
    client.post(f"/retention/disposals/{disposal.pk}/check/", {"note": "目視確認"})
    disposal.refresh_from_db()
    assert disposal.status == "checked" and disposal.checked_by == clerk2


def test_the_certificate_lists_items_by_id_and_digest_never_by_number(client, clerk, clerk2, manager, terminal,
                                                                     pension_file, person_in, clock):
    from tokutei.retention.tests.conftest import number

    person = person_in(pension_file, 7, lost=LOST)
    clock(D(2026, 4, 1))
    d = draft_list(actor=Actor(user=clerk, terminal=terminal), refs=[("person", str(person.pk))])
    check_list(actor=Actor(user=clerk2, terminal=terminal), disposal_id=d.pk)
    confirm_list(actor=Actor(user=manager, terminal=terminal), disposal_id=d.pk)
    execute_list(actor=Actor(user=clerk, terminal=terminal), disposal_id=d.pk, method="deletion")
    client.force_login(manager)
    page = client.get(f"/retention/disposals/{d.pk}/certificate/").content.decode()
    item = d.items.get()
    assert "廃棄証明書・削除記録" in page and f"#{person.pk}" in page and item.digest in page
    assert number(7) not in page and "山田" not in page
    assert client.get(f"/retention/disposals/{d.pk}/").status_code == 200
    assert client.get("/retention/disposals/").status_code == 200


def test_payment_calendar_and_holds_pages(client, manager, pension_file):
    client.force_login(manager)
    client.post("/retention/payments/", {"date": "令和8年12月15日", "label": "年金給付"})
    assert "令和8年12月15日" in client.get("/retention/payments/").content.decode()
    bad = client.post("/retention/payments/", {"date": "令和8年13月1日"}).content.decode()
    assert "存在しない日付です" in bad or "日付" in bad
    client.post("/retention/holds/", {"record_class": "person", "file_id": pension_file.pk, "kind": "audit",
                                      "reason": "定期監査"})
    assert "定期監査" in client.get("/retention/holds/").content.decode()


def test_002_a_document_becomes_disposable_once_recorded_as_no_longer_needed(client, activate, make_user):
    from tokutei.registers.models import Document
    from tokutei.retention.selectors import find_item

    profile = activate("sayama")  # 002 §14: disposed of when no longer needed
    pm = make_user("kacho", "pm")
    doc = Document.objects.create(title="設計書", kind=Document.Kind.DESIGN, storage_place="書庫", created_by=pm)
    before = find_item(profile, "document", str(doc.pk))
    assert before is not None and before.status == "undetermined"  # never "at once"
    client.force_login(pm)
    page = client.get(f"/retention/explain/document/{doc.pk}/").content.decode()
    assert "不要との判断が記録されていません" in page and "管理規程第14条" in page
    client.post(f"/retention/explain/document/{doc.pk}/", {"event": "no_longer_needed", "date": "令和8年12月1日"})
    item = find_item(profile, "document", str(doc.pk))
    assert item is not None and item.schedule.due == D(2026, 12, 1) and item.schedule.disposable_on(D(2026, 12, 1))
    assert Entry.objects.filter(action="retention.event", target_id=str(doc.pk)).exists()


def test_the_api_gives_the_worklist_and_the_count(client, manager, clerk, pension_file, person_in):
    person = person_in(pension_file, 1, lost=LOST)
    client.force_login(manager)
    rows = client.get("/api/v1/retention/due?on=2026-04-01").json()
    assert [(r["record_class"], r["due"], r["status"]) for r in rows] == [("person", "2026-04-01", "due")]
    explained = client.get(f"/api/v1/retention/explain/person/{person.pk}").json()
    assert explained["due"] == "2026-04-01" and any("翌事業年度" in s for s in explained["steps"])
