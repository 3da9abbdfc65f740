"""Backup while the system is written to, restore into a fresh instance, prove it whole — with real
processes, on the engine under test (SQLite, or PostgreSQL with TOKUTEI_TEST_DATABASE_URL)."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
from pathlib import Path

import pytest

from tokutei.ops import archive

from .instance import Instance

DATA_PASS, KEYS_PASS = "data passphrase for tests 1", "keys passphrase for tests 2"


@pytest.fixture
def instances(tmp_path):
    made: list[Instance] = []

    def make(name: str) -> Instance:
        inst = Instance(tmp_path / name, os.environ.get("TOKUTEI_TEST_DATABASE_URL"))
        made.append(inst)
        return inst

    yield make
    for inst in made:
        inst.close()


@pytest.fixture
def passfiles(tmp_path):
    data, keys = tmp_path / "data.pass", tmp_path / "keys.pass"
    data.write_text(DATA_PASS + "\n")
    keys.write_text(KEYS_PASS + "\n")
    return str(data), str(keys)


def only(folder: Path, pattern: str) -> Path:
    (found,) = sorted(folder.glob(pattern))
    return found


def decrypt(path: Path, passphrase: str) -> bytes:
    out = io.BytesIO()
    with open(path, "rb") as fh:
        archive.decrypt_to(fh, out, passphrase)
    return out.getvalue()


def test_a_backup_taken_while_people_are_added_restores_whole_into_a_fresh_instance(instances, passfiles, tmp_path):
    data_pass, keys_pass = passfiles
    source = instances("source")
    source.init(people=60)
    out = tmp_path / "out"
    stop, started = tmp_path / "stop", tmp_path / "started"
    writer = source.popen_task("write", {"stop": str(stop), "started": str(started)})
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
        source.cli("backup", "--out", str(out), "--passphrase-file", data_pass, "--location", "本庁舎 金庫",
                   "--custodian", "情報政策課長")
        source.cli("backup", "keys", "--out", str(out), "--passphrase-file", keys_pass,
                   "--data-passphrase-file", data_pass, "--location", "分庁舎 金庫", "--custodian", "総務課長")
    finally:
        stop.touch()
        assert writer.wait(timeout=120) == 0, writer.stderr.read() if writer.stderr else ""
    folder, key_file = only(out, "tokutei-data-*"), only(out, "tokutei-keys-*.enc")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["people"] >= 60

    # No backup file holds both data and keys.
    master = next((source.data_dir / "keys" / "vault" / "master").iterdir()).read_bytes()
    database = decrypt(only(folder, "database.*.enc"), DATA_PASS)
    assert master not in database and len(database) > 10_000
    files = tarfile.open(fileobj=io.BytesIO(decrypt(folder / "files.tar.enc", DATA_PASS)))
    assert not [m for m in files.getnames() if "key" in m or "secret" in m]
    keys = tarfile.open(fileobj=io.BytesIO(decrypt(key_file, KEYS_PASS)))
    assert "secret_key" in keys.getnames() and not [m for m in keys.getnames() if "sqlite" in m]
    assert all(b"SQLite format" not in (keys.extractfile(m) or io.BytesIO()).read() for m in keys.getmembers())
    with pytest.raises(archive.ArchiveError):
        decrypt(key_file, DATA_PASS)

    listed = source.cli("backup", "list").stdout
    assert "本庁舎 金庫" in listed and "分庁舎 金庫" in listed

    target = instances("target")
    restored = target.cli("restore", str(folder), "--passphrase-file", data_pass, "--keys", str(key_file),
                          "--keys-passphrase-file", keys_pass, "--json")
    result = json.loads(restored.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["counts_ok"] and result["log_ok"], result
    assert "OK" in target.cli("log", "verify").stdout
    counts = target.task("counts")
    # An import that lost a lock cycle to pg_dump is abandoned after the snapshot and its file shredded: the
    # restore replays that deletion (its tombstone is in the later key backup), as the source has it now.
    assert counts["people"] == manifest["people"] - (counts["replayed"] or {}).get("people_erased", 0)
    assert counts["entries"] == manifest["counts"]["auditlog_entry"] + 1  # + the restore's own entry
    assert target.task("lookup", {"n": 60}) == source.task("lookup", {"n": 60})
    assert None not in target.task("lookup", {"n": 60})["names"]
    check = target.cli("check", check=False)
    assert "keys: " in check.stdout and "[異常] keys" not in check.stdout, check.stdout

    # A restore never overwrites an instance in use.
    again = target.cli("restore", str(folder), "--passphrase-file", data_pass, check=False)
    assert again.returncode != 0 and "空" in again.stderr


def test_a_disposed_file_stays_unreadable_after_restoring_a_backup_taken_before_the_disposal(instances, passfiles,
                                                                                            tmp_path):
    data_pass, keys_pass = passfiles
    source = instances("source")
    source.init(people=20)
    out = tmp_path / "out"
    source.cli("backup", "keys", "--out", str(out / "k1"), "--passphrase-file", keys_pass)
    source.cli("backup", "--out", str(out / "d1"), "--passphrase-file", data_pass)
    assert source.task("shred", {"file": "最初のファイル"})["destroyed"]
    source.cli("backup", "keys", "--out", str(out / "k2"), "--passphrase-file", keys_pass)
    source.cli("backup", "--out", str(out / "d2"), "--passphrase-file", data_pass)
    d1, d2 = only(out / "d1", "tokutei-data-*"), only(out / "d2", "tokutei-data-*")
    k1, k2 = only(out / "k1", "*.enc"), only(out / "k2", "*.enc")

    # The data from before the disposal, with the keys from after it: the people are neither readable nor
    # found by their 個人番号 — the restore erases what a destroyed key sealed, blind indexes included.
    fresh = instances("fresh")
    fresh.cli("restore", str(d1), "--passphrase-file", data_pass, "--keys", str(k2), "--keys-passphrase-file",
              keys_pass)
    assert set(fresh.task("lookup", {"n": 20})["names"]) == {None}

    # The keys from before the disposal with data that saw it: refused (it would revive a destroyed key).
    stale = instances("stale")
    refused = stale.cli("restore", str(d2), "--passphrase-file", data_pass, "--keys", str(k1),
                        "--keys-passphrase-file", keys_pass, check=False)
    assert refused.returncode != 0 and "破棄済みの鍵" in refused.stderr, refused.stderr
    revived = stale.cli("restore", str(d2), "--passphrase-file", data_pass, "--destroy-revived-keys")
    assert "一致" in revived.stdout
    assert set(stale.task("lookup", {"n": 20})["names"]) == {None}


def test_a_person_deleted_after_a_backup_stays_deleted_when_that_backup_is_restored(instances, passfiles, tmp_path):
    """Tombstones in the key store are replayed on restore (docs/keys.md §4): neither the person's data nor
    their blind indexes come back, the others do, and the log verifies and shows the deletion."""
    data_pass, keys_pass = passfiles
    source = instances("source")
    source.init(people=5)
    out = tmp_path / "out"
    source.cli("backup", "--out", str(out / "d1"), "--passphrase-file", data_pass)  # before the deletion
    source.task("dispose_person", {"n": 2})
    assert source.task("lookup", {"n": 5})["names"][2] is None
    source.cli("backup", "keys", "--out", str(out / "k2"), "--passphrase-file", keys_pass)  # after it
    fresh = instances("fresh")
    fresh.cli("restore", str(only(out / "d1", "tokutei-data-*")), "--passphrase-file", data_pass,
              "--keys", str(only(out / "k2", "*.enc")), "--keys-passphrase-file", keys_pass)
    names = fresh.task("lookup", {"n": 5})["names"]
    assert names[2] is None  # not found by its 個人番号: the blind index went with the data
    assert None not in names[:2] + names[3:] and "unreadable" not in names
    assert fresh.task("counts")["replayed"] == {"tombstones": 1, "people_erased": 1, "numbers_erased": 0}  # recorded with the restore
    assert source.task("counts")["disposals"] == 2  # the live log shows the deletion (the list and the person)
    assert fresh.cli("log", "verify", check=False).returncode == 0


def test_a_restore_drill_is_recorded_as_evidence(instances, passfiles, tmp_path):
    data_pass, keys_pass = passfiles
    source = instances("source")
    source.init(people=10)
    out = tmp_path / "out"
    source.cli("backup", "--out", str(out), "--passphrase-file", data_pass)
    source.cli("backup", "keys", "--out", str(out), "--passphrase-file", keys_pass)
    drill = source.cli("restore", "drill", str(only(out, "tokutei-data-*")), "--keys", str(only(out, "*.enc")),
                       "--passphrase-file", data_pass, "--keys-passphrase-file", keys_pass)
    assert "復元訓練を記録しました" in drill.stdout and "成功" in drill.stdout, drill.stdout
    actions = source.cli("log", "export", "--help", check=False)  # the CLI still answers after the drill
    assert actions.returncode == 0
