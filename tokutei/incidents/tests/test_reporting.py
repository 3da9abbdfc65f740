"""Anyone signed in reports an incident — without a designation, on an unregistered terminal (R-INC-1); a
report holds no 個人番号, cannot be edited or deleted, and later facts are timeline entries with who and when.
An incident is seen by its reporter, the people it was routed to and the overseers; to anyone else it is
missing (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.incidents import services
from tokutei.incidents.models import AppendOnlyError, Incident

from .conftest import web

FORM = {"category": "system", "summary": "端末が起動しない", "found_at": "2026-01-05T09:30", "found_by": "窓口担当",
        "affected_files": "", "affected_records": "3, 4", "affected_media": "", "affected_terminals": "7",
        "suspected_cause": ""}


def test_staff_without_a_designation_report_from_an_unregistered_terminal(activate, make_user, client):
    activate("inabe")
    nobody = make_user("rinji")  # no role, no designation; the test client has no terminal cookie
    client.force_login(nobody)
    dashboard = client.get("/").content.decode()
    assert "/incidents/report/" in dashboard
    response = client.post("/incidents/report/", FORM, follow=True)
    assert response.status_code == 200
    incident = Incident.objects.get()
    assert incident.reported_by == nobody and incident.affected == {"records": [3, 4], "terminals": [7]}
    assert "端末が起動しない" in response.content.decode()
    assert Entry.objects.filter(action="incidents.report", result="ok", actor_id=nobody.pk).exists()


def test_a_report_with_something_like_a_my_number_is_refused_and_nothing_is_stored(activate, make_user, client):
    activate("inabe")
    clerk = make_user("tanto", "handler", tasks=["juminzei"])
    client.force_login(clerk)
    response = client.post("/incidents/report/", FORM | {"summary": "番号 1234 5678 9018 の通知書を誤送付"})
    assert response.status_code == 403
    assert "個人番号らしき数字" in response.content.decode()
    assert not Incident.objects.exists()
    refusal = Entry.objects.get(action="incidents.report", result="refused")
    assert "1234" not in str(refusal.details) and refusal.article == "003 §8"


def test_a_report_cannot_be_edited_or_deleted(activate, make_user, report):
    activate("inabe")
    incident = report(make_user("tanto", "handler"))
    incident.summary = "書き換え"
    with pytest.raises(AppendOnlyError):
        incident.save()
    with pytest.raises(AppendOnlyError):
        incident.delete()
    with pytest.raises(AppendOnlyError):
        Incident.objects.filter(pk=incident.pk).update(summary="書き換え")


def test_later_facts_are_timeline_entries_with_who_and_when(activate, make_user, report):
    activate("inabe")
    clerk = make_user("tanto", "handler")
    incident = report(clerk)
    when = timezone.now() - dt.timedelta(minutes=10)
    entry = services.add_timeline_entry(actor=web(clerk), incident_id=incident.pk, kind="containment",
                                        text="誤送付先に連絡し回収を依頼", occurred_at=when)
    assert (entry.recorded_by, entry.occurred_at, entry.kind) == (clerk, when, "containment")
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert Entry.objects.filter(action="incidents.timeline", target_id=str(incident.pk)).exists()


def test_a_colleague_sees_the_incident_as_missing(activate, make_user, report, client):
    activate("inabe")
    incident = report(make_user("tanto", "handler"))
    colleague = make_user("dooryo", "handler")
    with pytest.raises(NotFoundOrForbidden):
        services.add_timeline_entry(actor=web(colleague), incident_id=incident.pk, kind="other", text="x")
    client.force_login(colleague)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert client.get("/incidents/999999/").status_code == 404
    assert f"#{incident.pk}" not in client.get("/incidents/").content.decode()


def test_the_people_on_the_route_and_the_auditor_see_it(activate, make_user, report, client, unit):
    activate("inabe")
    incident = report(make_user("tanto", "handler", unit=unit))
    for person in (make_user("sekininsha", "handling_mgr", unit=unit), make_user("kansa", "auditor")):
        client.force_login(person)
        assert client.get(f"/incidents/{incident.pk}/").status_code == 200
        assert f"#{incident.pk}" in client.get("/incidents/").content.decode()


def test_the_recipient_sees_the_report_on_the_dashboard_and_acknowledges_it(activate, make_user, report, client,
                                                                             unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", unit=unit)
    incident = report(make_user("tanto", "handler", unit=unit))
    client.force_login(mgr)
    assert "あなたの受領が必要" in client.get("/").content.decode()
    client.post(f"/incidents/{incident.pk}/acknowledge/")
    assert "あなたの受領が必要" not in client.get("/").content.decode()
    assert Entry.objects.filter(action="incidents.acknowledge", actor_id=mgr.pk).exists()


def test_the_absent_redirect_is_explained_with_the_article(activate, make_user, report, client, unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    boss = make_user("sokatsu", "general_pm")
    today = timezone.localdate()
    services.record_absence(actor=web(pm), user_id=pm.pk, start_date=today, end_date=today)
    incident = report(mgr)
    client.force_login(boss)
    body = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "保護管理者が不在のため、総括保護管理者に報告しました" in body and "取扱規程第8条" in body


def test_the_ppc_report_prints_with_its_items_filled_in_from_the_record(activate, make_user, report, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    services.add_timeline_entry(actor=web(officer), incident_id=incident.pk, kind="prevention",
                                text="封入時の二人確認を徹底")
    services.assess_ppc(actor=web(officer), incident_id=incident.pk, learned_at=timezone.now(),
                        categories=["system_leak"], affected_people=1, items={"publication": "公表しない"})
    services.record_person_notice(actor=web(officer), incident_id=incident.pk, record_id=12, method="mail",
                                  notified_on=timezone.localdate())
    client.force_login(officer)
    body = client.get(f"/incidents/{incident.pk}/ppc/print/").content.decode()
    for text in ("通知書を誤送付したおそれ", "封入時の確認漏れ", "封入時の二人確認を徹底", "公表しない",
                 "本人への通知 1 件（郵送）", "☑ 個人番号利用事務等で使用する情報システム"):
        assert text in body, text


def test_bad_input_changes_nothing(activate, make_user, report):
    activate("inabe")
    clerk = make_user("tanto", "handler")
    with pytest.raises(Refused, match="発見日時が未来"):
        report(clerk, found_at=timezone.now() + dt.timedelta(days=1))
    assert not Incident.objects.exists()
