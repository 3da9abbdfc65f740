"""The committee (000 §8 住基ネットセキュリティ会議, 001 §12–16 委員会): a meeting is held, attended, minuted,
finalised and printed; its decisions are tracked to closure; a circulated resolution only where the profile
allows it (001); the agenda offers the profile's 審議事項 and recent incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.committee import services
from tokutei.committee.models import Meeting
from tokutei.core.errors import Refused
from tokutei.policy import Actor


def web(user) -> Actor:
    return Actor(user=user)


def test_000_a_meeting_is_held_minuted_finalised_and_printed(activate, make_user, client):
    profile = activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    client.force_login(chief)
    assert "住基ネットセキュリティ会議" in client.get("/").content.decode()  # the menu names the body
    form = client.get("/committee/new/").content.decode()
    assert profile.governance_body.agenda[0] in form and "持ち回りによる決定" not in form
    client.post("/committee/new/", {"kind": "meeting", "title": "令和8年度第1回", "held_on": "2026-05-20",
                                    "agenda": [profile.governance_body.agenda[1]], "other_agenda": "研修計画"})
    meeting = Meeting.objects.get()
    assert meeting.agenda == [profile.governance_body.agenda[1], "研修計画"]
    client.post(f"/committee/{meeting.pk}/attendees/", {"kind": "member", "capacity": "統括責任者", "name": "山田"})
    client.post(f"/committee/{meeting.pk}/attendees/", {"kind": "expert", "capacity": "大学教授", "name": "佐藤"})
    client.post(f"/committee/{meeting.pk}/items/", {"text": "操作者研修を実施する", "owner": "総務係",
                                                    "due_on": "2026-06-30"})
    client.post(f"/committee/{meeting.pk}/minutes/", {"minutes": "遵守状況を確認した。", "finalise": "1"})
    meeting.refresh_from_db()
    assert meeting.finalised_at is not None and meeting.minutes == "遵守状況を確認した。"
    printed = client.get(f"/committee/{meeting.pk}/print/").content.decode()
    for text in ("住基ネットセキュリティ会議", "議事録", "山田", "佐藤（外部の有識者）", "操作者研修を実施する",
                 "遵守状況を確認した。", "令和8年5月20日", "住基ネットセキュリティ統括責任者"):
        assert text in printed, text
    actions = set(Entry.objects.filter(target_type="meeting").values_list("action", flat=True))
    assert actions == {"committee.meeting", "committee.attendance", "committee.action_item", "committee.minutes"}


def test_finalised_minutes_are_not_changed(activate, make_user):
    activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    meeting = services.create_meeting(actor=web(chief), kind="meeting", title="第1回", held_on=timezone.localdate(),
                                      agenda=[])
    services.record_minutes(actor=web(chief), meeting_id=meeting.pk, minutes="確認した", finalise=True)
    with pytest.raises(Refused, match="確定した会議"):
        services.record_minutes(actor=web(chief), meeting_id=meeting.pk, minutes="書き換え")
    assert Meeting.objects.get().minutes == "確認した"


def test_000_allows_no_circulated_resolution(activate, make_user):
    activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    with pytest.raises(Refused, match="持ち回りによる決定は定められていません"):
        services.create_meeting(actor=web(chief), kind="circulated", title="持ち回り", held_on=timezone.localdate(),
                                agenda=[])
    refusal = Entry.objects.get(action="committee.meeting", result="refused")
    assert refusal.article == "000 §8"


def test_001_a_circulated_resolution_is_recorded_with_the_members_who_agreed(activate, make_user, client):
    activate("kokubunji")
    head = make_user("sokatsu", "general_head")
    client.force_login(head)
    assert "持ち回りによる決定" in client.get("/committee/new/").content.decode()
    meeting = services.create_meeting(actor=web(head), kind="circulated", title="緊急の対策の決定",
                                      held_on=timezone.localdate(), agenda=["事故発生時における対策の検討及び決定"])
    services.add_attendee(actor=web(head), meeting_id=meeting.pk, kind="member", capacity="市民生活部長", name="鈴木")
    services.add_action_item(actor=web(head), meeting_id=meeting.pk, text="CS の接続を再開する", owner="市民課",
                             due_on=timezone.localdate() + dt.timedelta(days=3))
    printed = client.get(f"/committee/{meeting.pk}/print/").content.decode()
    assert "持ち回りによる決定の記録" in printed and "同意した委員" in printed and "鈴木" in printed


def test_an_action_item_is_tracked_until_it_is_closed(activate, make_user, client):
    activate("kokubunji")
    head = make_user("sokatsu", "general_head")
    meeting = services.create_meeting(actor=web(head), kind="meeting", title="第2回", held_on=timezone.localdate(),
                                      agenda=[])
    item = services.add_action_item(actor=web(head), meeting_id=meeting.pk, text="手順書を改訂する", owner="市民課")
    client.force_login(head)
    assert "手順書を改訂する" in client.get("/committee/").content.decode()
    client.post(f"/committee/items/{item.pk}/close/", {"note": "改訂版を配布"})
    assert "手順書を改訂する" not in client.get("/committee/").content.decode()
    with pytest.raises(Refused):
        services.close_action_item(actor=web(head), item_id=item.pk)


def test_the_agenda_offers_recent_incidents(activate, make_user, client):
    from tokutei.incidents import services as incidents

    activate("kokubunji")
    head = make_user("sokatsu", "general_head")
    incident = incidents.report_incident(actor=web(make_user("sosasha", "operator")), category="system",
                                         summary="CS の異常", found_at=timezone.now(), found_by="操作者")
    client.force_login(head)
    assert f"#{incident.pk} システムの障害・不具合" in client.get("/committee/new/").content.decode()


def test_an_operator_keeps_no_committee_records_and_an_organisation_without_a_body_has_none(
        activate, make_user, client):
    activate("kokubunji")
    operator = make_user("sosasha", "operator")
    with pytest.raises(Refused):
        services.create_meeting(actor=web(operator), kind="meeting", title="x", held_on=timezone.localdate(), agenda=[])
    client.force_login(operator)
    assert client.get("/committee/").status_code == 403
    activate("sayama")
    ciso = make_user("ciso", "ciso")
    client.force_login(ciso)
    assert client.get("/committee/").status_code == 403
    assert "/committee/" not in client.get("/").content.decode()
