from __future__ import annotations

import pytest


@pytest.fixture
def signing_key(settings, tmp_path):
    """A fresh Ed25519 checkpoint key in a temporary key directory."""
    from tokutei.auditlog import signing

    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit_ed25519.pem"
    signing.ensure_keys()
    return signing.public_key()



@pytest.fixture
def log_entries(db, signing_key, settings):
    """write(n) appends n entries (checkpoints every 5), each in its own transaction."""
    from django.db import transaction

    from tokutei.auditlog.services import record

    settings.AUDIT_CHECKPOINT_EVERY = 5

    def write(n: int, **kwargs):
        out = []
        for i in range(n):
            with transaction.atomic():
                args = {"action": "vault.view", "target_type": "person", "target_id": i + 1,
                        "details": {"i": i}, **kwargs}
                out.append(record(**args))
        return out

    return write


@pytest.fixture
def dba(db):
    """Direct SQL as a DBA who first disables the append-only triggers."""
    from django.db import connection

    from tokutei.auditlog import guards

    class DBA:
        def sql(self, statement: str, params=None):
            guards.drop(connection)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(statement, params or [])
            finally:
                guards.install(connection)

    return DBA()






@pytest.fixture
def write_at(db, monkeypatch):
    """write_at(datetime, action=..., actor=..., ...) appends one entry dated ``datetime``."""
    from django.utils import timezone

    from tokutei.auditlog.services import record

    def write(when, **kwargs):
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: when)
        try:
            return record(**kwargs)
        finally:
            monkeypatch.setattr(timezone, "now", real)

    return write
