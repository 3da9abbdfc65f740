"""An approval of another unit (issue 11; R-ORG-6): in 002 (狭山市) each 保護管理者 — unit-scoped — approves the
copies, carry-outs, disposals … of their own unit. A request of another unit is, for them, not found exactly
like a missing one — its page, its decision, its API answer — and the attempt is logged; it is not in their
queue. The 保護管理者 of the requester's unit sees and approves it.
"""

from __future__ import annotations

import re

import pytest

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.policy import Actor

NO_SUCH_ID = 987_654_321


@pytest.fixture
def sayama(activate):
    return activate("sayama")


@pytest.fixture
def units(sayama, make_user):
    from tokutei.staff.models import Unit

    zeimu, hoken = Unit.objects.create(key="zeimu", name_ja="税務課"), Unit.objects.create(key="hoken",
                                                                                          name_ja="保険年金課")
    return {
        "staff": make_user("zeimu_tanto", "staff", tasks=["local_tax"], unit=zeimu),
        "own_pm": make_user("zeimu_kacho", "pm", unit=zeimu),
        "other_pm": make_user("hoken_kacho", "pm", unit=hoken),
    }


@pytest.fixture
def request_of_zeimu(units):
    return services.create_request(actor=Actor.console(units["staff"]), operation="copy", particulars={"purpose": "local_tax"})


def _page(response) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r"/approvals/\d+/", "/approvals/<id>/", text)


def test_another_units_manager_finds_no_such_request(client, units, request_of_zeimu):
    client.force_login(units["other_pm"])
    theirs = client.get(f"/approvals/{request_of_zeimu.pk}/")
    missing = client.get(f"/approvals/{NO_SUCH_ID}/")
    assert theirs.status_code == missing.status_code == 404
    assert _page(theirs) == _page(missing)
    refused = Entry.objects.filter(actor_id=units["other_pm"].pk, result=Entry.Result.REFUSED,
                                   target_id=str(request_of_zeimu.pk))
    assert refused.count() == 1 and refused.get().article


def test_another_units_manager_cannot_approve_it(client, units, request_of_zeimu):
    client.force_login(units["other_pm"])
    response = client.post(f"/approvals/{request_of_zeimu.pk}/decide/", {"decision": "approve", "comment": ""})
    assert response.status_code == 404
    api = client.post(f"/api/v1/approvals/requests/{request_of_zeimu.pk}/approve", data={"comment": ""},
                      content_type="application/json")
    assert api.status_code == 404
    assert ApprovalRequest.objects.get(pk=request_of_zeimu.pk).status == ApprovalRequest.Status.PENDING
    assert not request_of_zeimu.decisions.exists()


def test_another_units_manager_has_it_neither_in_the_api_nor_the_queue(client, units, request_of_zeimu):
    client.force_login(units["other_pm"])
    one = client.get(f"/api/v1/approvals/requests/{request_of_zeimu.pk}")
    missing = client.get(f"/api/v1/approvals/requests/{NO_SUCH_ID}")
    assert one.status_code == missing.status_code == 404 and one.json() == missing.json()
    assert client.get("/api/v1/approvals/requests", {"scope": "queue"}).json() == []


def test_the_requesters_own_manager_sees_and_approves_it(client, units, request_of_zeimu):
    client.force_login(units["own_pm"])
    assert client.get(f"/approvals/{request_of_zeimu.pk}/").status_code == 200
    assert [r["id"] for r in client.get("/api/v1/approvals/requests", {"scope": "queue"}).json()] == [
        request_of_zeimu.pk]
    services.decide(actor=Actor.console(units["own_pm"]), request_id=request_of_zeimu.pk, approve=True)
    assert ApprovalRequest.objects.get(pk=request_of_zeimu.pk).status == ApprovalRequest.Status.APPROVED


def test_a_system_administrator_who_is_also_another_units_manager_may_read_but_not_decide_it(
        client, units, request_of_zeimu, make_user):
    """Reading every request as システム所管保護管理者 gives no step of another unit's 保護管理者."""
    from tokutei.staff.models import RoleAssignment

    both = units["other_pm"]
    RoleAssignment.objects.create(user=both, role_key="sys_pm", unit=both.unit,
                                  start_date=RoleAssignment.objects.get(user=both).start_date)
    client.force_login(both)
    assert client.get(f"/approvals/{request_of_zeimu.pk}/").status_code == 200
    assert client.post(f"/approvals/{request_of_zeimu.pk}/decide/",
                       {"decision": "approve", "comment": ""}).status_code == 404
    assert client.get("/api/v1/approvals/requests", {"scope": "queue"}).json() == []
    assert not request_of_zeimu.decisions.exists()
