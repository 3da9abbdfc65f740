"""A report reaches the right people for each shipped profile, in the profile's order (R-INC-2), the
absent 保護管理者's step goes to the 総括保護管理者 in 003 (R-INC-3, E-42), an unacknowledged step
escalates after the profile's time, and every step is in the log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.incidents import services
from tokutei.incidents.models import RouteStep
from tokutei.policy import Actor

from .conftest import web


def told(incident) -> list[tuple[str, list[str]]]:
    return [(s.to_role, sorted(r.user.username for r in s.recipients.all()))
            for s in RouteStep.objects.filter(incident=incident).order_by("index")]


def test_000_an_operators_report_goes_to_the_system_administrator(activate, make_user, report):
    activate("sendai-kyosai")
    operator = make_user("sosasha", "operator", tasks=["p1"])
    make_user("kanri", "sys_admin")
    incident = report(operator)
    assert told(incident) == [("sys_admin", ["kanri"])]
    assert Entry.objects.filter(action="incidents.report", target_id=str(incident.pk)).exists()
    assert Entry.objects.filter(action="incidents.route", target_id=str(incident.pk)).count() == 1


def test_001_the_security_officer_reports_to_the_mayor_and_the_general_head_at_once(activate, make_user, report):
    # 001 §9.1: セキュリティ責任者は市長及び総括責任者に報告 — both are told when the officer passes it on
    activate("kokubunji")
    operator = make_user("sosasha", "operator")
    officer, mayor, head = make_user("sekinin", "sec_officer"), make_user("shicho", "mayor"), make_user("sokatsu", "general_head")
    incident = report(operator)
    assert told(incident) == [("sec_officer", ["sekinin"])]
    services.acknowledge(actor=web(officer), incident_id=incident.pk)
    assert told(incident) == [("sec_officer", ["sekinin"]), ("mayor", ["shicho"]), ("general_head", ["sokatsu"])]
    services.acknowledge(actor=web(head), incident_id=incident.pk)  # each acknowledges on their own
    services.acknowledge(actor=web(mayor), incident_id=incident.pk)
    assert Entry.objects.filter(action="incidents.acknowledge", target_id=str(incident.pk)).count() == 3
    assert len(told(incident)) == 3


def test_001_the_security_officers_own_report_reaches_both_at_once(activate, make_user, report):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    make_user("shicho", "mayor"), make_user("sokatsu", "general_head")
    assert told(report(officer)) == [("mayor", ["shicho"]), ("general_head", ["sokatsu"])]


def test_002_staff_report_to_their_own_units_manager_first(activate, make_user, report, unit, other_unit):
    activate("sayama")
    staff = make_user("tanto", "staff", tasks=["juki"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    make_user("kacho2", "pm", unit=other_unit)
    make_user("sokatsu", "general_pm")
    make_user("ciso", "ciso")
    incident = report(staff)
    assert told(incident) == [("pm", ["kacho"])]
    services.acknowledge(actor=web(pm), incident_id=incident.pk)
    assert told(incident)[-1] == ("general_pm", ["sokatsu"])


def test_002_a_managers_own_report_goes_straight_to_the_general_manager(activate, make_user, report, unit):
    activate("sayama")
    pm = make_user("kacho", "pm", unit=unit)
    make_user("sokatsu", "general_pm")
    assert told(report(pm)) == [("general_pm", ["sokatsu"])]


def test_003_the_handling_manager_then_the_protection_manager(activate, make_user, report, unit):
    activate("inabe")
    handler = make_user("tanto", "handler", tasks=["juminzei"], unit=unit)
    mgr = make_user("sekininsha", "handling_mgr", tasks=["juminzei"], unit=unit)
    make_user("kacho", "pm", unit=unit)
    incident = report(handler)
    assert told(incident) == [("handling_mgr", ["sekininsha"])]
    services.acknowledge(actor=web(mgr), incident_id=incident.pk)
    assert told(incident)[-1] == ("pm", ["kacho"])


def test_003_an_absent_protection_manager_is_replaced_by_the_general_protection_manager(
        activate, make_user, report, unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", tasks=["juminzei"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    make_user("sokatsu", "general_pm")
    today = timezone.localdate()
    services.record_absence(actor=web(pm), user_id=pm.pk, start_date=today, end_date=today + dt.timedelta(days=3),
                            reason="出張")
    incident = report(mgr)
    step = RouteStep.objects.get(incident=incident)
    assert (step.role_key, step.to_role, step.redirect) == ("pm", "general_pm", "absent")
    assert told(incident) == [("general_pm", ["sokatsu"])]
    logged = Entry.objects.get(action="incidents.route", target_id=str(incident.pk))
    assert logged.details["redirect"] == "absent" and logged.article == "003 §8"


def test_003_once_the_absence_is_cancelled_the_protection_manager_is_told_again(activate, make_user, report, unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", tasks=["juminzei"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    make_user("sokatsu", "general_pm")
    today = timezone.localdate()
    absence = services.record_absence(actor=web(pm), user_id=pm.pk, start_date=today, end_date=today)
    services.cancel_absence(actor=web(pm), absence_id=absence.pk)
    assert told(report(mgr)) == [("pm", ["kacho"])]


def test_004_a_handlers_report_goes_to_the_protection_officer(activate, make_user, report):
    activate("hyogo-kyosai")
    handler = make_user("tanto", "handler", tasks=["kumiaiin"])
    make_user("sekinin", "protection_officer")
    assert told(report(handler)) == [("protection_officer", ["sekinin"])]


def test_only_a_recipient_acknowledges_and_the_refusal_is_logged(activate, make_user, report):
    activate("kokubunji")
    operator = make_user("sosasha", "operator")
    make_user("sekinin", "sec_officer")
    incident = report(operator)
    with pytest.raises(Refused, match="受領できる報告がありません"):
        services.acknowledge(actor=web(operator), incident_id=incident.pk)
    assert Entry.objects.filter(action="incidents.acknowledge", result="refused").exists()
    assert RouteStep.objects.get(incident=incident).acknowledged_at is None


def test_an_unacknowledged_step_escalates_after_the_profiles_time(activate, make_user, report):
    profile = activate("kokubunji")
    operator = make_user("sosasha", "operator")
    make_user("sekinin", "sec_officer")
    make_user("shicho", "mayor")
    incident = report(operator)
    hours = profile.incident.escalate_after_hours
    assert services.escalate_overdue(actor=Actor.system(), now=timezone.now() + dt.timedelta(hours=hours - 1)) == 0
    assert services.escalate_overdue(actor=Actor.system(), now=timezone.now() + dt.timedelta(hours=hours, minutes=1)) == 1
    assert told(incident)[1] == ("mayor", ["shicho"])  # with the 総括責任者 (nobody holds it here), 001 §9.1
    assert RouteStep.objects.get(incident=incident, index=0).escalated_at is not None
    assert Entry.objects.filter(action="incidents.escalate", target_id=str(incident.pk)).count() == 1


def test_the_escalate_command_runs_as_the_system(activate, make_user, report, capsys):
    activate("kokubunji")
    make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    RouteStep.objects.filter(incident=incident).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("incidents", "escalate")
    assert "1 件" in capsys.readouterr().out
    assert Entry.objects.filter(action="incidents.escalate", actor_id=None).count() == 1


def test_a_step_nobody_holds_is_passed_on_at_once(activate, make_user, report):
    activate("kokubunji")
    make_user("shicho", "mayor")  # no 住基ネット情報セキュリティ責任者 is designated
    incident = report(make_user("sosasha", "operator"))
    assert told(incident) == [("sec_officer", []), ("mayor", ["shicho"]), ("general_head", [])]  # 001 §9.1: together
    assert RouteStep.objects.get(incident=incident, index=0).redirect == "no_holder"


def test_a_colleague_cannot_mark_someone_else_absent(activate, make_user):
    activate("inabe")
    a, b = make_user("a", "handler", tasks=["juminzei"]), make_user("b", "handler", tasks=["juminzei"])
    today = timezone.localdate()
    with pytest.raises(Refused, match="管理者"):
        services.record_absence(actor=web(a), user_id=b.pk, start_date=today, end_date=today)
    assert Entry.objects.filter(action="incidents.absence", result="refused").exists()


def test_a_manager_marks_someone_absent(activate, make_user):
    activate("inabe")
    boss, pm = make_user("sokatsu", "general_pm"), make_user("kacho", "pm")
    today = timezone.localdate()
    services.record_absence(actor=web(boss), user_id=pm.pk, start_date=today, end_date=today)
    assert pm.absences.count() == 1


def test_003_a_report_already_waiting_goes_to_the_general_manager_when_the_manager_is_marked_absent(
        activate, make_user, report, unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", tasks=["juminzei"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    boss = make_user("sokatsu", "general_pm")
    incident = report(mgr)
    assert told(incident) == [("pm", ["kacho"])]
    today = timezone.localdate()
    services.record_absence(actor=web(boss), user_id=pm.pk, start_date=today, end_date=today)
    assert told(incident) == [("general_pm", ["kacho", "sokatsu"])]
    step = RouteStep.objects.get(incident=incident)
    assert step.redirect == "absent"
    services.acknowledge(actor=web(boss), incident_id=incident.pk)
    assert RouteStep.objects.get(incident=incident).acknowledged_by == boss


def test_003_an_absence_from_tomorrow_leaves_todays_report_with_the_manager(activate, make_user, report, unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", tasks=["juminzei"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    make_user("sokatsu", "general_pm")
    incident = report(mgr)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.record_absence(actor=web(pm), user_id=pm.pk, start_date=tomorrow, end_date=tomorrow)
    assert told(incident) == [("pm", ["kacho"])]


def test_003_the_scheduler_redirects_a_waiting_report_when_the_managers_absence_begins(
        activate, make_user, report, unit):
    activate("inabe")
    mgr = make_user("sekininsha", "handling_mgr", tasks=["juminzei"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    make_user("sokatsu", "general_pm")
    incident = report(mgr)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.record_absence(actor=web(pm), user_id=pm.pk, start_date=tomorrow, end_date=tomorrow)
    next_morning = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(8, 0)))
    services.escalate_overdue(actor=Actor.system(), now=next_morning)
    assert told(incident) == [("general_pm", ["kacho", "sokatsu"])]
    assert Entry.objects.filter(action="incidents.route", target_id=str(incident.pk), actor_id=None).exists()


def test_002_a_particularly_serious_incident_goes_to_every_remaining_step_at_once(activate, make_user, report, unit):
    activate("sayama")
    pm = make_user("kacho", "pm", unit=unit)
    make_user("sokatsu", "general_pm")
    make_user("ciso", "ciso")
    incident = report(make_user("tanto", "staff", unit=unit))
    services.report_serious(actor=web(pm), incident_id=incident.pk, reason="外部への大量漏えいのおそれ")
    assert told(incident) == [("pm", ["kacho"]), ("general_pm", ["sokatsu"]), ("ciso", ["ciso"])]
    assert incident.timeline.get().kind == "decision"
    assert Entry.objects.filter(action="incidents.serious", actor_id=pm.pk).exists()


def test_001_the_security_officer_tells_the_mayor_and_the_general_head_together_in_a_serious_case(
        activate, make_user, report, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    make_user("shicho", "mayor")
    make_user("sokatsu", "general_head")
    incident = report(make_user("sosasha", "operator"))
    client.force_login(officer)
    assert "特に重大な事案として" in client.get(f"/incidents/{incident.pk}/").content.decode()
    client.post(f"/incidents/{incident.pk}/serious/", {"reason": "住基ネットに回復不能な異常"})
    assert [r for r, _ in told(incident)] == ["sec_officer", "mayor", "general_head"]


def test_only_someone_the_report_reached_may_call_it_serious(activate, make_user, report):
    activate("sayama")
    staff = make_user("tanto", "staff")
    make_user("kacho", "pm")
    incident = report(staff)
    with pytest.raises(Refused, match="この報告を受けた人"):
        services.report_serious(actor=web(staff), incident_id=incident.pk, reason="至急")
    assert RouteStep.objects.filter(incident=incident).count() == 1
