"""`tokutei init` creates the vault's key material outside the database."""

from __future__ import annotations

import shutil
from io import StringIO

from django.core.management import call_command

from tokutei.vault import keys


def test_init_creates_master_and_index_keys_when_missing(db, key_dir):
    shutil.rmtree(key_dir)
    keys.reset_cache()
    call_command("init", profile="hyogo-kyosai", admin="admin0", admin_password="x-long-password-123",
                 stdout=StringIO())
    ring = keys.get_keyring()
    assert ring.active_master_id() == 1
    assert ring.current_indexer().version == 1
    assert (key_dir / "vault" / "master" / "000001.key").stat().st_mode & 0o777 == 0o600
