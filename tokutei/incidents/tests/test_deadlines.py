"""The 速報 and 確報 dates (R-INC, the My Number rule on reports of 漏えい等): counted from the day after the
organisation learned of it — 5 days for the 速報 by default, 30 days for the 確報, 60 as soon as 不正の目的
is recorded — and the dashboard warns before they pass. The same for every shipped profile."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.incidents import deadlines, selectors, services
from tokutei.profiles.schema import PpcReport

from .conftest import web

TOKYO = ZoneInfo("Asia/Tokyo")
SHIPPED = ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"]
RESPONDER = {"sendai-kyosai": "sys_admin", "kokubunji": "sec_officer", "sayama": "general_pm", "inabe": "general_pm",
             "hyogo-kyosai": "protection_officer"}


def test_learning_on_1_april_gives_a_preliminary_report_by_6_april_and_a_final_by_1_may():
    d = deadlines.deadlines(dt.datetime(2026, 4, 1, 23, 30, tzinfo=TOKYO), [], PpcReport())
    assert (d.learned_on, d.preliminary_due, d.final_due) == (dt.date(2026, 4, 1), dt.date(2026, 4, 6),
                                                             dt.date(2026, 5, 1))


def test_an_improper_purpose_moves_the_final_report_to_60_days():
    d = deadlines.deadlines(dt.datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO), ["improper_purpose"], PpcReport())
    assert d.final_due == dt.date(2026, 5, 31) and d.improper and d.final_days == 60


def test_the_profile_may_ask_for_the_preliminary_report_within_3_days():
    d = deadlines.deadlines(dt.datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO), [], PpcReport(preliminary_days=3))
    assert d.preliminary_due == dt.date(2026, 4, 4)


def test_the_day_is_the_day_in_japan_not_in_utc():
    # 2026-04-01 23:30 in Tokyo is 14:30 UTC the same day; 00:30 in Tokyo on 2 April is still 1 April in UTC.
    d = deadlines.deadlines(dt.datetime(2026, 4, 1, 15, 30, tzinfo=dt.UTC), [], PpcReport())
    assert d.learned_on == dt.date(2026, 4, 2)


@pytest.mark.parametrize("name", SHIPPED)
def test_recording_an_improper_purpose_switches_the_final_due_date(activate, make_user, report, name):
    activate(name)
    responder = make_user("sekinin", RESPONDER[name])
    incident = report(make_user("tanto"))
    learned = timezone.make_aware(dt.datetime(2026, 4, 1, 10, 0), TOKYO)
    services.assess_ppc(actor=web(responder), incident_id=incident.pk, learned_at=learned, categories=["over_100"],
                        affected_people=150)
    assert selectors.deadlines_of(incident, selectors.ppc_of(incident)).final_due == dt.date(2026, 5, 1)
    services.assess_ppc(actor=web(responder), incident_id=incident.pk, learned_at=learned,
                        categories=["over_100", "improper_purpose"], affected_people=150)
    assert selectors.deadlines_of(incident, selectors.ppc_of(incident)).final_due == dt.date(2026, 5, 31)
    logged = Entry.objects.filter(action="incidents.ppc_assess", target_id=str(incident.pk)).order_by("seq").last()
    assert logged is not None and logged.details["before"] == ["over_100"] and "improper_purpose" in logged.details["categories"]


def test_the_dashboard_warns_before_the_preliminary_report_is_due(activate, make_user, report, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    learned = timezone.now() - dt.timedelta(days=4)
    services.assess_ppc(actor=web(officer), incident_id=incident.pk, learned_at=learned, categories=["system_leak"])
    client.force_login(officer)
    body = client.get("/").content.decode()
    assert "個人情報保護委員会への報告の期限" in body and "速報" in body and f"#{incident.pk}" in body


def test_no_warning_once_the_preliminary_report_is_submitted_and_the_final_is_far(activate, make_user, report):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    services.assess_ppc(actor=web(officer), incident_id=incident.pk, learned_at=timezone.now() - dt.timedelta(days=4),
                        categories=["system_leak"])
    services.record_ppc_submission(actor=web(officer), incident_id=incident.pk, kind="preliminary",
                                   on=timezone.localdate())
    assert selectors.due_warnings(web(officer)) == []


def test_an_incident_judged_not_reportable_gives_no_warning(activate, make_user, report):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    services.assess_ppc(actor=web(officer), incident_id=incident.pk, learned_at=timezone.now() - dt.timedelta(days=4),
                        categories=[])
    assert selectors.due_warnings(web(officer)) == []
    with pytest.raises(Refused, match="報告対象と判断されていません"):
        services.record_ppc_submission(actor=web(officer), incident_id=incident.pk, kind="final",
                                       on=timezone.localdate())


def test_a_reporter_without_a_route_role_cannot_record_the_assessment(activate, make_user, report):
    activate("kokubunji")
    operator = make_user("sosasha", "operator")
    incident = report(operator)
    with pytest.raises(Refused):
        services.assess_ppc(actor=web(operator), incident_id=incident.pk, learned_at=timezone.now(),
                            categories=["system_leak"])
    assert Entry.objects.filter(action="incidents.ppc_assess", result="refused").exists()


def test_people_notified_are_recorded_by_record_id_and_a_number_is_refused(activate, make_user, report):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    services.record_person_notice(actor=web(officer), incident_id=incident.pk, record_id=12, method="mail",
                                  notified_on=timezone.localdate())
    with pytest.raises(Refused, match="個人番号"):
        services.record_person_notice(actor=web(officer), incident_id=incident.pk, record_id=123456789018,
                                      method="mail", notified_on=timezone.localdate())
    assert [n.record_id for n in incident.notices.all()] == [12]
