"""Disposal as a workflow (R-RET-2 – R-RET-8, E-25, E-32, E-36): the only way a record goes."""

from __future__ import annotations

import datetime as dt

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.retention.models import DisposalItem, DisposalList
from tokutei.retention.services import (
    check_list,
    close_list,
    confirm_list,
    draft_from_worklist,
    draft_list,
    execute_list,
    place_hold,
    record_certificate,
)
from tokutei.vault.models import Person

D = dt.date
LOST = D(2015, 7, 1)  # 2015年度 → from 2016-04-01, 10 years → disposable from 2026-04-01
DUE = D(2026, 4, 1)


def act(user, terminal=None):
    return Actor(user=user, terminal=terminal)


def test_a_record_cannot_go_on_a_list_one_day_early_and_can_on_its_due_day(clerk, terminal, pension_file,
                                                                           person_in, clock):
    person = person_in(pension_file, 1, lost=LOST)
    clock(DUE - dt.timedelta(days=1))
    with pytest.raises(Refused, match="保存期間が満了していない") as exc:
        draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    assert exc.value.article == "T96 §14(6), §15"
    assert Entry.objects.filter(action="disposal.draft", result="refused").exists()
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    assert disposal.needs_check and disposal.confirm_roles == ["manager"]
    assert disposal.items.get().due == DUE


def test_the_worklist_drafts_every_due_person_of_a_file(clerk, terminal, pension_file, person_in, clock):
    due = [person_in(pension_file, n, lost=LOST) for n in (1, 2)]
    person_in(pension_file, 3, lost=D(2020, 1, 1))  # not yet
    clock(DUE)
    disposal = draft_from_worklist(actor=act(clerk, terminal))
    assert sorted(disposal.items.values_list("record_id", flat=True)) == sorted(str(p.pk) for p in due)


def test_a_deletion_without_the_second_persons_check_is_refused_citing_the_article(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock):
    person = person_in(pension_file, 1, lost=LOST)
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    with pytest.raises(Refused, match="作成した本人は確認できません") as same:
        check_list(actor=act(clerk, terminal), disposal_id=disposal.pk)
    assert same.value.article == "T96 §14(6), §15"
    with pytest.raises(Refused, match="別の者による確認が済んでいません"):
        confirm_list(actor=act(manager, terminal), disposal_id=disposal.pk)
    with pytest.raises(Refused, match="目視確認とアクセス履歴") as no_check:
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    assert no_check.value.article == "T96 §14(6), §15"
    person.refresh_from_db()
    assert person.deleted_at is None and person.data


def test_a_disposal_without_the_managers_confirmation_is_refused(clerk, clerk2, terminal, pension_file, person_in,
                                                                 clock):
    person = person_in(pension_file, 1, lost=LOST)
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    check_list(actor=act(clerk2, terminal), disposal_id=disposal.pk)
    with pytest.raises(Refused, match="管理者による確認が済んでいない"):
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    with pytest.raises(Refused):
        confirm_list(actor=act(clerk2, terminal), disposal_id=disposal.pk)  # a clerk is not the manager


def test_the_full_workflow_erases_the_person_and_records_who_did_and_checked_it(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock):
    person = person_in(pension_file, 1, lost=LOST)
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    check_list(actor=act(clerk2, terminal), disposal_id=disposal.pk, note="目視確認済")
    confirm_list(actor=act(manager, terminal), disposal_id=disposal.pk)
    with pytest.raises(Refused, match="確認した本人は削除を実施できません"):
        execute_list(actor=act(clerk2, terminal), disposal_id=disposal.pk, method="deletion")
    done = execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    assert done.status == DisposalList.Status.CLOSED
    person.refresh_from_db()
    assert person.deleted_at is not None and person.data == b"" and person.bi_my_number is None
    item = DisposalItem.objects.get(disposal=done)
    assert (item.executed_by, done.checked_by, item.method_label) == (clerk, clerk2, "電子データの削除")
    assert next(h["action"] for h in item.access_history) == "vault.intake"  # captured at the check
    assert len(item.digest) == 64
    entry = Entry.objects.get(action="disposal.execute", target_type="person")
    assert entry.target_id == str(person.pk) and entry.details["digest"] == item.digest


