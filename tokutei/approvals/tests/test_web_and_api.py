"""Pages and JSON API: the requester cannot approve their own request through either; the queue shows."""

from __future__ import annotations

import pytest

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.policy import Actor


@pytest.fixture
def pending(officers000):
    return services.create_request(actor=Actor.console(officers000["operator"]), operation="media_carry_out")


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


@pytest.mark.parametrize("url", ["/approvals/", "/approvals/new/"])
def test_pages_render(client, officers000, url):
    client.force_login(officers000["sys_admin"])
    assert client.get(url).status_code == 200


def test_the_system_administrator_sees_room_permissions_in_force(client, officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(o["id_manager"]), operation="room_entry_l1", subject=o["operator"])
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    client.force_login(o["sys_admin"])
    assert "sosasha1" in client.get("/approvals/").content.decode()
    client.force_login(o["operator2"])
    assert "有効な入室許可" not in client.get("/approvals/").content.decode()


def test_the_approver_sees_the_scope_in_words(client, officers000, org000):
    purpose = next(iter(org000.selectable_tasks()))
    req = services.create_request(actor=Actor.console(officers000["operator"]), operation="bulk_handling",
                                  particulars={"purpose": purpose, "count_limit": 500})
    client.force_login(officers000["id_manager"])
    page = client.get(f"/approvals/{req.pk}/").content.decode()
    assert org000.tasks[purpose].ja in page and "<dt>件数の上限</dt><dd>500</dd>" in page and "承認する" in page
