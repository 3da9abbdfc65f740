"""Handling-status records are generated from the operation log (R-HSR-1, 004 §9, 003 §7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.ledgers import services
from tokutei.ledgers.models import AppendOnlyError, HandlingRecord
from tokutei.ledgers.selectors import form_tables, handling_records
from tokutei.policy import Actor


@pytest.fixture
def unfollowed(monkeypatch):
    """Entries appended with no ledger row (as before this release, or by a process without the ledgers app)."""
    from tokutei.auditlog import services as log_services

    monkeypatch.setattr(log_services, "_FOLLOWERS", [])


def test_it_records_a_view_reveal_refusal_and_intake_with_their_purpose(org, clerk, terminal):
    record(action="vault.intake", actor=clerk, terminal=terminal, purpose="payroll", target_type="person",
           target_id=7, details={"file_id": 3, "fields": ["my_number", "name"]})
    record(action="vault.view", actor=clerk, terminal=terminal, purpose="payroll", target_type="person",
           target_id=7, details={"file_id": 3, "fields": ["name"]})
    record(action="vault.reveal", actor=clerk, terminal=terminal, purpose="payroll", target_type="person",
           target_id=7, details={"file_id": 3, "fields": ["my_number"]})
    refuse("この事務では個人番号を表示できません", action="vault.reveal", article="T98 §7", actor=clerk,
           terminal=terminal, purpose="insurance", target_type="person", target_id=7, details={"file_id": 3})
    record(action="staff.sign_in", actor=clerk, terminal=terminal)  # not handling of personal data

    # Written with their log entries: nothing is left for a sync to do.
    assert services.sync_from_log() == 0
    rows = list(handling_records(org))
    assert [(r.action, r.stage, r.purpose, r.result) for r in rows] == [
        ("vault.intake", "acquisition", "payroll", "ok"),
        ("vault.view", "use", "payroll", "ok"),
        ("vault.reveal", "use", "payroll", "ok"),
        ("vault.reveal", "use", "insurance", "refused"),
    ]
    assert rows[0].fields == ["my_number", "name"] and rows[0].file_id == 3
    assert "個人番号を表示できません" in rows[3].note


def test_the_catch_up_is_idempotent_and_incremental_and_logged(org, clerk, unfollowed):
    from tokutei.auditlog.models import Entry

    record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    assert services.sync_from_log() == 1
    assert services.sync_from_log() == 0
    record(action="vault.search", actor=clerk, purpose="payroll", count=3)
    assert services.sync_from_log() == 1
    assert HandlingRecord.objects.count() == 2
    assert list(Entry.objects.filter(action="ledgers.sync").values_list("count", flat=True)) == [1, 1]


def test_the_row_is_written_with_its_entry_with_the_recipient_the_entry_names(org, clerk):
    entry = record(action="vault.export", actor=clerk, purpose="payroll", count=12,
                   details={"file_id": 3, "stage": "submission", "recipient": "地方公務員共済組合連合会",
                            "method": "簡易書留"})
    row = HandlingRecord.objects.get(source_seq=entry.seq)
    assert row.stage == "submission" and row.recipient == "地方公務員共済組合連合会" and row.method == "簡易書留"
    assert services.sync_from_log() == 0


def test_records_fall_into_the_forms_categories(org, clerk):
    record(action="vault.intake", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    record(action="vault.delete", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    services.sync_from_log()
    assert [r.action for r in handling_records(org, category="use")] == ["vault.view"]
    assert [r.action for r in handling_records(org, category="disposal")] == ["vault.delete"]
    tables = form_tables(org, list(handling_records(org)))
    assert [t["ja"] for t in tables] == [c.ja for c in org.handling_status.categories.values()]
    use = tables[1]
    assert use["columns"][:3] == ["年月日", "内容", "利用目的"]
    assert use["rows"][0]["cells"][1] == "閲覧"
    assert use["rows"][0]["cells"][2] == org.tasks["payroll"].ja


def test_it_filters_by_fiscal_year_and_file(org, clerk):
    services.add_manual_record(actor=Actor.console(clerk), stage="disposal", occurred_on=dt.date(2025, 3, 31), file_id=None,
                               method="シュレッダー細断", count=4)
    services.add_manual_record(actor=Actor.console(clerk), stage="disposal", occurred_on=dt.date(2025, 4, 1), file_id=None,
                               method="シュレッダー細断", count=2)
    assert [r.count for r in handling_records(org, nendo=2024)] == [4]
    assert [r.count for r in handling_records(org, nendo=2025)] == [2]
    record(action="vault.view", actor=clerk, purpose="payroll", details={"file_id": 9})
    services.sync_from_log()
    assert [r.action for r in handling_records(org, file_id=9)] == ["vault.view"]


def test_a_recorder_enters_a_sealed_mailing_by_hand(org, clerk, terminal):
    row = services.add_manual_record(
        actor=Actor(user=clerk, terminal=terminal), stage="submission", occurred_on=timezone.localdate(), purpose="payroll",
        count=5, recipient="地方公務員共済組合連合会年金業務部", method="封緘の上、簡易書留で郵送",
    )
    assert row.source == "manual" and row.source_seq is not None
    assert services.sync_from_log() == 0  # the manual entry's own log entry is not turned into a second row
    assert list(handling_records(org)) == [row]


def test_it_refuses_a_manual_entry_by_someone_who_is_not_a_recorder(org, auditor):
    from tokutei.auditlog.models import Entry

    with pytest.raises(Refused):
        services.add_manual_record(actor=Actor.console(auditor), stage="disposal", occurred_on=timezone.localdate())
    assert HandlingRecord.objects.count() == 0
    assert Entry.objects.filter(action="ledgers.manual_entry", result="refused").count() == 1


def test_it_refuses_text_that_looks_like_a_my_number(org, clerk):
    with pytest.raises(ValidationError):
        services.add_manual_record(actor=Actor.console(clerk), stage="storage", occurred_on=timezone.localdate(),
                                   place="書庫A", note="１２３４ ５６７８ ９０１２ の書類")
    assert HandlingRecord.objects.count() == 0


def test_a_correction_is_a_new_row_and_the_original_stays(org, clerk):
    original = services.add_manual_record(actor=Actor.console(clerk), stage="storage", occurred_on=timezone.localdate(),
                                          place="書庫A", count=3)
    fixed = services.correct_record(actor=Actor.console(clerk), original=original, reason="保管場所の誤記", place="書庫B")
    assert HandlingRecord.objects.count() == 2
    original.refresh_from_db()
    assert original.place == "書庫A" and fixed.corrects == original and fixed.place == "書庫B"
    table = form_tables(org, list(handling_records(org)), category="carry_out")[0]
    assert table["rows"][0]["superseded"] is True
    assert f"No.{fixed.pk} により訂正" in table["rows"][0]["cells"][-1]


def test_it_refuses_to_change_or_delete_a_record_in_place(org, clerk):
    row = services.add_manual_record(actor=Actor.console(clerk), stage="storage", occurred_on=timezone.localdate(), place="書庫A")
    row.place = "書庫Z"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        HandlingRecord.objects.filter(pk=row.pk).update(place="書庫Z")
    with pytest.raises(AppendOnlyError):
        HandlingRecord.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert HandlingRecord.objects.get(pk=row.pk).place == "書庫A"


def test_a_row_written_meanwhile_with_its_entry_is_not_duplicated_by_the_bulk_path(org, clerk, monkeypatch):
    from tokutei.auditlog import services as log_services
    from tokutei.ledgers.services import _insert_generated, _row_from_entry

    first = record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    monkeypatch.setattr(log_services, "_FOLLOWERS", [])
    second = record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=2)
    rows = [row for row in (_row_from_entry(first), _row_from_entry(second)) if row is not None]
    assert len(rows) == 2
    _insert_generated(rows)
    assert sorted(HandlingRecord.objects.values_list("source_seq", flat=True), key=lambda s: s or 0) == [
        first.seq, second.seq]


def test_an_entry_with_a_lower_number_committed_late_is_still_recorded(org, clerk):
    """With several log lanes a lower seq may commit after a higher one (auditlog services)."""
    from tokutei.auditlog.models import Entry

    def entry(seq: int) -> Entry:
        return Entry.objects.create(seq=seq, at=timezone.now(), actor_id=clerk.pk, action="vault.view",
                                    purpose="payroll", target_type="person", target_id="1",
                                    prev_hash="0" * 64, hash="0" * 64, **({"lane_seq": seq} if hasattr(Entry, "lane_seq") else {}))

    entry(1000)
    assert services.sync_from_log() == 1
    entry(990)  # committed after the sync above had moved past it
    assert services.sync_from_log() == 1
    seqs = HandlingRecord.objects.order_by("source_seq").values_list("source_seq", flat=True)
    assert list(seqs) == [990, 1000]


def test_it_filters_by_the_unit_of_the_file(org, clerk):
    from tokutei.staff.models import Unit
    from tokutei.vault.models import SpecificFile

    somu, kaikei = Unit.objects.create(key="somu", name_ja="総務課"), Unit.objects.create(key="kaikei", name_ja="会計課")
    a = SpecificFile.objects.create(name="A", unit=somu, tasks=["payroll"])
    b = SpecificFile.objects.create(name="B", unit=kaikei, tasks=["payroll"])
    record(action="vault.view", actor=clerk, purpose="payroll", details={"file_id": a.pk})
    record(action="vault.search", actor=clerk, purpose="payroll", details={"file_id": b.pk})
    services.sync_from_log()
    assert [r.action for r in handling_records(org, unit_id=kaikei.pk)] == ["vault.search"]


def test_a_sealed_mailing_needs_its_recipient_and_a_traceable_method(org, clerk):
    with pytest.raises(ValidationError, match="方法"):
        services.add_manual_record(actor=Actor.console(clerk), stage="submission", occurred_on=timezone.localdate(),
                                   recipient="地方公務員共済組合連合会")
    assert HandlingRecord.objects.count() == 0


def test_the_checker_must_be_another_member_of_staff(org, clerk, make_user):
    with pytest.raises(ValidationError, match="別の職員"):
        services.add_manual_record(actor=Actor.console(clerk), stage="disposal", occurred_on=timezone.localdate(),
                                   method="シュレッダー細断", checker="clerk")
    make_user("clerk2", "clerk", tasks=["payroll"])
    row = services.add_manual_record(actor=Actor.console(clerk), stage="disposal", occurred_on=timezone.localdate(),
                                     method="シュレッダー細断", checker="clerk2")
    assert row.checker == "clerk2"


def test_a_record_already_corrected_cannot_be_corrected_again(org, clerk):
    original = services.add_manual_record(actor=Actor.console(clerk), stage="storage", occurred_on=timezone.localdate(),
                                          place="書庫A")
    fixed = services.correct_record(actor=Actor.console(clerk), original=original, reason="誤記", place="書庫B")
    with pytest.raises(ValidationError, match="既に訂正"):
        services.correct_record(actor=Actor.console(clerk), original=original, reason="再訂正", place="書庫C")
    assert services.correct_record(actor=Actor.console(clerk), original=fixed, reason="再訂正", place="書庫C").place == "書庫C"


def test_the_command_syncs_up_to_the_committed_horizon(org, clerk, unfollowed):
    from django.core.management import call_command

    record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    assert not HandlingRecord.objects.exists()
    call_command("ledgers", "sync")
    assert HandlingRecord.objects.filter(action="vault.view").count() == 1
