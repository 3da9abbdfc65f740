"""The pages a 保護管理者 and a vendor's owner use: the register, the 別紙3 sheet graded and decided on the web,
printed A4 and exported to Excel, the contract checklist, the dashboard alerts, the JSON API, and the demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.vendors.models import Contract, Evaluation, Vendor

from .conftest import active_contract, qualified_vendor, web

TODAY = timezone.localdate()


def test_004_a_sheet_is_graded_decided_printed_and_exported_on_the_web(people, client):
    _profile, manager, _owner, _ = people("hyogo-kyosai")
    client.force_login(manager)
    assert "委託先・委託契約" in client.get("/").content.decode()  # the menu
    client.post("/vendors/new/", {"name": "クラウド基盤株式会社", "department": "官公庁部", "responsible_person": "佐藤"})
    vendor = Vendor.objects.get()
    client.post(f"/vendors/{vendor.pk}/evaluations/new/", {"pattern": "II", "kind": "new",
                                                           "created_on": TODAY.isoformat(), "method": "on_site",
                                                           "work": "サーバの運用", "entrusted": "年金記録"})
    ev = Evaluation.objects.get()
    assert ev.items.count() == 20  # pattern II: items 1–20
    grades = {f"grade_{n}": "A" for n in range(1, 21)} | {"grade_17": "B"}
    client.post(f"/vendors/evaluations/{ev.pk}/grade/", {**grades, "finalise": "1"})
    ev.refresh_from_db()
    assert ev.finalised_at is None  # B without 改善措置等: refused
    assert Entry.objects.filter(action="vendors.evaluate", result="refused", article=ev.article).exists()
    client.post(f"/vendors/evaluations/{ev.pk}/grade/", {**grades, "improvement_17": "冗長化を計画", "finalise": "1"})
    ev.refresh_from_db()
    assert ev.verdict == "conditional"
    page = client.get(f"/vendors/evaluations/{ev.pk}/print/").content.decode()
    for text in ("特定個人情報等取扱業務委託先評価シート", "1 最終判定", "2 基本情報", "(2) 委託先名称",
                 "クラウド基盤株式会社", "3 評価項目", "秘密保持契約を締結できるか", "冗長化を計画", "☑ 新規"):
        assert text in page, text
    response = client.get(f"/vendors/evaluations/{ev.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "特定個人情報等取扱業務委託先評価シート" in cells and "冗長化を計画" in cells and "クラウド基盤株式会社" in cells
    assert Entry.objects.filter(action="vendors.export", target_id=str(ev.pk)).exists()
    item = ev.items.get(no="17")
    client.post(f"/vendors/evaluations/items/{item.pk}/close/", {"note": "冗長構成を確認した"})
    item.refresh_from_db()
    assert item.closed_at is not None


def test_002_the_contract_page_confirms_clauses_and_refuses_activation_until_all_are(people, client):
    profile, manager, owner, _ = people("sayama")
    vendor = qualified_vendor(profile, manager, owner)
    client.force_login(manager)
    client.post(f"/vendors/{vendor.pk}/contracts/new/", {
        "title": "税システム保守", "work": "保守", "entrusted": "課税台帳", "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=90)).isoformat()})
    contract = Contract.objects.get()
    page = client.get(f"/vendors/contracts/{contract.pk}/").content.decode()
    assert "市が必要と認める場合の委託先に対する実地調査" in page and "書面による確認" in page
    client.post(f"/vendors/contracts/{contract.pk}/clauses/", {"index": 0, "location": "第3条"})
    response = client.post(f"/vendors/contracts/{contract.pk}/activate/")
    assert response.status_code == 403 and "管理規程第38条第1項" in response.content.decode()
    assert Contract.objects.get().status == "draft"


def test_the_dashboard_warns_of_a_re_evaluation_due_a_contract_ending_and_a_missing_certificate(people, client):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = services_vendor = qualified_vendor(profile, manager, owner)
    Evaluation.objects.filter(vendor=vendor).update(created_on=TODAY - dt.timedelta(days=350))
    active_contract(manager, services_vendor, ends_in_days=20)
    ended = active_contract(manager, qualified_vendor(profile, manager, owner, name="終了商事"))
    from tokutei.vendors import services

    services.end_contract(actor=web(manager), contract_id=ended.pk)
    client.force_login(manager)
    home = client.get("/").content.decode()
    assert "再評価の期限が近づいています" in home
    assert "契約期間の終了が近づいています" in home
    assert "返還・消去の証明書がまだ登録されていません" in home
    client.force_login(owner)  # the owner of the vendors sees them too
    assert "再評価の期限が近づいています" in client.get("/").content.decode()


def test_a_staff_member_who_owns_no_vendor_sees_none(people, make_user, client):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = qualified_vendor(profile, manager, owner)
    other = make_user("betsu", "handler", tasks=list(profile.selectable_tasks())[:1])
    client.force_login(other)
    assert client.get(f"/vendors/{vendor.pk}/").status_code == 404
    assert "委託先・委託契約" not in client.get("/").content.decode()


def test_the_api_lists_vendors_and_decides_a_sheet(people, client):
    profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = services_vendor = qualified_vendor(profile, manager, owner)
    client.force_login(manager)
    data = client.get("/api/v1/vendors/").json()
    assert data[0]["name"] == vendor.name and data[0]["verdict"] == "adopted" and data[0]["blockers"] == []
    from tokutei.vendors import services

    ev = services.create_evaluation(actor=web(manager), vendor_id=services_vendor.pk, pattern="IV")
    r = client.post(f"/api/v1/vendors/evaluations/{ev.pk}/grades", {"grades": {"1": "A", "2": "C"}},
                    content_type="application/json")
    assert r.status_code == 200 and "未判定" in r.json()["problems"][0]
    r = client.post(f"/api/v1/vendors/evaluations/{ev.pk}/finalise", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "ungraded" and r.json()["article"] == ev.article
    client.post(f"/api/v1/vendors/evaluations/{ev.pk}/grades", {"grades": {"3": "A", "5": "A", "6": "A"}},
                content_type="application/json")
    r = client.post(f"/api/v1/vendors/evaluations/{ev.pk}/finalise", {}, content_type="application/json")
    assert r.json()["verdict"] == "rejected"


@pytest.mark.parametrize("name", ["hyogo-kyosai", "sendai-kyosai", "kokubunji", "sayama", "inabe"])
def test_the_demo_shows_a_vendor_with_its_contract(activate, name):
    from tokutei.staff import demo as staff_demo
    from tokutei.staff.models import RoleAssignment, User
    from tokutei.vendors import demo

    profile = activate(name)
    admin = User.objects.create_user(username="admin", password="x" * 16)
    for key in profile.admin_roles():
        RoleAssignment.objects.create(user=admin, role_key=key, basis="bootstrap", start_date="2020-04-01")
    staff_demo.load()
    lines = demo.load()
    assert any(line.startswith("委託契約:") for line in lines), lines
    contract = Contract.objects.get()
    assert contract.status == "active" and contract.confirmations.count() == len(contract.clauses)
    if profile.outsourcing.vendor_evaluation.enabled:
        assert Evaluation.objects.get().verdict == "conditional"
    assert not Entry.objects.filter(action__startswith="vendors.", result="refused").exists()
