"""Detection reports (R-LOG-5): unusual hours, volume, refusals, sign-in failures, reveals, terminals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tokutei.auditlog import reports

JST = dt.timezone(dt.timedelta(hours=9))
MONDAY = dt.date(2026, 11, 16)  # a business day
SUNDAY = dt.date(2026, 11, 15)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


def _run(report_fn, day_from=SUNDAY, day_to=MONDAY):
    return report_fn(Q(), day_from, day_to).findings


def test_it_flags_access_at_night_and_on_a_closed_day(write_at, clerk):
    write_at(at(MONDAY, 10), action="vault.view", actor=clerk)
    write_at(at(MONDAY, 22), action="vault.view", actor=clerk)
    write_at(at(SUNDAY, 11), action="vault.view", actor=clerk)
    found = _run(reports.off_hours)
    assert sorted(f.detail for f in found) == ["業務時間外", "閉庁日"]


def test_it_flags_a_day_far_above_the_users_usual_volume(write_at, clerk, make_user):
    steady = make_user("steady", "clerk", tasks=["payroll"])
    for days_back in range(1, 11):
        write_at(at(MONDAY - dt.timedelta(days=days_back), 10), action="vault.view", actor=steady, count=30)
    write_at(at(MONDAY, 10), action="vault.view", actor=steady, count=35)  # usual for steady
    write_at(at(MONDAY, 11), action="vault.export", actor=clerk, count=500)  # far above clerk's usual 0
    found = _run(reports.volume, MONDAY, MONDAY)
    assert [f.user for f in found] == ["clerk"]


def test_it_lists_refused_attempts_outside_the_designation(write_at, clerk):
    write_at(at(MONDAY, 10), action="vault.view", actor=clerk, result="refused", reason="指定外", article="T99 §5")
    write_at(at(MONDAY, 10), action="staff.access", actor=clerk, result="refused", reason="未登録端末")
    write_at(at(MONDAY, 10), action="approvals.approve", actor=clerk, result="refused")
    assert sorted(f.action for f in _run(reports.outside_designation)) == ["staff.access", "vault.view"]


def test_it_flags_repeated_sign_in_failures(write_at, make_terminal):
    terminal, _ = make_terminal("窓口端末1")
    for minute in range(3):
        write_at(at(MONDAY, 9, minute), action="staff.sign_in_failed", terminal=terminal,
                 details={"username": "tanaka"})
    write_at(at(MONDAY, 9, 5), action="staff.sign_in_failed", details={"username": "suzuki"})
    found = _run(reports.sign_in_failures)
    assert {(f.user, f.terminal) for f in found} == {("tanaka", ""), ("", "窓口端末1")}


def test_it_lists_every_reveal_of_a_number_by_the_record_and_the_task_name(write_at, clerk):
    write_at(at(MONDAY, 10), action="vault.reveal", actor=clerk, target_type="person", target_id=9,
             purpose="payroll")
    write_at(at(MONDAY, 10), action="vault.view", actor=clerk)
    assert [f.detail for f in _run(reports.reveals)] == ["本人 #9 目的: 給与所得の源泉徴収票作成事務"]


def test_it_flags_two_users_on_one_terminal_and_one_user_on_many(write_at, clerk, make_user, make_terminal):
    other = make_user("other", "clerk", tasks=["payroll"])
    t1, t2, t3 = (make_terminal(f"端末{i}")[0] for i in (1, 2, 3))
    write_at(at(MONDAY, 10, 0), action="staff.sign_in", actor=clerk, terminal=t1)
    write_at(at(MONDAY, 10, 10), action="staff.sign_in", actor=other, terminal=t1)
    write_at(at(MONDAY, 13), action="vault.view", actor=clerk, terminal=t2)
    write_at(at(MONDAY, 15), action="vault.view", actor=clerk, terminal=t3)
    found = _run(reports.shared_terminals)
    assert any(f.user == "clerk → other" and f.terminal == "端末1" for f in found)
    assert any(f.user == "clerk" and "1日に3台" in f.detail for f in found)


def test_a_quiet_day_has_no_findings(write_at, clerk):
    write_at(at(MONDAY, 10), action="vault.view", actor=clerk)
    assert all(not r.findings for r in reports.run_all(Q(), MONDAY, MONDAY))


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_the_analysis_page_and_downloads(client, auditor, write_at, clerk, fmt):
    write_at(at(SUNDAY, 11), action="vault.reveal", actor=clerk)
    client.force_login(auditor)
    params = {"date_from": SUNDAY.isoformat(), "date_to": MONDAY.isoformat()}
    if fmt:
        params["format"] = fmt
    response = client.get(reverse("auditlog:analysis"), params)
    assert response.status_code == 200
    if fmt == "csv":
        assert "個人番号の表示" in response.content.decode("utf-8-sig")
    elif not fmt:
        assert "閉庁日" in response.content.decode() and timezone.localdate()


def test_the_chart_counts_per_local_day(write_at, clerk):
    from tokutei.auditlog.models import Entry
    from tokutei.auditlog.selectors import daily_counts

    write_at(at(MONDAY, 0, 30), action="vault.view", actor=clerk)  # 15:30 UTC the day before
    write_at(at(MONDAY, 23, 50), action="vault.view", actor=clerk, result="refused")
    days = daily_counts(Entry.objects.all(), day_from=SUNDAY, day_to=MONDAY)
    assert days == [{"day": SUNDAY, "ok": 0, "refused": 0}, {"day": MONDAY, "ok": 1, "refused": 1}]


def test_it_counts_typing_mistakes_apart_from_refusals_by_the_access_policy(write_at, clerk):
    write_at(at(MONDAY, 10), action="vault.intake", actor=clerk, result="refused", reason="チェックデジット",
             details={"code": "check_digit"})
    write_at(at(MONDAY, 10), action="staff.access", actor=clerk, result="refused", reason="入力内容に誤りがあります",
             details={"code": "invalid_input"})
    write_at(at(MONDAY, 11), action="vault.view", actor=clerk, result="refused", reason="指定外")
    assert [f.action for f in _run(reports.outside_designation)] == ["vault.view"]
    assert sorted(f.action for f in _run(reports.input_errors)) == ["staff.access", "vault.intake"]
