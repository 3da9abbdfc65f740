"""Deletions are written to the key store and replayed on restore (docs/keys.md §4): an old copy of a row
put back, as a restore of an older backup would, is erased again — ciphertext and blind indexes."""

from __future__ import annotations

import datetime as dt

from tokutei.policy import Actor
from tokutei.retention.services import check_list, confirm_list, draft_list, execute_list
from tokutei.vault import tombstones
from tokutei.vault.codec import decrypt_person_fields
from tokutei.vault.models import Person

LOST, DUE = dt.date(2015, 7, 1), dt.date(2026, 4, 1)


def _dispose(clerk, clerk2, manager, terminal, person, **kw):
    d = draft_list(actor=Actor(user=clerk, terminal=terminal), refs=[("person", str(person.pk))])
    check_list(actor=Actor(user=clerk2, terminal=terminal), disposal_id=d.pk)
    confirm_list(actor=Actor(user=manager, terminal=terminal), disposal_id=d.pk)
    execute_list(actor=Actor(user=clerk, terminal=terminal), disposal_id=d.pk, method="deletion", **kw)


def _old_copy(person):
    return {"data": bytes(person.data), "key_id": person.key_id, "bi_my_number": person.bi_my_number,
            "bi_kana_birth": person.bi_kana_birth, "deleted_at": None}


def test_an_erased_person_put_back_from_an_old_backup_is_erased_again(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock, django_capture_on_commit_callbacks):
    person = person_in(pension_file, 1, lost=LOST)
    old = _old_copy(person)
    clock(DUE)
    with django_capture_on_commit_callbacks(execute=True):
        _dispose(clerk, clerk2, manager, terminal, person)
    assert {"kind": "person", "id": person.pk} in [{k: r[k] for k in ("kind", "id")} for r in tombstones.read()]
    Person.objects.filter(pk=person.pk).update(**old)  # what a restore of the older backup brings back
    assert tombstones.replay()["people_erased"] == 1
    person.refresh_from_db()
    assert person.data == b"" and person.bi_my_number is None and person.deleted_at is not None


def test_a_number_erased_by_partial_disposal_is_erased_again_after_a_restore(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock, django_capture_on_commit_callbacks):
    person = person_in(pension_file, 2, lost=LOST)
    old = _old_copy(person)
    clock(DUE)
    with django_capture_on_commit_callbacks(execute=True):
        _dispose(clerk, clerk2, manager, terminal, person, partial=True)
    Person.objects.filter(pk=person.pk).update(**old)
    assert tombstones.replay()["numbers_erased"] == 1
    person.refresh_from_db()
    assert decrypt_person_fields(bytes(person.data), file_id=pension_file.pk) == {"name": "山田 太郎"}
    assert person.bi_my_number is None


def test_a_rolled_back_disposal_leaves_no_tombstone(clerk, clerk2, manager, terminal, pension_file, person_in,
                                                    clock, monkeypatch, django_capture_on_commit_callbacks):
    import pytest

    from tokutei.retention.services import disposal as workflow

    person = person_in(pension_file, 3, lost=LOST)
    clock(DUE)
    d = draft_list(actor=Actor(user=clerk, terminal=terminal), refs=[("person", str(person.pk))])
    check_list(actor=Actor(user=clerk2, terminal=terminal), disposal_id=d.pk)
    confirm_list(actor=Actor(user=manager, terminal=terminal), disposal_id=d.pk)

    def broken(**kwargs):
        raise RuntimeError("the log could not be written")

    monkeypatch.setattr(workflow, "record", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        execute_list(actor=Actor(user=clerk, terminal=terminal), disposal_id=d.pk, method="deletion")
    assert tombstones.read() == []
    person.refresh_from_db()
    assert person.deleted_at is None and person.data
