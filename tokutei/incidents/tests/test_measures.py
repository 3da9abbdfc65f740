"""An incident leads to measures (措置), each recorded with who, when and why, and each on the timeline:
a legal hold on what the report names, a user or terminal suspended, and — only where the regulation
says so — 001 §9's outside support, the CS disconnection and reconnection on the mayor's order and the
report to both committees, and 002 §40's publication decided by the CISO. Who may take each is the
profile's; every refusal cites the article and is logged."""

from __future__ import annotations

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.incidents.measures import disconnected_since, take_measure
from tokutei.incidents.models import Measure, TimelineEntry

from .conftest import web


@pytest.fixture
def kokubunji(activate, make_user, report):
    activate("kokubunji")
    operator = make_user("sosa", "operator")
    incident = report(operator, category="system", summary="CS に回復不能な異常", affected={"terminals": [3]})
    return incident, operator


def test_the_mayor_disconnects_the_cs_and_the_disconnection_stands_until_reconnected(kokubunji, make_user, client):
    incident, _operator = kokubunji
    mayor = make_user("shicho", "mayor")
    measure = take_measure(actor=web(mayor), incident_id=incident.pk, kind="disconnect",
                           text="市民の権利利益が侵害されるおそれが明白なため、市長が切断を命令")
    assert measure.article == "001 §9.2" and disconnected_since() == measure
    assert measure.entry.kind == TimelineEntry.Kind.CONTAINMENT
    assert "都道府県サーバとの結合の一時的な切断" in measure.entry.text
    client.force_login(mayor)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "ネットワークの結合を切断中" in page and "市長が切断を命令" in page

    with pytest.raises(Refused) as again:
        take_measure(actor=web(mayor), incident_id=incident.pk, kind="disconnect", text="重ねて切断")
    assert "すでに切断中" in again.value.message
    refusal = Entry.objects.filter(action="incidents.measure", result="refused").latest("seq")
    assert refusal.article == "001 §9.2"

    take_measure(actor=web(mayor), incident_id=incident.pk, kind="reconnect", text="復旧を確認し再開")
    assert disconnected_since() is None
    assert "切断中" not in client.get(f"/incidents/{incident.pk}/").content.decode()
    with pytest.raises(Refused):
        take_measure(actor=web(mayor), incident_id=incident.pk, kind="reconnect", text="もう一度")
    assert Measure.objects.filter(kind__in=["disconnect", "reconnect"]).count() == 2


def test_an_operator_cannot_record_the_disconnection_and_is_told_who_can(kokubunji):
    incident, operator = kokubunji
    with pytest.raises(Refused) as refused:
        take_measure(actor=web(operator), incident_id=incident.pk, kind="disconnect", text="切断した")
    assert "市長" in refused.value.message and refused.value.article == "001 §9.2"
    assert not Measure.objects.exists()
    assert Entry.objects.filter(action="incidents.measure", result="refused", actor_id=operator.pk).exists()


def test_the_general_head_reports_to_both_committees_001_s9_3(kokubunji, make_user):
    incident, _operator = kokubunji
    head = make_user("sokatsu", "general_head")
    measure = take_measure(actor=web(head), incident_id=incident.pk, kind="committee_report",
                           text="事案の概要と市長の措置を報告")
    assert measure.targets["to"] == ["国分寺市住民基本台帳ネットワークシステムセキュリティ委員会",
                                     "国分寺市情報システム・個人情報管理運営委員会"]
    assert measure.entry.kind == TimelineEntry.Kind.NOTIFICATION
    assert "情報システム・個人情報管理運営委員会" in measure.entry.text


def test_an_organisation_without_a_cs_link_has_no_disconnection(activate, make_user, report):
    activate("inabe")
    incident = report(make_user("tanto", "handler"))
    head = make_user("sokatsu", "general_pm")
    with pytest.raises(Refused) as refused:
        take_measure(actor=web(head), incident_id=incident.pk, kind="disconnect", text="切断")
    assert "定めがありません" in refused.value.message and refused.value.article == "003 §8"


def test_a_legal_hold_covers_every_file_record_and_medium_the_report_names(activate, make_user, report):
    from tokutei.retention.models import LegalHold

    activate("inabe")
    incident = report(make_user("tanto", "handler"), affected={"files": [2], "records": [12, 13], "media": [5]})
    manager = make_user("sokatsu", "general_pm")
    measure = take_measure(actor=web(manager), incident_id=incident.pk, kind="legal_hold",
                           text="調査が終わるまで廃棄しない")
    holds = LegalHold.objects.filter(pk__in=measure.targets["holds"], released_at__isnull=True)
    assert {(h.record_class, h.record_id, h.file_id, h.kind) for h in holds} == {
        ("person", "", 2, "incident"), ("person", "12", None, "incident"), ("person", "13", None, "incident"),
        ("medium", "5", None, "incident")}
    assert all(f"#{incident.pk}" in h.reason for h in holds)
    # The holds' log entries come first, the measure's last — all of one transaction.
    entries = list(Entry.objects.filter(action__in=["retention.hold", "incidents.measure"]).order_by("seq"))
    assert [e.action for e in entries] == ["retention.hold"] * 4 + ["incidents.measure"]
    # A second hold does not hold the same records twice.
    again = take_measure(actor=web(manager), incident_id=incident.pk, kind="legal_hold", text="再確認")
    assert again.targets["holds"] == [] and LegalHold.objects.count() == 4


