"""`tokutei init` warns when the database, keys, exports and backups share a directory, and ends with the
next steps in Japanese."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tokutei.ops.layout import shared_locations

pytestmark = pytest.mark.django_db


def test_shared_directories_are_named_and_separate_ones_are_not(settings, tmp_path):
    settings.KEY_DIR = tmp_path / "keys"
    settings.EXPORT_DIR = tmp_path / "keys" / "exports"
    settings.BACKUP_DIR = tmp_path / "backups"
    warnings = shared_locations()
    assert any("鍵" in w and "持出しファイル" in w and str(settings.EXPORT_DIR) in w for w in warnings), warnings
    settings.EXPORT_DIR = tmp_path / "exports"
    assert not [w for w in shared_locations() if "持出しファイル" in w or "バックアップ" in w]


def test_init_prints_the_next_steps_and_the_layout_warning(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit_ed25519.pem"
    settings.EXPORT_DIR = settings.KEY_DIR / "exports"  # deliberately inside the key directory
    keys.reset_cache()
    out = io.StringIO()
    try:
        call_command("init", profile="sendai-kyosai", admin_password="first-admin-password-1", stdout=out)
    finally:
        keys.reset_cache()
    text = out.getvalue()
    assert "次の手順" in text and "tokutei serve" in text and "/terminal/enrol/" in text
    assert "同じディレクトリにあります" in text
