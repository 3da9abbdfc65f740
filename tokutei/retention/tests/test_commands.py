"""tokutei retention due / explain / payments: the worklist and the count, at the console (R-RET-3)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

D = dt.date
LOST = D(2015, 7, 1)


def run(*args) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_due_lists_what_may_be_disposed_of_on_the_day_given(pension_file, person_in):
    person_in(pension_file, 1, lost=LOST)
    person_in(pension_file, 2, lost=LOST)
    assert json.loads(run("due", "--on", "2026-03-31", "--json")) == []
    rows = json.loads(run("due", "--on", "2026-04-01", "--json"))
    assert [(r["record_class"], r["count"], r["due"], r["status"]) for r in rows] == [
        ("person", 2, "2026-04-01", "due")]


def test_due_exits_3_when_something_is_overdue(pension_file, person_in):
    person_in(pension_file, 1, lost=LOST)
    with pytest.raises(SystemExit) as exc:
        run("due", "--on", "2026-04-02")  # T96 has no grace: overdue the day after
    assert exc.value.code == 3


def test_explain_counts_a_rule_step_by_step_in_japanese(org):
    text = run("explain", "--rule", "system_data", "--event", "令和2年7月15日", "--on", "2026-12-03")
    assert "失権の日 令和2年7月15日" in text and "翌事業年度の初日から起算: 令和3年4月1日" in text
    assert "10年を加えた日から廃棄できます: 令和13年4月1日" in text and "根拠: 取扱規程第14条第6号" in text


def test_explain_a_person_uses_their_task_rule_and_the_payment_calendar(org, clerk, terminal, person_in, manager):
    from tokutei.policy import Actor
    from tokutei.vault.services import create_file

    payroll = create_file(actor=Actor(user=clerk, terminal=terminal), name="給与", tasks=["payroll"])
    person = person_in(payroll, 5, purpose="payroll")
    assert "給付日カレンダーにこの日より後の給付日が登録されていません" in run("explain", "--class", "person",
                                                                  "--id", str(person.pk))
    run("payments", "add", (dt.date.today() + dt.timedelta(days=20)).isoformat(), "--user", "manager")
    assert "次回の給付日" in run("explain", "--class", "person", "--id", str(person.pk))


def test_a_clerk_cannot_change_the_payment_calendar(org, clerk):
    with pytest.raises(CommandError):
        run("payments", "add", "2027-02-15", "--user", "clerk")


def test_a_recorded_start_date_counts_instead_of_the_registration(org, clerk, terminal, manager):
    from django.utils import timezone

    from tokutei.registers.models import Medium
    from tokutei.retention.selectors import find_item

    # The medium was registered in the system long after it was made: its start date is recorded.
    medium = Medium.objects.create(label="U-1", kind=Medium.Kind.USB, storage_place="金庫", created_by=clerk,
                                   created_at=timezone.now())
    before = find_item(org, "medium", str(medium.pk))
    assert before is not None and before.status == "not_due"  # registered today, kept a year
    run("event", "--class", "medium", "--id", str(medium.pk), "--event", "created", "--date", "2020-01-10",
        "--user", "clerk")
    item = find_item(org, "medium", str(medium.pk))
    assert item is not None and item.schedule.due == D(2021, 1, 10) and item.status == "overdue"
    with pytest.raises(CommandError, match="将来の日付"):
        run("event", "--class", "medium", "--id", str(medium.pk), "--event", "created", "--date", "2099-01-01",
            "--user", "clerk")
