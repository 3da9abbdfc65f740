"""Backups and their register follow the one policy: only a system administrator — at the console, or
the scheduler — takes them, and every refusal is in the log with the profile's storage article."""

from __future__ import annotations

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.ops.backup import take_data_backup, take_key_backup
from tokutei.ops.models import BackupCopy
from tokutei.ops.services import set_backup_location
from tokutei.policy import Actor

PASS = "a long enough passphrase for the test"


def refusals(action: str):
    return Entry.objects.filter(action=action, result=Entry.Result.REFUSED)


@pytest.mark.parametrize("take, action", [(take_data_backup, "system.backup"),
                                          (take_key_backup, "system.backup_keys")])
def test_a_clerk_at_the_console_cannot_take_a_backup_and_the_refusal_is_logged(org, clerk, tmp_path, take, action):
    with pytest.raises(Refused) as exc:
        take(out_dir=tmp_path, passphrase=PASS, actor=Actor.console(clerk))
    # the storage article where the profile names one, else the regulation's general provisions
    assert exc.value.article == (org.storage.article if org.storage.article != "—" else org.organisation.article)
    assert refusals(action).get().actor_id == clerk.pk
    assert not any(tmp_path.iterdir()), "nothing is written before the decision"
    assert not BackupCopy.objects.exists()


def test_only_an_administrator_moves_a_copy_in_the_backup_register(org, clerk, sysadmin):
    copy = BackupCopy.objects.create(kind="data", name="tokutei-data-x", sha256="0" * 64, size_bytes=1,
                                     created_at="2026-12-01T10:00:00+09:00")
    with pytest.raises(Refused):
        set_backup_location(backup=copy, location="金庫2", custodian="山田", actor=Actor.console(clerk))
    assert refusals("system.backup_register").count() == 1
    copy.refresh_from_db()
    assert copy.location == ""
    set_backup_location(backup=copy, location="金庫2", custodian="山田", actor=Actor.console(sysadmin))
    copy.refresh_from_db()
    assert copy.location == "金庫2"
    assert Entry.objects.filter(action="system.backup_register", result="ok", actor_id=sysadmin.pk).exists()


def test_the_backup_register_can_be_kept_by_the_scheduler(org):
    copy = BackupCopy.objects.create(kind="data", name="tokutei-data-y", sha256="0" * 64, size_bytes=1,
                                     created_at="2026-12-01T10:00:00+09:00")
    set_backup_location(backup=copy, location="別館", custodian="当直", actor=Actor.system())
    assert Entry.objects.filter(action="system.backup_register", result="ok", actor_id=None).exists()
