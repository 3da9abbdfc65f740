"""Retention purge (R-LOG-2, E-35): only entries past retention, never earlier; the rest stays verifiable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tokutei.auditlog.models import Entry, PurgeRecord
from tokutei.auditlog.services import _subtract, purge, retention_cutoff
from tokutei.auditlog.verify import verify_database
from tokutei.core.errors import Refused
from tokutei.policy import Actor


@pytest.fixture
def aged_log(org, log_entries, monkeypatch):
    """Three entries written two years ago, then two today (T99 keeps the log for one year)."""
    real_now = timezone.now
    two_years_ago = real_now() - dt.timedelta(days=730)
    monkeypatch.setattr(timezone, "now", lambda: two_years_ago)
    log_entries(3)
    monkeypatch.setattr(timezone, "now", real_now)
    log_entries(2)
    return log_entries


def _cutoff() -> dt.datetime:
    cutoff, _ = retention_cutoff()
    assert cutoff is not None  # T99 keeps the log for one year
    return cutoff


def test_the_boundary_is_one_year_for_t99(org):
    cutoff, article = retention_cutoff(dt.date(2026, 6, 30))
    assert cutoff is not None
    assert cutoff.date() == dt.date(2025, 6, 30) and article == "T99 §16"


def test_seven_years_back_from_a_leap_day_lands_on_the_28th():
    from tokutei.profiles.schema import Period

    assert _subtract(Period(years=7), dt.date(2028, 2, 29)) == dt.date(2021, 2, 28)
    assert _subtract(Period(years=1, months=2), dt.date(2026, 1, 15)) == dt.date(2024, 11, 15)


def test_it_refuses_and_logs_a_purge_before_retention_ends(aged_log, make_user):
    sysadmin = make_user("sysadmin", "sysadmin")
    with pytest.raises(Refused, match="保存期間") as exc_info:
        purge(before=timezone.now(), actor=Actor.console(sysadmin))
    assert exc_info.value.article == "T99 §16"
    assert Entry.objects.filter(action="log.purge", result="refused", actor_id=sysadmin.pk).exists()
    assert not PurgeRecord.objects.exists()
    assert Entry.objects.filter(lane_seq__lte=3).count() == 3


def test_it_removes_only_entries_past_retention_and_the_rest_verifies(aged_log):
    cutoff = _cutoff()
    [record] = purge(before=cutoff)
    assert (record.lane, record.through_seq, record.removed) == (1, 3, 3)
    assert list(Entry.objects.values_list("lane_seq", flat=True)) == [4, 5, 6]  # 6 = the log.purge entry
    assert Entry.objects.get(lane_seq=6).action == "log.purge"
    report = verify_database(make_checkpoint=False)
    assert report.ok, report.problems
    assert report.anchors[1][0] == 3


def test_deleting_the_oldest_remaining_entry_after_a_purge_is_caught(aged_log, dba):
    cutoff = _cutoff()
    purge(before=cutoff)
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq = 4")
    problem = verify_database(make_checkpoint=False).first_problem
    assert problem is not None
    assert (problem.position, problem.kind) == (4, "missing")


def test_a_forged_purge_record_does_not_hide_a_deletion(aged_log, dba):
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq <= 3")
    PurgeRecord.objects.create(through_seq=3, anchor_hash=Entry.objects.get(lane_seq=4).prev_hash,
                               before=timezone.now(), removed=3, at=timezone.now(), signature="00" * 64,
                               key_fingerprint="f" * 64)
    problem = verify_database(make_checkpoint=False).first_problem
    assert problem is not None
    assert (problem.position, problem.kind) == (3, "forged_anchor")


def test_it_refuses_to_purge_a_tampered_log(aged_log, dba):
    dba.sql("UPDATE auditlog_entry SET target_id = 'x' WHERE lane_seq = 2")
    cutoff = _cutoff()
    with pytest.raises(Refused, match="検証に失敗"):
        purge(before=cutoff)
    assert Entry.objects.filter(lane_seq__lte=3).count() == 3


def test_a_bundle_starting_right_after_a_purge_verifies(aged_log, tmp_path):
    from tokutei.auditlog.bundle import verify_bundle
    from tokutei.auditlog.bundle_export import export_bundle

    cutoff = _cutoff()
    purge(before=cutoff)
    path = tmp_path / "after.jsonl"
    export_bundle(path, day_from=timezone.localdate(), day_to=timezone.localdate())
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert report.anchors[1][0] == 3


def test_the_purge_command_exits_1_when_refused(aged_log, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("log", "purge", "--before", timezone.localdate().isoformat())
    assert exit_info.value.code == 1
    assert "拒否" in capsys.readouterr().err


def test_the_purge_command_purges_old_entries(aged_log, capsys):
    cutoff = _cutoff()
    call_command("log", "purge", "--before", cutoff.date().isoformat())
    assert "3件を消去" in capsys.readouterr().out


# --- the policy decides who purges (log.purge: the profile's system administrators, or the system) --------


def test_the_purge_command_refuses_a_staff_member_who_is_not_a_system_administrator(aged_log, make_user, capsys):
    auditor = make_user("kansa", "auditor")
    with pytest.raises(SystemExit) as exit_info:
        call_command("log", "purge", "--before", _cutoff().date().isoformat(), "--actor", "kansa")
    assert exit_info.value.code == 1
    assert "システム管理者" in capsys.readouterr().err
    refused = Entry.objects.get(action="log.purge", result="refused", actor_id=auditor.pk)
    assert refused.article == "T99 §16" and refused.details["channel"] == "console"
    assert not PurgeRecord.objects.exists() and Entry.objects.filter(lane_seq__lte=3).count() == 3


def test_a_system_administrator_at_the_console_purges(aged_log, make_user, capsys):
    sysadmin = make_user("sysadmin", "sysadmin")
    call_command("log", "purge", "--before", _cutoff().date().isoformat(), "--actor", "sysadmin")
    assert "3件を消去" in capsys.readouterr().out
    assert Entry.objects.get(action="log.purge", result="ok").actor_id == sysadmin.pk