def test_a_held_record_cannot_be_disposed_of(clerk, manager, terminal, pension_file, person_in, clock):
    person = person_in(pension_file, 1, lost=LOST)
    place_hold(actor=act(manager, terminal), record_class="person", file_id=pension_file.pk, kind="lawsuit",
               reason="損害賠償請求訴訟の係属中")
    clock(DUE + dt.timedelta(days=400))
    with pytest.raises(Refused, match="法的保存中"):
        draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    assert Entry.objects.filter(action="retention.hold").get().reason == "損害賠償請求訴訟の係属中"


def _paper(clerk):
    from django.utils import timezone

    from tokutei.registers.models import Medium

    return Medium.objects.create(label="P-1", kind=Medium.Kind.PAPER, storage_place="書庫A", created_by=clerk,
                                 created_at=timezone.make_aware(dt.datetime(2024, 4, 1, 10)))


def test_a_vendor_disposal_cannot_be_closed_without_its_certificate(clerk, clerk2, terminal, org, clock):
    medium = _paper(clerk)
    clock(D(2025, 4, 1))
    disposal = draft_list(actor=act(clerk, terminal), refs=[("medium", str(medium.pk))])
    assert not disposal.needs_check and not disposal.confirm_roles  # the paper rule asks for neither
    with pytest.raises(Refused, match="委託先の名称"):
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="dissolution")
    executed = execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="dissolution",
                            vendor="株式会社溶解センター")
    assert executed.status == DisposalList.Status.EXECUTED
    with pytest.raises(Refused, match="廃棄証明書が登録されていない") as exc:
        close_list(actor=act(clerk, terminal), disposal_id=disposal.pk)
    assert exc.value.article == "T96 §9.2"
    closed = record_certificate(actor=act(clerk, terminal), disposal_id=disposal.pk, reference="溶解証明書 第123号",
                                date=D(2025, 4, 10))
    assert closed.status == DisposalList.Status.CLOSED
    assert close_list(actor=act(clerk, terminal), disposal_id=disposal.pk).status == DisposalList.Status.CLOSED
    medium.refresh_from_db()
    assert medium.status == "disposed"


def test_paper_shredding_needs_a_witness_other_than_the_one_who_does_it(clerk, clerk2, terminal, org, clock):
    medium = _paper(clerk)
    clock(D(2025, 4, 1))
    disposal = draft_list(actor=act(clerk, terminal), refs=[("medium", str(medium.pk))])
    with pytest.raises(Refused, match="立会者"):
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="shredder", witness=clerk)
    with pytest.raises(Refused, match="この方法はこの記録の廃棄には使えません"):
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="shredder", witness=clerk2)
    medium.refresh_from_db()
    assert (medium.status, medium.disposal_witness) == ("disposed", clerk2)


def test_the_log_still_verifies_and_shows_the_deletion(clerk, clerk2, manager, terminal, pension_file, person_in,
                                                      clock):
    from tokutei.auditlog.verify import verify_database

    person = person_in(pension_file, 1, lost=LOST)
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    check_list(actor=act(clerk2, terminal), disposal_id=disposal.pk)
    confirm_list(actor=act(manager, terminal), disposal_id=disposal.pk)
    execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    assert verify_database(make_checkpoint=False).ok
    assert Person.objects.filter(pk=person.pk, deleted_at__isnull=False).exists()
    assert Entry.objects.filter(action="disposal.execute", target_id=str(person.pk)).exists()


