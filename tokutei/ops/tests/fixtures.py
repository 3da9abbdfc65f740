"""Fixtures of the operations tests (imported by the test modules)."""

from __future__ import annotations

import pytest


@pytest.fixture
def keys(settings, tmp_path):
    """Fresh vault keys and a log signing key in a temporary key directory."""
    from tokutei.auditlog import signing
    from tokutei.vault import keys as vault_keys

    settings.KEY_DIR = tmp_path / "keys"
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit_ed25519.pem"
    vault_keys.reset_cache()
    vault_keys.ensure_keys()
    signing.ensure_keys()
    yield settings.KEY_DIR
    vault_keys.reset_cache()


@pytest.fixture
def org(activate):
    return activate("T99")


@pytest.fixture
def sysadmin(org, make_user):
    return make_user("sysadmin", "sysadmin")


@pytest.fixture
def clerk(org, make_user):
    return make_user("clerk", "clerk", tasks=["payroll"])
