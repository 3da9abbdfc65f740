"""Adversarial tests: a DBA disables the triggers and edits the log directly (lessons: immudb accepted
forged proofs). Verification must catch every edit and name the first bad entry."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone

from tokutei.auditlog import sql
from tokutei.auditlog.chain import GENESIS, checkpoint_message, entry_hash, fingerprint, hash_v2, iso
from tokutei.auditlog.checkpoints import checkpoint
from tokutei.auditlog.models import Checkpoint, Entry
from tokutei.auditlog.verify import verify_database


def _first(report):
    """(position in its chain, kind) of the first problem. One lane here: position == log number."""
    assert not report.ok
    problem = report.first_problem
    return problem.position, problem.kind


def test_an_untouched_log_verifies(log_entries):
    log_entries(12)
    report = verify_database()
    assert report.ok, report.problems
    assert report.entries_checked == 12 and report.lanes[1][0] == 12


def test_it_names_a_modified_field(log_entries, dba):
    log_entries(8)
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 3")
    assert _first(verify_database()) == (3, "modified")


def test_it_names_a_modified_hash(log_entries, dba):
    log_entries(8)
    dba.sql("UPDATE auditlog_entry SET hash = %s WHERE lane_seq = 6", ["ab" * 32])
    assert _first(verify_database()) == (6, "modified")


def test_it_names_a_deleted_middle_entry(log_entries, dba):
    log_entries(8)
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq = 4")
    assert _first(verify_database()) == (4, "missing")


def test_it_catches_an_inserted_entry_with_a_correct_hash(log_entries, dba):
    """A well-forged insertion at 3 chains perfectly to 2; the first entry that cannot be right is the
    old third entry, now numbered 4, whose prev_hash no longer matches."""
    log_entries(8)
    dba.sql("UPDATE auditlog_entry SET lane_seq = lane_seq + 1000, seq = seq + 1000 WHERE lane_seq >= 3")
    dba.sql("UPDATE auditlog_entry SET lane_seq = lane_seq - 999, seq = seq - 999 WHERE lane_seq >= 1000")
    second = Entry.objects.get(lane_seq=2)
    fields = {"seq": second.seq + 1, "at": iso(second.at), "actor_id": None, "actor_username": "",
              "terminal_id": None, "terminal_name": "", "action": "vault.view", "purpose": "", "target_type": "",
              "target_id": "", "count": 1, "result": "ok", "article": "", "reason": "", "details": {},
              "lane": 1, "lane_seq": 3}
    Entry.objects.create(**{**fields, "at": second.at}, prev_hash=second.hash, hash=entry_hash(second.hash, fields))
    assert _first(verify_database()) == (4, "broken_link")


def test_it_catches_a_crudely_inserted_entry_at_its_place(log_entries, dba):
    log_entries(4)
    dba.sql("UPDATE auditlog_entry SET lane_seq = lane_seq + 1000, seq = seq + 1000 WHERE lane_seq >= 3")
    dba.sql("UPDATE auditlog_entry SET lane_seq = lane_seq - 999, seq = seq - 999 WHERE lane_seq >= 1000")
    Entry.objects.create(seq=10**6, lane_seq=3, at=timezone.now(), action="vault.view", prev_hash="0" * 64,
                         hash="1" * 64)
    assert _first(verify_database()) == (3, "broken_link")


def test_it_names_two_swapped_entries(log_entries, dba):
    log_entries(8)
    dba.sql("UPDATE auditlog_entry SET lane_seq = -1 WHERE lane_seq = 3")
    dba.sql("UPDATE auditlog_entry SET lane_seq = 3 WHERE lane_seq = 4")
    dba.sql("UPDATE auditlog_entry SET lane_seq = 4 WHERE lane_seq = -1")
    assert _first(verify_database()) == (3, "broken_link")


def test_it_catches_a_truncated_tail_by_the_signed_checkpoint(log_entries, dba):
    log_entries(12)
    checkpoint(reason="manual")  # at 12
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq > 10")
    head = Entry.objects.get(lane_seq=10)
    dba.sql("UPDATE auditlog_chainhead SET seq = 10, hash = %s", [head.hash])  # the DBA covers the head too
    assert _first(verify_database()) == (11, "truncated")


def test_it_catches_a_truncated_tail_by_the_chain_head(log_entries, dba):
    log_entries(12)
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq > 11")
    assert _first(verify_database()) == (12, "truncated")


def _rewrite_from(seq_from: int, dba) -> None:
    """Recompute every hash from ``seq_from`` on, as someone holding the database (not the key) could: in
    order, each entry's prev_hash set first, then its hash recomputed from its columns by the database."""
    from django.db import connection

    render = sql.render_bytes(connection.vendor)
    positions = list(Entry.objects.order_by("lane_seq").values_list("lane_seq", flat=True))
    prev = GENESIS
    for pos in positions:
        if pos >= seq_from:
            dba.sql("UPDATE auditlog_entry SET prev_hash = %s WHERE lane_seq = %s", [prev, pos])
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {render} FROM auditlog_entry WHERE lane_seq = %s", [pos])
                new = hash_v2(bytes(cursor.fetchone()[0]))
            dba.sql("UPDATE auditlog_entry SET hash = %s WHERE lane_seq = %s", [new, pos])
        prev = Entry.objects.get(lane_seq=pos).hash
    dba.sql("UPDATE auditlog_chainhead SET hash = %s", [prev])


