from __future__ import annotations

import pytest
from django.db import transaction

from tokutei.auditlog.chain import GENESIS
from tokutei.auditlog.models import ChainHead, Checkpoint, Entry
from tokutei.auditlog.services import record, refuse
from tokutei.auditlog.verify import verify_database


def test_it_chains_each_entry_to_the_previous_one(log_entries):
    first, second = log_entries(2)
    assert (first.lane, first.lane_seq, first.prev_hash) == (1, 1, GENESIS)
    assert (second.lane_seq, second.prev_hash) == (2, first.hash) and second.seq > first.seq
    head = ChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (2, second.hash)


def test_it_rolls_the_entry_back_with_the_operation(log_entries):
    log_entries(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(action="vault.view")
        raise RuntimeError("the operation failed")
    assert Entry.objects.count() == 1
    assert ChainHead.objects.get(id=1).seq == 1
    assert verify_database(make_checkpoint=False).ok


def test_it_fails_the_operation_when_the_entry_cannot_be_written(log_entries, monkeypatch):
    """Fail closed: an operation whose log entry cannot be written does not happen."""
    from tokutei.staff.models import Unit

    monkeypatch.setattr("tokutei.auditlog.services._write", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Unit.objects.create(key="x", name_ja="課")
        record(action="staff.designate")
    assert not Unit.objects.filter(key="x").exists()


def test_it_fails_the_operation_when_the_database_refuses_the_entry(log_entries):
    """Fail closed at the database: the INSERT of the entry itself fails (as with a full disk)."""
    from django.db import connection

    from tokutei.staff.models import Unit

    log_entries(1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; "
                           "END $$ LANGUAGE plpgsql")
            cursor.execute("CREATE TRIGGER test_refuse BEFORE INSERT ON auditlog_entry FOR EACH ROW "
                           "EXECUTE FUNCTION test_refuse()")
        else:
            cursor.execute("CREATE TRIGGER test_refuse BEFORE INSERT ON auditlog_entry "
                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(Exception, match="disk full"), transaction.atomic():
        Unit.objects.create(key="y", name_ja="課")
        record(action="staff.designate")
    assert not Unit.objects.filter(key="y").exists()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse ON auditlog_entry" if connection.vendor == "postgresql"
                       else "DROP TRIGGER test_refuse")
    assert Entry.objects.count() == 1 and ChainHead.objects.get(id=1).seq == 1
    assert verify_database(make_checkpoint=False).ok


def test_it_logs_a_refusal_with_its_article(log_entries):
    exc = refuse("指定されていない事務です", action="vault.view", article="T99 §5", target_type="person",
                 target_id=7)
    entry = Entry.objects.get()
    assert entry.result == "refused" and entry.article == "T99 §5" and entry.details["code"] == "refused"
    assert "T99 §5" in str(exc)


def test_it_signs_a_checkpoint_automatically_every_n_entries(log_entries):
    log_entries(11)
    assert list(Checkpoint.objects.filter(reason="auto").values_list("seq", flat=True)) == [5, 10]
    report = verify_database(make_checkpoint=False)
    assert report.ok, report.problems
    assert report.checkpoints_checked == 2


def test_the_stored_entry_hashes_like_the_returned_one(log_entries):
    entry = log_entries(1, details={"fields": ["name", "address"], "count": 2})[0]
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.hash == entry.hash and stored.details == {"fields": ["name", "address"], "count": 2}
    assert (stored.seq, stored.lane, stored.lane_seq, stored.prev_hash) == (entry.seq, 1, 1, GENESIS)
    assert stored.at == entry.at and stored.hash_version == entry.hash_version == 2
    assert verify_database(make_checkpoint=False).ok


def test_it_keeps_the_separator_and_nul_out_of_the_hashed_text(log_entries):
    """Format 2 splits the hashed bytes at 0x1F: no text field may contain it (nor NUL, which PostgreSQL
    cannot store), so they are replaced, never silently hashed differently from what is stored."""
    entry = log_entries(1, reason="a\x1fb\x00c", details={"k": "x\x1fy"})[0]
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.reason == entry.reason == "a\ufffdb\ufffdc"
    # details are bounded like every logged value (tokutei.core.text.log_value): controls are replaced too
    assert stored.details == entry.details == {"k": "x\ufffdy"}
    assert verify_database(make_checkpoint=False).ok
