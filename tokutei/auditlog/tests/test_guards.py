"""The database itself refuses UPDATE and DELETE on the log (R-LOG-3, E-35)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tokutei.auditlog.models import Checkpoint, Entry


def _sql(statement: str, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_it_refuses_an_update_of_an_entry(log_entries):
    log_entries(1)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE auditlog_entry SET action = 'vault.search'")
    assert Entry.objects.get().action == "vault.view"


def test_it_refuses_a_delete_of_an_entry(log_entries):
    log_entries(2)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM auditlog_entry WHERE lane_seq = 1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(lane_seq=2).delete()
    assert Entry.objects.count() == 2


def test_it_refuses_a_delete_even_when_a_purge_record_exists_but_no_purge_is_running(log_entries):
    from tokutei.auditlog.models import PurgeRecord

    log_entries(2)
    from django.utils import timezone

    PurgeRecord.objects.create(through_seq=2, anchor_hash="0" * 64, before=timezone.now(), removed=2,
                               at=timezone.now(), signature="00", key_fingerprint="x")
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM auditlog_entry WHERE lane_seq = 1")
    assert Entry.objects.count() == 2


def test_it_refuses_changing_a_checkpoint(log_entries):
    log_entries(5)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE auditlog_checkpoint SET seq = 4")
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM auditlog_checkpoint")
    assert Checkpoint.objects.count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_it_refuses_truncate_on_postgresql(log_entries):
    log_entries(1)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("TRUNCATE auditlog_entry")
    assert Entry.objects.count() == 1


def test_the_guards_come_back_after_migrate(log_entries):
    from django.db.models.signals import post_migrate

    from tokutei.auditlog import guards

    guards.drop(connection)
    assert not guards.installed(connection)
    from django.apps import apps

    post_migrate.send(sender=apps.get_app_config("auditlog"), app_config=apps.get_app_config("auditlog"),
                      using="default", verbosity=0, interactive=False, plan=[], apps=apps)
    assert guards.installed(connection)
