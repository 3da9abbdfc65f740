"""Exported bundles verify offline, without a database, and any changed byte fails."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tokutei.auditlog.bundle import verify_bundle
from tokutei.auditlog.bundle_export import ExportRefused, export_bundle

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def bundle(log_entries, tmp_path):
    log_entries(12)
    today = timezone.localdate()
    path = tmp_path / "log.jsonl"
    summary = export_bundle(path, day_from=today, day_to=today)
    assert summary["count"] == 12
    return path


def test_an_exported_bundle_verifies(bundle):
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.entries_checked == 12 and report.lanes[1][0] == 12


def test_every_single_byte_flip_is_caught(bundle):
    data = bundle.read_bytes()
    # every byte of the first line, the signature line and a sample of the middle
    positions = sorted({*range(0, 200), *range(len(data) - 200, len(data)), *range(200, len(data), 97)})
    for pos in positions:
        flipped = bytearray(data)
        flipped[pos] ^= 0x01
        bundle.write_bytes(bytes(flipped))
        assert not verify_bundle(bundle).ok, f"byte {pos} flipped unnoticed"


def test_a_removed_entry_line_is_caught(bundle):
    lines = bundle.read_bytes().splitlines(keepends=True)
    entry_lines = [i for i, line in enumerate(lines) if b'"type":"entry"' in line]
    del lines[entry_lines[3]]
    bundle.write_bytes(b"".join(lines))
    assert not verify_bundle(bundle).ok


def test_a_truncated_bundle_is_caught(bundle):
    data = bundle.read_bytes()
    bundle.write_bytes(data[: len(data) // 2])
    assert not verify_bundle(bundle).ok


def test_it_refuses_a_bundle_from_another_key_when_the_paper_fingerprint_is_given(bundle):
    assert not verify_bundle(bundle, expected_fingerprint="00" * 32).ok


def test_a_range_in_the_middle_is_anchored_by_a_signed_checkpoint(log_entries, tmp_path, dba):
    from tokutei.auditlog.models import Entry

    log_entries(4)
    yesterday = timezone.now() - dt.timedelta(days=1)
    dba.sql("UPDATE auditlog_entry SET at = %s", [yesterday])  # make 1–4 "yesterday" (rehash below)
    from tokutei.auditlog.tests.test_tamper import _rewrite_from

    dba.sql("DELETE FROM auditlog_checkpoint")
    _rewrite_from(1, dba)
    log_entries(3)
    path = tmp_path / "today.jsonl"
    today = timezone.localdate()
    summary = export_bundle(path, day_from=today, day_to=today)
    assert summary["count"] == 3
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert report.anchors[1][0] == 4 and report.entries_checked == 3 and Entry.objects.count() == 7


def test_it_refuses_to_export_a_tampered_log(log_entries, tmp_path, dba):
    log_entries(3)
    dba.sql("UPDATE auditlog_entry SET action = 'x' WHERE lane_seq = 2")
    with pytest.raises(ExportRefused, match="の2番目"):
        export_bundle(tmp_path / "x.jsonl", day_from=timezone.localdate(), day_to=timezone.localdate())


def test_the_verify_command_checks_a_bundle(bundle, capsys):
    call_command("log", "verify", "--bundle", str(bundle))
    assert "OK" in capsys.readouterr().out
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x20
    bundle.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_info:
        call_command("log", "verify", "--bundle", str(bundle))
    assert exit_info.value.code == 1


def _run_offline(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKUTEI_", "DATABASE_URL", "DJANGO"))}
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/nowhere"  # any use of a database would fail
    env["TOKUTEI_SECRET_KEY"] = "offline-verifier"
    env["TOKUTEI_DATA_DIR"] = "/nonexistent-tokutei"
    env["DJANGO_SETTINGS_MODULE"] = "tokutei.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_tokutei_command_verifies_a_bundle_with_no_database(bundle):
    done = _run_offline("-c", "from tokutei.cli import main; main()", "log", "verify", "--bundle", str(bundle))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_the_standalone_verifier_needs_no_django(bundle):
    done = _run_offline("-m", "tokutei.auditlog.bundle", str(bundle))
    assert done.returncode == 0, done.stderr
    data = bytearray(bundle.read_bytes())
    data[10] ^= 0x01
    bundle.write_bytes(bytes(data))
    assert _run_offline("-m", "tokutei.auditlog.bundle", str(bundle)).returncode == 1


def _resign(path: Path, edit) -> None:
    """Rewrite a bundle's lines with ``edit(obj)`` and sign it again with the real key: what only the key's
    holder could do. The entries must still be checked against their hashed text."""
    import hashlib
    import json

    from tokutei.auditlog import signing
    from tokutei.auditlog.bundle import _body_message, _line

    lines = [json.loads(raw) for raw in path.read_bytes().splitlines()[:-1]]
    for obj in lines:
        edit(obj)
    body = b"".join(_line(obj) for obj in lines)
    signature = signing.load_private_key().sign(_body_message(hashlib.sha512(body).digest())).hex()
    path.write_bytes(body + _line({"type": "signature", "alg": "ed25519-sha512", "signature": signature}))


def test_entries_carry_the_hashed_text_and_the_fields_it_says(bundle):
    import json

    from tokutei.auditlog.chain import parse_v2

    entries = [json.loads(raw) for raw in bundle.read_bytes().splitlines() if b'"type":"entry"' in raw]
    assert len(entries) == 12 and all(e["v"] == 2 for e in entries)
    said = parse_v2(entries[0]["canonical"].encode())
    assert said["prev_hash"] == entries[0]["prev_hash"] and {k: said[k] for k in entries[0]["fields"]} == \
        entries[0]["fields"]
    _resign(bundle, lambda obj: None)
    assert verify_bundle(bundle).ok  # the re-signing helper itself changes nothing


def test_it_names_an_entry_whose_fields_disagree_with_its_hashed_text(bundle):
    def edit(obj):
        if obj["type"] == "entry" and obj["fields"]["lane_seq"] == 5:
            obj["fields"]["target_id"] = "999"

    _resign(bundle, edit)
    report = verify_bundle(bundle)
    assert report.first_problem is not None
    assert (report.first_problem.position, report.first_problem.kind) == (5, "modified")


def test_it_names_an_entry_whose_hashed_text_was_edited(bundle):
    def edit(obj):
        if obj["type"] == "entry" and obj["fields"]["lane_seq"] == 5:
            obj["canonical"] = obj["canonical"].replace("\x1fperson\x1f", "\x1ffile\x1f")
            obj["fields"]["target_type"] = "file"

    _resign(bundle, edit)
    report = verify_bundle(bundle)
    assert report.first_problem is not None
    assert (report.first_problem.position, report.first_problem.kind) == (5, "modified")


def test_an_old_format_bundle_still_verifies(log_entries, tmp_path):
    """Bundles written before hash format 2 (format /2, canonical JSON entries) still verify."""
    from tokutei.auditlog import signing
    from tokutei.auditlog.bundle import write_bundle
    from tokutei.auditlog.chain import GENESIS, entry_hash, fingerprint, iso

    at = timezone.now()
    prev, entries = GENESIS, []
    for i in range(1, 4):
        fields = {"seq": i, "at": iso(at), "actor_id": None, "actor_username": "", "terminal_id": None,
                  "terminal_name": "", "action": "vault.view", "purpose": "", "target_type": "", "target_id": "",
                  "count": 1, "result": "ok", "article": "", "reason": "", "details": {}, "lane": 1, "lane_seq": i}
        digest = entry_hash(prev, fields)
        entries.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    key = signing.public_key()
    private = signing.load_private_key()
    from tokutei.auditlog.chain import checkpoint_message

    cp = {"lane": 1, "seq": 3, "hash": prev, "at": iso(at), "key_fingerprint": fingerprint(key)}
    cp["signature"] = private.sign(checkpoint_message(1, 3, prev, iso(at))).hex()
    header = {"format": "tokutei-auditlog-bundle/2", "count": 3, "lanes": {"1": {"seq": 0, "hash": GENESIS,
              "last": 3, "count": 3}}, "public_key": signing.public_pem(key).decode(),
              "key_fingerprint": fingerprint(key)}
    path = tmp_path / "old.jsonl"
    with path.open("wb") as out:
        write_bundle(out, header=header, checkpoints=[cp], purges=[], entries=entries,
                     sign=lambda m: private.sign(m).hex())
    assert b"tokutei-auditlog-bundle/2" in path.read_bytes()
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert report.entries_checked == 3
