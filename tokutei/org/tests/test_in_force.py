"""Rules in force on a date (issue 21 item 2): a profile version applied ahead of its 施行日 is pending — today's
rules stay as they are — and from that day the rules in force are the new ones without anyone acting; the
change taking effect is logged once (the scheduled ``tokutei org in-force``); past operations are not re-decided."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.org import services
from tokutei.policy import Actor
from tokutei.profiles.models import ActiveProfile
from tokutei.profiles.selectors import get_profile

DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "profiles" / "data"
FAR = dt.timedelta(days=120)


@pytest.fixture
def amended(settings, tmp_path):
    """000 amended: signed-out after 5 idle minutes instead of 15 (a rule anyone notices), as a YAML file."""
    data = yaml.safe_load((DATA / "sendai-kyosai.yaml").read_text(encoding="utf-8"))
    data["authentication"]["idle_logoff_minutes"] = 5
    data["organisation"]["versions"].append({"in_force": timezone.localdate() + FAR, "note": "一部改正（テスト）"})
    path = tmp_path / "sendai-kyosai-r3.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def on_day(monkeypatch):
    """on_day(date): the clock reads that day (the project moves time by replacing ``timezone.now``)."""
    real = timezone.now

    def _move(day: dt.date):
        moment = real() + (day - timezone.localdate(real()))
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return _move


@pytest.fixture
def admin(activate, make_user):
    activate("sendai-kyosai")
    return make_user("kanri", "sys_admin")


def test_a_profile_applied_ahead_of_its_date_leaves_todays_rules_unchanged(admin, amended, client):
    day = timezone.localdate() + FAR
    row = services.apply_profile(actor=Actor.console(admin), name=str(amended), effective=day)
    assert row.effective_from == day and row.effect_logged_at is None
    assert get_profile().authentication.idle_logoff_minutes == 15
    entry = Entry.objects.get(action="system.profile_activate", result="ok")
    assert entry.details["pending"] is True and entry.details["effective_from"] == day.isoformat()
    client.force_login(admin)
    versions = client.get("/org/versions/").content.decode()
    assert "施行待ちのプロファイル" in versions and "sendai-kyosai-r3" in versions
    assert "施行待ち" in client.get("/profile/").content.decode()


def test_on_its_date_the_new_rules_apply_without_anyone_acting(admin, amended, on_day, client):
    day = timezone.localdate() + FAR
    services.apply_profile(actor=Actor.console(admin), name=str(amended), effective=day)
    on_day(day - dt.timedelta(days=1))
    assert get_profile().authentication.idle_logoff_minutes == 15  # the day before: still the old rules
    on_day(day)
    assert get_profile().authentication.idle_logoff_minutes == 5
    client.force_login(admin)
    page = client.get("/profile/").content.decode()
    assert "sendai-kyosai-r3" in page and "施行待ち" not in page


def test_the_change_taking_effect_is_logged_once_by_the_scheduled_job(admin, amended, on_day):
    day = timezone.localdate() + FAR
    before = ActiveProfile.objects.get()
    row = services.apply_profile(actor=Actor.console(admin), name=str(amended), effective=day)
    call_command("org", "in-force")  # before the day: nothing to record
    assert not Entry.objects.filter(action="system.profile_in_force").exists()
    on_day(day + dt.timedelta(days=2))  # the job did not run on the day itself: the entry still names the day
    call_command("org", "in-force")
    call_command("org", "in-force")
    entry = Entry.objects.get(action="system.profile_in_force")
    assert entry.target_id == str(row.pk) and entry.details["effective_from"] == day.isoformat()
    assert entry.details["from_sha256"] == before.sha256 and entry.details["in_force_now"] is True
    assert entry.actor_id is None  # the system itself, not a member of staff


def test_a_date_in_the_past_is_refused_past_operations_are_not_re_decided(admin, amended):
    with pytest.raises(Refused, match="過去"):
        services.apply_profile(actor=Actor.console(admin), name=str(amended),
                               effective=timezone.localdate() - dt.timedelta(days=1))
    assert Entry.objects.get(action="system.profile_activate", result="refused").details["code"] == "past_date"
    assert get_profile().authentication.idle_logoff_minutes == 15


def test_the_console_command_applies_a_file_from_a_date(admin, amended, capsys):
    day = timezone.localdate() + FAR
    call_command("org", "apply-profile", str(amended), "--as", "kanri", "--effective", day.isoformat())
    assert "施行待ち" in capsys.readouterr().out
    assert ActiveProfile.objects.filter(effective_from=day).count() == 1
    call_command("org", "versions")
    assert f"施行待ち {day.isoformat()}" in capsys.readouterr().out


def test_the_profile_in_force_is_still_one_query_per_request(admin, amended, django_assert_num_queries):
    from tokutei.core import memo

    services.apply_profile(actor=Actor.console(admin), name=str(amended), effective=timezone.localdate() + FAR)
    get_profile()  # parsed once
    with memo.request_scope(), django_assert_num_queries(1):
        get_profile()
        get_profile()