def test_a_report_naming_nothing_to_hold_gets_no_hold(activate, make_user, report):
    activate("inabe")
    incident = report(make_user("tanto", "handler"), affected={"terminals": [4]})
    with pytest.raises(Refused) as refused:
        take_measure(actor=web(make_user("sokatsu", "general_pm")), incident_id=incident.pk, kind="legal_hold",
                     text="保存")
    assert "記入されていません" in refused.value.message


def test_suspending_a_user_ends_their_roles_at_once_and_needs_the_administrators_right(activate, make_user, report):
    from tokutei.staff.models import RoleAssignment, User

    activate("inabe")
    suspect = make_user("ihan", "handler", tasks=["juminzei"])
    incident = report(make_user("tanto", "handler"), category="breach", summary="目的外の照会のおそれ")
    manager = make_user("sokatsu", "general_pm")  # sees the incident, but deactivating staff is not theirs
    with pytest.raises(Refused):
        take_measure(actor=web(manager), incident_id=incident.pk, kind="suspend_user", text="調査中は停止",
                     user_id=suspect.pk)
    assert User.objects.get(pk=suspect.pk).is_active and not Measure.objects.exists()

    admin = make_user("kanri", "general_pm", "system_admin")
    measure = take_measure(actor=web(admin), incident_id=incident.pk, kind="suspend_user", text="調査中は停止",
                           user_id=suspect.pk)
    suspect.refresh_from_db()
    assert not suspect.is_active and measure.targets == {"user": suspect.pk}
    assert not RoleAssignment.objects.filter(user=suspect, revoked_at__isnull=True).exists()
    revoke = Entry.objects.get(action="staff.revoke", target_id=str(suspect.pk), result="ok")
    assert revoke.details["cause"] == "incident"
    assert revoke.seq < Entry.objects.get(action="incidents.measure", result="ok").seq


def test_suspending_a_terminal_revokes_its_registration(activate, make_user, make_terminal, report):
    activate("inabe")
    terminal, _credential = make_terminal("窓口端末9")
    incident = report(make_user("tanto", "handler"), affected={"terminals": [terminal.pk]})
    admin = make_user("kanri", "general_pm", "system_admin")
    take_measure(actor=web(admin), incident_id=incident.pk, kind="suspend_terminal", text="不正アクセスの疑い",
                 terminal_id=terminal.pk)
    terminal.refresh_from_db()
    assert terminal.revoked_at is not None


def test_publication_is_the_cisos_decision_in_002(activate, make_user, report):
    activate("sayama")
    incident = report(make_user("shokuin", "staff"))
    pm = make_user("hogo", "general_pm")
    with pytest.raises(Refused) as refused:
        take_measure(actor=web(pm), incident_id=incident.pk, kind="publication", text="公表する")
    assert refused.value.article == "002 §40"
    ciso = make_user("ciso", "ciso")
    measure = take_measure(actor=web(ciso), incident_id=incident.pk, kind="publication",
                           text="事実関係と再発防止策を市のウェブサイトで公表")
    assert measure.entry.kind == TimelineEntry.Kind.DECISION and measure.article == "002 §40"


def test_the_form_offers_only_the_measures_the_person_may_take(kokubunji, make_user, client):
    incident, _operator = kokubunji
    client.force_login(make_user("shicho", "mayor"))
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'value="disconnect"' in page and "都道府県サーバとの結合の一時的な切断" in page
    assert page.count('id="id_kind"') == 1 and 'id="id_measure-kind"' in page  # one id per field on the page
    assert 'value="committee_report"' not in page  # the 総括責任者's, not the mayor's
    response = client.post(f"/incidents/{incident.pk}/measures/", {"measure-kind": "disconnect", "measure-text": "切断を命令"},
                           follow=True)
    assert response.status_code == 200 and "措置を記録しました" in response.content.decode()
    assert Measure.objects.get().recorded_by.username == "shicho"


def test_the_investigator_sees_the_log_of_the_records_the_report_names_and_nothing_else(activate, make_user,
                                                                                         report, client):
    from tokutei.auditlog.services import record

    activate("inabe")
    record(action="vault.view", actor=None, target_type="person", target_id="12")
    record(action="vault.view", actor=None, target_type="person", target_id="99")
    incident = report(make_user("tanto", "handler"), affected={"records": [12]})
    investigator = make_user("sokatsu", "general_pm")
    client.force_login(investigator)
    assert f"/incidents/{incident.pk}/log/" in client.get(f"/incidents/{incident.pk}/").content.decode()
    page = client.get(f"/incidents/{incident.pk}/log/").content.decode()
    assert "本人 #12" in page and "本人 #99" not in page
    viewed = Entry.objects.get(action="incidents.records_log")
    assert viewed.actor_id == investigator.pk and viewed.target_id == str(incident.pk) and viewed.count == 1

    clerk = make_user("betsu", "handler")  # not an investigator: refused, whatever the id
    client.force_login(clerk)
    refused = client.get(f"/incidents/{incident.pk}/log/")
    assert refused.status_code == 403 and "本人 #12" not in refused.content.decode()
    assert client.get("/incidents/999/log/").status_code == 403


def test_an_incident_leads_to_a_finding_for_those_who_record_them(activate, make_user, report, client):
    activate("inabe")
    incident = report(make_user("tanto", "handler"))
    client.force_login(make_user("kansa", "auditor"))
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    link = f"/audits/findings/new/?source=incident&amp;incident={incident.pk}"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'value="{incident.pk}"' in form

