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
    client.post(f"/committee/{meeting.pk}/attendees/", {"kind": "member", "capacity": "住基ネットセキュリティ統括責任者", "name": "山田"})
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


def test_a_member_is_recorded_by_their_post_and_anyone_else_is_refused_as_a_member(activate, make_user):
    activate("kokubunji")
    head = make_user("sokatsu", "general_head")
    meeting = services.create_meeting(actor=web(head), kind="meeting", title="第2回", held_on=timezone.localdate(),
                                      agenda=[])
    services.add_attendee(actor=web(head), meeting_id=meeting.pk, kind="member", capacity="市民生活部長", name="田中")
    with pytest.raises(Refused, match="委員ではありません") as refused:
        services.add_attendee(actor=web(head), meeting_id=meeting.pk, kind="member", capacity="教育部長", name="鈴木")
    assert refused.value.article == "001 §12–§16"
    # Heard as a non-member (001 §15), the same person is recorded.
    services.add_attendee(actor=web(head), meeting_id=meeting.pk, kind="other", capacity="教育部長", name="鈴木")
    assert meeting.attendees.count() == 2


def test_001_the_vice_chair_presides_for_an_absent_chair_and_000_has_no_vice_chair(activate, make_user, client):
    activate("kokubunji")
    head = make_user("sokatsu", "general_head")
    meeting = services.create_meeting(actor=web(head), kind="meeting", title="臨時会", held_on=timezone.localdate(),
                                      agenda=[], presiding="vice_chair")
    client.force_login(head)
    printed = client.get(f"/committee/{meeting.pk}/print/").content.decode()
    assert "政策部長（委員長が不在のため）" in printed

    activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    with pytest.raises(Refused, match="副委員長が定められていません"):
        services.create_meeting(actor=web(chief), kind="meeting", title="第3回", held_on=timezone.localdate(),
                                agenda=[], presiding="vice_chair")


def test_an_overdue_decision_shows_on_the_dashboard_until_it_is_closed(activate, make_user, client):
    activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    meeting = services.create_meeting(actor=web(chief), kind="meeting", title="第1回",
                                      held_on=timezone.localdate() - dt.timedelta(days=60), agenda=[])
    item = services.add_action_item(actor=web(chief), meeting_id=meeting.pk, text="入退室管理の見直し", owner="総務係",
                                    due_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(chief)
    assert "入退室管理の見直し" in client.get("/").content.decode()
    services.close_action_item(actor=web(chief), item_id=item.pk, note="規程を改正した")
    assert "入退室管理の見直し" not in client.get("/").content.decode()


def test_meetings_export_to_excel_and_through_the_api(activate, make_user, client):
    import io

    from openpyxl import load_workbook

    activate("kokubunji")
    head = make_user("sokatsu", "general_head")
    client.force_login(head)
    created = client.post("/api/v1/committee/meetings", {"kind": "circulated", "title": "持ち回り第1号",
                                                          "held_on": "2026-11-02", "agenda": ["対策の見直し"]},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    client.post(f"/api/v1/committee/meetings/{pk}/attendees", {"kind": "member", "capacity": "政策部長",
                                                               "name": "高橋"}, content_type="application/json")
    client.post(f"/api/v1/committee/meetings/{pk}/items", {"text": "手順書を改訂する", "owner": "市民課"},
                content_type="application/json")
    got = client.get(f"/api/v1/committee/meetings/{pk}").json()
    assert got["kind"] == "circulated" and got["attendees"][0]["name"] == "高橋"
    assert got["items"][0]["text"] == "手順書を改訂する"
    refused = client.post(f"/api/v1/committee/meetings/{pk}/attendees",
                          {"kind": "member", "capacity": "校長", "name": "x"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_member"

    response = client.get("/committee/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "持ち回り第1号" in values and "令和8年11月2日" in values
    assert Entry.objects.get(action="committee.export").count == 1


def test_open_audit_findings_can_be_put_on_the_agenda(activate, make_user, client):
    from tokutei.audits.models import Finding

    activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    finding = Finding.objects.create(source="audit", title="入退室記録の記入漏れ", severity="medium", owner=chief,
                                     due_on=timezone.localdate(), created_by=chief)
    Finding.objects.create(source="audit", title="完了した指摘", severity="low", owner=chief,
                           due_on=timezone.localdate(), created_by=chief, status="closed")
    client.force_login(chief)
    form = client.get("/committee/new/").content.decode()
    assert "入退室記録の記入漏れ" in form and "完了した指摘" not in form
    client.post("/committee/new/", {"kind": "meeting", "title": "第2回", "held_on": "2026-06-20",
                                    "findings": [str(finding.pk)]})
    meeting = Meeting.objects.get()
    assert meeting.finding_ids == [finding.pk]
    assert f"/audits/findings/{finding.pk}/" in client.get(f"/committee/{meeting.pk}/").content.decode()
