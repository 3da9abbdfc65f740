"""The checkpoint key: a 0600 file outside the database, never overwritten; console commands."""

from __future__ import annotations

import stat

import pytest
from django.core.management import call_command
from django.utils import timezone

from tokutei.auditlog import signing
from tokutei.auditlog.models import Checkpoint


def test_it_creates_the_key_once_with_mode_0600(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "k" / "audit.pem"
    path = signing.ensure_keys()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    signing.ensure_keys()
    assert path.read_bytes() == first
    assert signing.public_key_path().read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_the_checkpoint_command_prints_what_to_keep_on_paper(org, log_entries, capsys):
    log_entries(3)
    call_command("log", "checkpoint")
    out = capsys.readouterr().out
    cp = Checkpoint.objects.get(reason="manual")
    assert f"--expect {cp.lane}:{cp.seq}:{cp.hash}" in out
    call_command("log", "verify", "--expect", f"{cp.lane}:{cp.seq}:{cp.hash}", "--no-checkpoint")


def test_the_export_and_public_key_commands(log_entries, tmp_path, capsys, signing_key):
    log_entries(2)
    today = timezone.localdate().isoformat()
    call_command("log", "export", "--from", today, "--to", today, "--out", str(tmp_path / "b.jsonl"))
    assert "書き出しました" in capsys.readouterr().out
    call_command("log", "public-key")
    assert signing.fingerprint(signing_key) in capsys.readouterr().out


def test_verify_warns_loudly_when_the_disk_is_nearly_full(log_entries, settings, capsys):
    log_entries(1)
    settings.AUDIT_DISK_MIN_FREE_PERCENT = 100.0
    call_command("log", "verify", "--no-checkpoint")
    assert "ディスクの空き容量が少なくなっています" in capsys.readouterr().out


def test_the_demo_signs_off_a_review_and_a_checkpoint(org, auditor, signing_key):
    from tokutei.auditlog.demo import load
    from tokutei.auditlog.models import LogReview

    lines = load()
    assert LogReview.objects.get().reviewer == auditor
    assert Checkpoint.objects.filter(reason="manual").exists() and len(lines) == 2


def test_the_checkpoint_command_refuses_a_staff_member_the_profile_does_not_name(org, log_entries, make_user,
                                                                               capsys):
    from tokutei.auditlog.models import Entry

    clerk = make_user("tanto", "clerk", tasks=["payroll"])
    log_entries(3)
    with pytest.raises(SystemExit) as exit_info:
        call_command("log", "checkpoint", "--actor", "tanto")
    assert exit_info.value.code == 1 and "拒否" in capsys.readouterr().err
    assert not Checkpoint.objects.filter(reason="manual").exists()
    refused = Entry.objects.get(action="log.checkpoint", result="refused", actor_id=clerk.pk)
    assert refused.article == "T99 §16"


def test_an_auditor_signs_a_checkpoint_at_the_console_and_it_is_logged(org, log_entries, make_user, capsys):
    from tokutei.auditlog.models import Entry

    auditor = make_user("kansa", "auditor")
    log_entries(3)
    call_command("log", "checkpoint", "--actor", "kansa")
    assert Checkpoint.objects.filter(reason="manual").exists()
    assert Entry.objects.get(action="log.checkpoint", result="ok").actor_id == auditor.pk
