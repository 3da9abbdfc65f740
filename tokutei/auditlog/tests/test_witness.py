"""Checkpoints witnessed outside the database: whoever holds only the database cannot delete the tail with
its checkpoints, or recompute the chain, without ``tokutei log verify`` noticing — with no option given
(issue 19: it said OK unless a paper copy was passed with --expect)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tokutei.auditlog.checkpoints import checkpoint
from tokutei.auditlog.models import Entry
from tokutei.auditlog.verify import verify_database
from tokutei.auditlog.witness import witness_path

from .test_tamper import _rewrite_from


@pytest.fixture
def witnessed(log_entries, django_capture_on_commit_callbacks):
    """write(n): n entries whose checkpoints (every 5) are witnessed as they would be after each commit."""

    def write(n: int):
        with django_capture_on_commit_callbacks(execute=True):
            out = log_entries(n)
        return out

    return write


def first(report) -> tuple[int | None, str]:
    problem = report.first_problem
    assert problem is not None
    return problem.position, problem.kind


def witness_lines() -> list[dict]:
    return [json.loads(line) for line in witness_path().read_text().splitlines()]


def test_every_signed_checkpoint_is_appended_to_the_witness_beside_the_key(witnessed, settings):
    settings.AUDIT_WITNESS_FILE = ""
    witnessed(12)
    assert witness_path().parent == settings.AUDIT_SIGNING_KEY_FILE.parent
    assert [(w["lane"], w["seq"]) for w in witness_lines()] == [(1, 5), (1, 10)]
    assert verify_database(make_checkpoint=False).ok


def test_deleting_the_tail_with_its_checkpoints_is_caught_by_default(witnessed, dba):
    witnessed(12)
    # the DBA deletes everything after the first checkpoint, the later checkpoint, and covers the head
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq > 5")
    dba.sql("DELETE FROM auditlog_checkpoint WHERE seq > 5")
    head = Entry.objects.get(lane_seq=5)
    dba.sql("UPDATE auditlog_chainhead SET seq = 5, hash = %s", [head.hash])
    assert verify_database(make_checkpoint=False, witness=False).ok  # the database alone is consistent
    report = verify_database(make_checkpoint=False)
    assert not report.ok
    assert first(report) == (6, "truncated")


def test_rewriting_and_recomputing_the_chain_without_its_checkpoints_is_caught(witnessed, dba, capsys):
    witnessed(12)
    dba.sql("DELETE FROM auditlog_entry WHERE lane_seq > 4")
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 3")
    _rewrite_from(3, dba)
    dba.sql("DELETE FROM auditlog_checkpoint")
    dba.sql("UPDATE auditlog_chainhead SET seq = 4, hash = %s", [Entry.objects.get(lane_seq=4).hash])
    assert verify_database(make_checkpoint=False, witness=False).ok  # the database alone is consistent
    with pytest.raises(SystemExit) as exit_:
        call_command("log", "verify", "--no-checkpoint")
    assert exit_.value.code == 1
    out = capsys.readouterr()
    assert "5" in out.out + out.err  # the first entry the witness knows and the log no longer has


def test_a_recomputed_chain_is_named_at_the_first_witnessed_checkpoint_that_differs(witnessed, dba):
    witnessed(12)
    dba.sql("UPDATE auditlog_entry SET target_id = '999' WHERE lane_seq = 7")
    _rewrite_from(7, dba)
    dba.sql("DELETE FROM auditlog_checkpoint WHERE seq > 5")
    report = verify_database(make_checkpoint=False)
    assert first(report) == (10, "checkpoint_mismatch")


def test_a_forged_witness_line_is_refused(witnessed):
    witnessed(5)
    line = witness_lines()[0]
    line["seq"] = 99
    with witness_path().open("a") as fh:
        fh.write(json.dumps(line) + "\n")
    report = verify_database(make_checkpoint=False)
    assert not report.ok and first(report)[1] == "forged_checkpoint"


def test_checkpoints_signed_by_hand_are_witnessed_too(log_entries, django_capture_on_commit_callbacks):
    log_entries(3)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint(reason="manual")
    assert [(w["lane"], w["seq"]) for w in witness_lines()] == [(1, 3)]
