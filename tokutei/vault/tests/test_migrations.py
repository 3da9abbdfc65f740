"""Upgrading an installation keeps every stored person findable (vault migrations with a data step)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("vault", "0003_person_indexes_without_like_copies")]


def _leaves() -> list[tuple[str, str]]:
    """Every app at its latest migration: through 0004 (the conversion tested) and whatever came after, so
    the database is left as the next test expects it (migrating to 0004 alone would take 0005 back)."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_it_turns_hex_blind_indexes_into_the_integers_the_vault_now_searches_for(key_dir):
    from tokutei.vault.crypto import Indexer

    indexer = Indexer(1, b"k" * 32)
    digest = bytes.fromhex
    old = {"mn": "ffffffff00000000" + "0" * 16, "rc": "0123456789abcdef" + "1" * 16, "kb": "8000000000000000" + "2" * 16}
    _migrate(BEFORE)
    try:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO vault_specificfile (name, kind, tasks, purpose, ground, retention_rule, status, "
                        "data_scope, created_at) VALUES ('旧ファイル', '電子ファイル', '[]', '', '', '', 'active', '', %s)",
                        [timezone.now()])
            cur.execute("SELECT max(id) FROM vault_specificfile")
            file_id = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO vault_person (file_id, task, data, key_id, bi_key, bi_my_number, bi_resident_code, "
                "bi_kana_birth, bi_org_key, status, entered_at, confirmation_method, channel, verification) "
                "VALUES (%s, 'p', %s, 1, 1, %s, %s, %s, NULL, 'confirmed', %s, '', '', '{}')",
                [file_id, b"\x01", old["mn"], old["rc"], old["kb"], timezone.now()])
    finally:
        _migrate(_leaves())
    from tokutei.vault.models import Person

    person = Person.objects.get(file_id=file_id)
    assert person.bi_my_number == -(2**32)  # 0xffffffff00000000 as a signed 64-bit integer
    assert person.bi_resident_code == int.from_bytes(digest(old["rc"])[:8], "big", signed=True)
    assert person.bi_kana_birth == -(2**63)
    assert person.bi_org_key is None
    # The new indexer yields the same integer as the first 64 bits of the old 128-bit hex did.
    full = indexer.digest(b"mn:123456789018")
    assert indexer.index("mn", "123456789018") == int.from_bytes(full[:8], "big", signed=True)