def test_a_whole_file_goes_through_the_workflow_and_its_key_is_shredded_after_commit(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock, django_capture_on_commit_callbacks):
    from tokutei.vault import keys
    from tokutei.vault.codec import decrypt_person_fields
    from tokutei.vault.crypto import CryptoError

    person = person_in(pension_file, 1, lost=LOST)
    old_copy = bytes(person.data)  # what a dump or a backup taken today holds
    assert decrypt_person_fields(old_copy, file_id=pension_file.pk)["name"] == "山田 太郎"
    clock(DUE - dt.timedelta(days=1))
    with pytest.raises(Refused, match="保存期間が満了していない"):
        draft_list(actor=act(clerk, terminal), refs=[("file", str(pension_file.pk))])
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("file", str(pension_file.pk))])
    check_list(actor=act(clerk2, terminal), disposal_id=disposal.pk)
    confirm_list(actor=act(manager, terminal), disposal_id=disposal.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the keys go once the disposal has committed
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    keys.reset_cache()
    with pytest.raises(CryptoError):
        decrypt_person_fields(old_copy, file_id=pension_file.pk)
    pension_file.refresh_from_db()
    assert pension_file.status == "deleted"
    assert Person.objects.get(pk=person.pk).bi_my_number is None


def test_partial_disposal_erases_only_the_number_where_the_rule_allows_it(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock, org):
    from tokutei.registers.models import Medium
    from tokutei.retention.selectors import worklist
    from tokutei.vault.codec import decrypt_person_fields

    from .conftest import number

    person = person_in(pension_file, 4, lost=LOST)
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("person", str(person.pk))])
    check_list(actor=act(clerk2, terminal), disposal_id=disposal.pk)
    confirm_list(actor=act(manager, terminal), disposal_id=disposal.pk)
    execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion", partial=True)
    person.refresh_from_db()
    values = decrypt_person_fields(bytes(person.data), file_id=pension_file.pk)
    assert values == {"name": "山田 太郎"} and number(4) not in str(values)
    assert person.bi_my_number is None and person.deleted_at is None
    assert not [i for i in worklist(org, DUE) if i.record_class == "person"]  # no longer 特定個人情報
    assert "個人番号のみ消去" in disposal.items.get().method_label
    medium = Medium.objects.create(label="P-9", kind=Medium.Kind.PAPER, storage_place="書庫", created_by=clerk,
                                   created_at=person.entered_at - dt.timedelta(days=800))
    other = draft_list(actor=act(clerk, terminal), refs=[("medium", str(medium.pk))])
    with pytest.raises(Refused, match="個人番号のみの消去"):
        execute_list(actor=act(clerk, terminal), disposal_id=other.pk, method="shredder", witness=clerk2,
                     partial=True)


def test_a_disposal_whose_log_entry_cannot_be_written_destroys_no_key(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock, monkeypatch,
        django_capture_on_commit_callbacks):
    """A log write that fails (a full disk) rolls the execution back: the file stays, every record and its
    key stay readable, and nothing of the disposal is recorded as done."""
    import errno

    from tokutei.vault import keys
    from tokutei.vault.codec import decrypt_person_fields
    from tokutei.vault.models import SpecificFile

    person = person_in(pension_file, 2, lost=LOST)
    clock(DUE)
    disposal = draft_list(actor=act(clerk, terminal), refs=[("file", str(pension_file.pk))])
    check_list(actor=act(clerk2, terminal), disposal_id=disposal.pk)
    confirm_list(actor=act(manager, terminal), disposal_id=disposal.pk)

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("tokutei.auditlog.services._write", no_space)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        execute_list(actor=act(clerk, terminal), disposal_id=disposal.pk, method="deletion")
    monkeypatch.undo()
    keys.reset_cache()  # read the key store afresh, as another process would
    pension_file.refresh_from_db()
    assert pension_file.status == SpecificFile.Status.ACTIVE
    row = Person.objects.get(pk=person.pk)
    assert row.deleted_at is None and row.bi_my_number is not None
    assert decrypt_person_fields(row.data, file_id=row.file_id)["name"] == "山田 太郎"
    assert DisposalList.objects.get(pk=disposal.pk).status == DisposalList.Status.CONFIRMED