def test_it_catches_a_rewritten_chain_by_the_checkpoint_signatures(log_entries, dba):
    log_entries(12)
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 2")
    _rewrite_from(2, dba)
    assert _first(verify_database()) == (5, "checkpoint_mismatch")


def test_it_catches_a_rewritten_chain_whose_checkpoints_were_deleted(log_entries, dba):
    log_entries(12)
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 2")
    _rewrite_from(2, dba)
    dba.sql("DELETE FROM auditlog_checkpoint")
    assert _first(verify_database()) == (5, "checkpoint_missing")


def test_it_catches_a_rewrite_checked_against_the_paper_copy(log_entries, dba):
    log_entries(4)
    paper = (1, 4, Entry.objects.get(lane_seq=4).hash)
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 1")
    _rewrite_from(1, dba)
    assert _first(verify_database(expect=paper)) == (4, "expect_mismatch")


def test_it_refuses_a_checkpoint_signed_with_another_key(log_entries, dba):
    log_entries(7)
    rogue = Ed25519PrivateKey.generate()
    entry = Entry.objects.get(lane_seq=6)
    at = iso(timezone.now())
    Checkpoint.objects.create(seq=6, hash=entry.hash, at=at, reason="manual",
                              signature=rogue.sign(checkpoint_message(1, 6, entry.hash, at)).hex(),
                              key_fingerprint=fingerprint(rogue.public_key()))
    assert _first(verify_database()) == (6, "unknown_key")


def test_it_refuses_a_forged_checkpoint_beyond_the_end(log_entries, signing_key):
    """A forged checkpoint claiming our key's fingerprint but with a made-up signature."""
    log_entries(3)
    Checkpoint.objects.create(seq=40, hash="ab" * 32, at=timezone.now(), reason="manual", signature="cd" * 64,
                              key_fingerprint=fingerprint(signing_key))
    assert _first(verify_database()) == (40, "forged_checkpoint")


def test_it_notices_disabled_triggers(log_entries, db):
    from django.db import connection

    from tokutei.auditlog import guards

    log_entries(2)
    guards.drop(connection)
    try:
        report = verify_database(make_checkpoint=False)
        assert not report.ok and report.problems[0].kind == "guards_missing"
    finally:
        guards.install(connection)


def test_the_verify_command_exits_1_and_names_the_first_bad_entry(log_entries, dba, capsys):
    log_entries(6)
    dba.sql("UPDATE auditlog_entry SET action = 'vault.search' WHERE lane_seq = 2")
    with pytest.raises(SystemExit) as exit_info:
        call_command("log", "verify")
    assert exit_info.value.code == 1
    assert "の2番目" in capsys.readouterr().err


def test_the_verify_command_signs_a_checkpoint_when_all_is_well(log_entries, capsys):
    log_entries(3)
    call_command("log", "verify")
    assert "OK" in capsys.readouterr().out
    assert Checkpoint.objects.filter(reason="verify", lane=1, seq=3).exists()


# --- format 2: the hash covers the columns as the database renders them -------------------------------------

EDITS = {  # column: (new value, SQL type hint) — one edit of each hashed field of an entry
    "seq": ("seq + 1000", None),
    "at": ("%s", "at"),
    "actor_id": ("42", None),
    "actor_username": ("'someone'", None),
    "terminal_id": ("7", None),
    "terminal_name": ("'端末X'", None),
    "action": ("'vault.search'", None),
    "purpose": ("'payroll'", None),
    "target_type": ("'file'", None),
    "target_id": ("'999'", None),
    "count": ("count + 1", None),
    "result": ("'refused'", None),
    "article": ("'000 §1'", None),
    "reason": ("'理由'", None),
    "details": ("%s", "details"),
}


