"""After a disposal's key rotation, a data backup taken before the disposal is refused on restore — in
Japanese, before anything is written — and `tokutei check` and the backup register say a new data backup is
due; a data backup taken after the rotation restores, without the disposed person (docs/keys.md §4)."""

from __future__ import annotations

from .test_backup_restore import instances, only, passfiles

__all__ = ["instances", "passfiles"]


def test_a_backup_from_before_the_disposals_rotation_is_refused_and_a_newer_one_restores(instances, passfiles,
                                                                                          tmp_path):
    data_pass, keys_pass = passfiles
    source = instances("source")
    source.init(people=5)
    out = tmp_path / "out"
    source.cli("backup", "--out", str(out / "d1"), "--passphrase-file", data_pass)  # before the deletion
    source.task("dispose_person", {"n": 2})
    pending = source.cli("check", check=False)
    assert "tokutei keys rotate" in pending.stdout + pending.stderr
    rotated = source.cli("keys", "rotate")
    assert "旧い鍵" in rotated.stdout and "破棄しました" in rotated.stdout, rotated.stdout
    due = source.cli("check", check=False)
    assert "新しいデータのバックアップを取得してください" in due.stdout + due.stderr
    assert "復元不可" in source.cli("backup", "list").stdout
    source.cli("backup", "keys", "--out", str(out / "k2"), "--passphrase-file", keys_pass)

    fresh = instances("fresh")
    refused = fresh.cli("restore", str(only(out / "d1", "tokutei-data-*")), "--passphrase-file", data_pass,
                        "--keys", str(only(out / "k2", "*.enc")), "--keys-passphrase-file", keys_pass, check=False)
    assert refused.returncode != 0 and "このバックアップは復元できません" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr

    source.cli("backup", "--out", str(out / "d2"), "--passphrase-file", data_pass)  # after the rotation
    assert "新しいデータのバックアップ" not in source.cli("check", check=False).stdout
    later = instances("later")
    later.cli("restore", str(only(out / "d2", "tokutei-data-*")), "--passphrase-file", data_pass,
              "--keys", str(only(out / "k2", "*.enc")), "--keys-passphrase-file", keys_pass)
    names = later.task("lookup", {"n": 5})["names"]
    assert names[2] is None and None not in names[:2] + names[3:] and "unreadable" not in names
