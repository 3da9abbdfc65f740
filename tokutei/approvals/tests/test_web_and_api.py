"""Pages and JSON API: the requester cannot approve their own request through either; the queue shows."""

from __future__ import annotations

import re

import pytest

from tokutei.approvals import media, services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry


@pytest.fixture
def pending(officers000):
    return services.create_request(actor=officers000["operator"], operation="media_carry_out")


def test_a_requester_cannot_approve_their_own_request_through_the_web(client, officers000, pending):
    client.force_login(officers000["operator"])
    page = client.get(f"/approvals/{pending.pk}/")
    assert page.status_code == 200 and "承認する" not in page.content.decode()
    response = client.post(f"/approvals/{pending.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "自分の申請を自分で承認・却下することはできません" in response.content.decode()
    assert pending.decisions.count() == 0
    assert Entry.objects.filter(action="approvals.approve", result="refused").exists()


def test_a_requester_cannot_approve_their_own_request_through_the_api(client, officers000):
    id_manager = officers000["id_manager"]
    client.force_login(id_manager)
    created = client.post("/api/v1/approvals/requests", {"operation": "media_carry_out", "particulars": {}},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    response = client.post(f"/api/v1/approvals/requests/{pk}/approve", {"comment": ""},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["article"] == "000 §11.3"
    assert ApprovalRequest.objects.get(pk=pk).decisions.count() == 0


def test_approvers_decide_through_the_api_and_the_status_shows_what_is_missing(client, officers000, pending):
    o = officers000
    client.force_login(o["sys_admin"])
    queue = client.get("/api/v1/approvals/requests?scope=queue").json()
    assert [r["id"] for r in queue] == [pending.pk]
    body = client.post(f"/api/v1/approvals/requests/{pending.pk}/approve", {"comment": "確認済み"},
                       content_type="application/json").json()
    assert body["status"] == "pending" and body["missing"] == ["本人確認情報管理責任者"]
    client.force_login(o["id_manager"])
    body = client.post(f"/api/v1/approvals/requests/{pending.pk}/approve", {},
                       content_type="application/json").json()
    assert body["status"] == "approved" and body["missing"] == []


def test_the_api_needs_a_signed_in_user(client, org000):
    assert client.get("/api/v1/approvals/requests").status_code == 401


def test_the_approver_sees_the_queue_on_the_dashboard_and_approves_on_the_web(client, officers000, pending):
    client.force_login(officers000["id_manager"])
    dashboard = client.get("/").content.decode()
    assert "承認待ち" in dashboard and f"#{pending.pk}" in dashboard
    client.post(f"/approvals/{pending.pk}/decide/", {"decision": "approve", "comment": ""})
    assert pending.decisions.get().approver == officers000["id_manager"]


def test_the_requester_status_page_lists_missing_approvals(client, officers000, pending):
    client.force_login(officers000["operator"])
    page = client.get("/approvals/").content.decode()
    assert "本人確認情報管理責任者、住基ネットシステム管理者" in page


def test_a_carry_out_page_refuses_without_both_approvals(client, officers000):
    o = officers000
    co = media.create_carry_out(actor=o["operator"], counterparty="相手方", media_type="紙", quantity=1,
                                record_count=3, protections=["strict_packaging"])
    client.force_login(o["operator"])
    client.post(f"/approvals/carry-outs/{co.pk}/", {"request_approval": "1"})
    req = ApprovalRequest.objects.get()
    services.decide(actor=o["id_manager"], request_id=req.pk, approve=True)
    shown = client.get(f"/approvals/carry-outs/{co.pk}/").content.decode()
    assert "未承認: 住基ネットシステム管理者" in shown and "承認を申請する" not in shown
    page = client.post(f"/approvals/carry-outs/{co.pk}/", {"carry_out": "1", "c-approval_id": req.pk},
                       follow=True).content.decode()
    assert "住基ネットシステム管理者 の承認がありません" in page
    services.decide(actor=o["sys_admin"], request_id=req.pk, approve=True)
    client.post(f"/approvals/carry-outs/{co.pk}/", {"carry_out": "1", "c-approval_id": req.pk})
    co.refresh_from_db()
    assert co.status == "out"


@pytest.mark.parametrize("url", ["/approvals/", "/approvals/new/", "/approvals/media/", "/approvals/carry-outs/",
                                 "/approvals/documents/", "/approvals/exports/"])
def test_pages_render(client, officers000, url):
    client.force_login(officers000["sys_admin"])
    assert client.get(url).status_code == 200


def test_detail_pages_render_with_records(client, officers000):
    o = officers000
    m = media.register_medium(actor=o["operator"], label="M-77", kind="usb", storage_place="保管庫")
    media.record_fault_check(actor=o["sys_admin"], medium_id=m.pk, has_fault=True, description="読取不良")
    co = media.create_carry_out(actor=o["operator"], counterparty="相手方", media_type="USB", quantity=1,
                                record_count=3, protections=["locked_container"], medium_id=m.pk)
    doc = media.register_document(actor=o["sys_admin"], title="設計書", kind="design", storage_place="書庫")
    client.force_login(o["sys_admin"])
    for url in (f"/approvals/media/{m.pk}/", f"/approvals/carry-outs/{co.pk}/", f"/approvals/documents/{doc.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "障害あり" in client.get(f"/approvals/media/{m.pk}/").content.decode()


def test_the_web_export_shows_the_passphrase_once_and_never_caches_it(client, activate, make_user, export_dir,
                                                                      monkeypatch):
    from tokutei.approvals import exports
    from tokutei.approvals.exports import Rows

    activate("sayama")
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"]), make_user("kacho", "pm")
    defaults = exports.export_people.__kwdefaults__
    assert defaults is not None
    monkeypatch.setattr(exports.export_people, "__kwdefaults__",
                        {**defaults,
                         "source": lambda **_: Rows(True, ["name"], [(1, 1, {"name": "試験 太郎"})])})
    req = services.create_request(actor=staff, operation="copy", particulars={"purpose": "local_tax"})
    services.decide(actor=pm, request_id=req.pk, approve=True)
    client.force_login(staff)
    response = client.post("/approvals/exports/", {"purpose": "local_tax", "recipient": "税務課",
                                                   "approval_id": req.pk})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    found = re.search(r"<code>([A-Z2-9-]{29})</code>", page)
    assert found is not None
    passphrase = found.group(1)
    listing = client.get("/approvals/exports/").content.decode()
    assert "税務課" in listing and passphrase not in listing
    download = client.get(f"/approvals/exports/{exports.TemporaryCopy.objects.get().pk}/download/")
    assert download.status_code == 200
    assert "試験".encode() not in b"".join(download.streaming_content)


def test_the_system_administrator_sees_room_permissions_in_force(client, officers000):
    o = officers000
    req = services.create_request(actor=o["id_manager"], operation="room_entry_l1", subject=o["operator"])
    services.decide(actor=o["sys_admin"], request_id=req.pk, approve=True)
    client.force_login(o["sys_admin"])
    assert "sosasha1" in client.get("/approvals/").content.decode()
    client.force_login(o["operator2"])
    assert "有効な入室許可" not in client.get("/approvals/").content.decode()


def test_the_approver_sees_the_scope_in_words(client, officers000, org000):
    purpose = next(iter(org000.selectable_tasks()))
    req = services.create_request(actor=officers000["operator"], operation="bulk_handling",
                                  particulars={"purpose": purpose, "count_limit": 500})
    client.force_login(officers000["id_manager"])
    page = client.get(f"/approvals/{req.pk}/").content.decode()
    assert org000.tasks[purpose].ja in page and "件数の上限: 500" in page and "承認する" in page