@pytest.mark.parametrize("column", sorted(EDITS))
def test_it_names_an_edit_of_any_hashed_column(log_entries, dba, column):
    import datetime as dt

    from django.db import connection

    log_entries(6)
    value, param = EDITS[column]
    params: list[object] = []
    if param == "at":
        params = [Entry.objects.get(lane_seq=4).at + dt.timedelta(microseconds=1)]
    elif param == "details":
        params = ['{"i": 99}']
        if connection.vendor == "postgresql":
            value = "%s::jsonb"
    dba.sql(f"UPDATE auditlog_entry SET {column} = {value} WHERE lane_seq = 4", params)
    assert _first(verify_database()) == (4, "modified")


def test_it_names_an_entry_whose_prev_hash_was_edited(log_entries, dba):
    log_entries(6)
    dba.sql("UPDATE auditlog_entry SET prev_hash = %s WHERE lane_seq = 4", ["ab" * 32])
    assert _first(verify_database()) == (4, "broken_link")


def test_it_names_an_id_set_to_null(log_entries, dba, make_user):
    user = make_user("clerk", "clerk")
    log_entries(4, actor=user)
    dba.sql("UPDATE auditlog_entry SET actor_id = NULL WHERE lane_seq = 2")
    assert _first(verify_database()) == (2, "modified")


def test_it_names_an_entry_relabelled_as_the_old_format(log_entries, dba):
    log_entries(4)
    dba.sql("UPDATE auditlog_entry SET hash_version = 1 WHERE lane_seq = 3")
    assert _first(verify_database()) == (3, "modified")


def test_it_sees_sqlite_tricks_that_print_like_the_original(log_entries, dba, make_user):
    """SQLite keeps any type in any column: an empty string where an id was NULL, or a NUL hidden in a
    text (it would cut printf() short) must not render like the original."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's dynamic typing")
    log_entries(4)
    dba.sql("UPDATE auditlog_entry SET actor_id = '' WHERE lane_seq = 2")
    assert _first(verify_database()) == (2, "modified")
    dba.sql("UPDATE auditlog_entry SET actor_id = NULL WHERE lane_seq = 2")
    assert verify_database(make_checkpoint=False).ok
    dba.sql("UPDATE auditlog_entry SET action = action || char(0) || 'x' WHERE lane_seq = 3")
    assert _first(verify_database()) == (3, "modified")


def _legacy_log(n: int) -> None:
    """``n`` entries of hash format 1, as written before format 2 existed."""
    from django.db import connection

    prev = GENESIS
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO auditlog_chainhead (id, seq, hash) VALUES (1, 0, %s)", [GENESIS])
    for i in range(1, n + 1):
        at = timezone.now()
        fields = {"seq": i, "at": iso(at), "actor_id": None, "actor_username": "", "terminal_id": None,
                  "terminal_name": "", "action": "vault.view", "purpose": "", "target_type": "person",
                  "target_id": str(i), "count": 1, "result": "ok", "article": "", "reason": "",
                  "details": {"i": i}, "lane": 1, "lane_seq": i}
        digest = entry_hash(prev, fields)
        Entry.objects.create(**{**fields, "at": at}, prev_hash=prev, hash=digest, hash_version=1)
        prev = digest
    with connection.cursor() as cursor:
        from tokutei.auditlog import guards

        guards.drop(connection)
        cursor.execute("UPDATE auditlog_chainhead SET seq = %s, hash = %s WHERE id = 1", [n, prev])
        guards.install(connection)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval('tokutei_auditlog_seq', %s)", [n])


def test_a_log_begun_in_the_old_format_verifies_and_continues(log_entries):
    _legacy_log(3)
    log_entries(4)
    assert list(Entry.objects.order_by("lane_seq").values_list("hash_version", flat=True)) == [1, 1, 1, 2, 2, 2, 2]
    report = verify_database(make_checkpoint=False)
    assert report.ok, report.problems
    assert report.entries_checked == 7 and report.lanes[1][0] == 7


def test_it_names_an_edit_of_an_old_format_entry(log_entries, dba):
    _legacy_log(3)
    log_entries(2)
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 2")
    assert _first(verify_database()) == (2, "modified")
