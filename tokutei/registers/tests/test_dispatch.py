"""回付・進達 (004 §14(2), E-39): a recorded workflow, completed only with its 別紙1 entry; a 進達 only by a
traceable mailing method chosen from the profile's list (not free text). Page, API and the paper-step entry."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.ledgers.models import HandlingRecord
from tokutei.policy import Actor
from tokutei.registers.models import Dispatch
from tokutei.registers.services import dispatches

ARTICLE = "004 §14(2)"
RENGOKAI = "地方公務員共済組合連合会年金業務部"


@pytest.fixture
def handler(activate, make_user):
    activate("hyogo-kyosai")
    return make_user("nenkin1", "handler", tasks=["p1_i"])


def _actor(user):
    return Actor.console(user, purpose="p1_i")


def _submission(user):
    return dispatches.open_dispatch(actor=_actor(user), kind="submission", recipient=RENGOKAI, item="年金請求書",
                                    record_count=2)


def test_a_forwarding_is_completed_with_its_bessi_1_entry(handler):
    d = dispatches.open_dispatch(actor=_actor(handler), kind="forwarding", recipient="他の実施機関", record_count=3)
    assert not HandlingRecord.objects.filter(stage="forwarding").exists()  # opened: not yet handled
    done = dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk)
    assert done.status == Dispatch.Status.DONE
    row = HandlingRecord.objects.get(stage="forwarding", result="ok")
    assert row.recipient == "他の実施機関" and row.count == 3 and row.target_id == str(d.pk)


def test_it_refuses_a_submission_by_a_method_that_leaves_no_record(handler):
    d = _submission(handler)
    with pytest.raises(Refused) as exc:
        dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk, method="ordinary", sealed=True)
    assert "履歴が残らない" in exc.value.message and exc.value.article == ARTICLE
    entry = Entry.objects.get(action="dispatch.complete", result=Entry.Result.REFUSED)
    assert entry.details["code"] == "untraceable_method" and entry.article == ARTICLE
    with pytest.raises(Refused, match="一覧から選択"):
        dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk, method="封緘の上、手渡し", sealed=True)
    with pytest.raises(Refused, match="封緘"):
        dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk, method="simple_registered")
    d.refresh_from_db()
    assert d.status == Dispatch.Status.OPEN
    assert not HandlingRecord.objects.filter(stage="submission", result="ok").exists()  # only the refused attempts


def test_a_submission_by_registered_mail_lands_in_the_carry_out_column_with_its_method(handler):
    d = _submission(handler)
    dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk, method="simple_registered", sealed=True)
    row = HandlingRecord.objects.get(stage="submission", result="ok")
    assert row.recipient == RENGOKAI and row.method == "簡易書留" and row.item == "年金請求書" and row.count == 2
    with pytest.raises(Refused, match="既に完了"):
        dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk, method="registered", sealed=True)
    assert HandlingRecord.objects.filter(stage="submission", result="ok").count() == 1


def test_without_its_bessi_1_entry_nothing_is_completed(handler, monkeypatch):
    from tokutei.auditlog import services as auditlog
    from tokutei.ledgers.services import record_from_entry

    # The ledgers do not write the 別紙1 row (as if the ledgers were not following the log).
    monkeypatch.setattr(auditlog, "_FOLLOWERS", [f for f in auditlog._FOLLOWERS if f is not record_from_entry])
    d = _submission(handler)
    with pytest.raises(Refused) as exc:
        dispatches.complete_dispatch(actor=_actor(handler), dispatch_id=d.pk, method="registered", sealed=True)
    assert exc.value.code == "no_handling_record"
    d.refresh_from_db()
    assert d.status == Dispatch.Status.OPEN
    assert Entry.objects.filter(action="dispatch.complete", result=Entry.Result.REFUSED).count() == 1


def test_someone_elses_dispatch_is_not_found(handler, make_user):
    d = _submission(handler)
    other = make_user("nenkin2", "handler", tasks=["p1_i"])
    with pytest.raises(Refused) as exc:
        dispatches.complete_dispatch(actor=_actor(other), dispatch_id=d.pk, method="registered", sealed=True)
    assert exc.value.code == "not_found"


def test_a_paper_submission_entered_by_hand_takes_only_a_listed_traceable_method(handler):
    from tokutei.ledgers.services import add_manual_record

    with pytest.raises(ValidationError, match="郵送の履歴が残る"):
        add_manual_record(actor=Actor.console(handler), stage="submission", occurred_on=timezone.localdate(),
                          count=1, recipient=RENGOKAI, method="普通郵便")
    add_manual_record(actor=Actor.console(handler), stage="submission", occurred_on=timezone.localdate(), count=1,
                      recipient=RENGOKAI, method="一般書留")


def test_the_page_offers_the_list_and_completes(handler, make_terminal):
    _terminal, credential = make_terminal("年金課端末")
    c = Client()
    c.force_login(handler)
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    c.post("/registers/dispatches/", {"purpose": "p1_i", "kind": "submission", "recipient": RENGOKAI,
                                      "item": "届出書", "record_count": "1"})
    d = Dispatch.objects.get()
    page = c.get("/registers/dispatches/").content.decode()
    assert "簡易書留" in page and "履歴が残らない・進達できません" in page
    refused = c.post(f"/registers/dispatches/{d.pk}/complete/", {"method": "ordinary", "sealed": "on"})
    assert refused.status_code == 403
    c.post(f"/registers/dispatches/{d.pk}/complete/", {"method": "letter_pack_plus", "sealed": "on"})
    d.refresh_from_db()
    assert d.status == Dispatch.Status.DONE and d.method == "letter_pack_plus"


def test_the_api_opens_and_completes_like_the_page(handler, make_terminal):
    _terminal, credential = make_terminal("年金課端末")
    c = Client()
    c.force_login(handler)
    headers = {"X-Tokutei-Terminal": credential}
    r = c.post("/api/v1/registers/dispatches", {"purpose": "p1_i", "kind": "submission", "recipient": RENGOKAI},
               content_type="application/json", headers=headers)
    assert r.status_code == 200, r.content
    pk = r.json()["id"]
    r = c.post(f"/api/v1/registers/dispatches/{pk}/complete", {"method": "ordinary", "sealed": True},
               content_type="application/json", headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "untraceable_method" and r.json()["article"] == ARTICLE
    r = c.post(f"/api/v1/registers/dispatches/{pk}/complete", {"method": "registered", "sealed": True},
               content_type="application/json", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "done"


def test_an_organisation_without_the_rule_has_no_dispatch_workflow(activate, make_user):
    profile = activate("sayama")
    staff = make_user("staff1", "staff", tasks=["local_tax"])
    with pytest.raises(Refused) as exc:
        dispatches.open_dispatch(actor=Actor.console(staff, purpose="local_tax"), kind="submission", recipient="x")
    assert exc.value.code == "no_dispatch" and exc.value.article == profile.organisation.article
