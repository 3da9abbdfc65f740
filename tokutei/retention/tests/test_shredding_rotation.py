"""A disposal that erased people asks for a key rotation that destroys the previous keys (docs/keys.md §4):
afterwards a data backup taken before the disposal neither opens nor confirms the disposed person with the
keys that survive, its restore is refused in Japanese, and the register and `tokutei check` say a new data
backup is due. The remaining people of the file work live."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tokutei.policy import Actor
from tokutei.retention.services import check_list, confirm_list, draft_list, execute_list
from tokutei.vault.models import Person, RotationJob

from .conftest import number

LOST = dt.date(2015, 7, 1)
DUE = dt.date(2026, 4, 1)


def _as_backed_up(person: Person) -> dict:
    """What a data backup taken now holds of the row (the dump's columns), and the keys it will need."""
    return {"data": bytes(person.data), "bi_my_number": person.bi_my_number, "bi_key": person.bi_key,
            "file_id": person.file_id}


def test_after_the_disposals_rotation_an_old_backup_neither_opens_nor_confirms_the_disposed_person(
        clerk, clerk2, manager, terminal, pension_file, person_in, clock, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from tokutei.ops.backup import key_inventory
    from tokutei.ops.health import check_shredding
    from tokutei.ops.models import BackupCopy
    from tokutei.ops.services import register_backup
    from tokutei.ops.shredding import backup_note, refusal_for
    from tokutei.vault import keys, rotation
    from tokutei.vault.codec import decrypt_person_fields, lookup_digests
    from tokutei.vault.crypto import CryptoError, Indexer

    gone, stays = person_in(pension_file, 1, lost=LOST), person_in(pension_file, 2, lost=dt.date(2024, 1, 1))
    backup: dict[str, Any] = {"keys_needed": key_inventory()["alive"], "gone": _as_backed_up(gone),
                              "stays": _as_backed_up(stays)}
    old_backup = register_backup(kind="data", name="tokutei-data-before", sha256="0" * 64, size_bytes=1,
                                 actor=Actor.system())
    assert decrypt_person_fields(backup["gone"]["data"], file_id=pension_file.pk)["my_number"] == number(1)

    clock(DUE)
    disposal = draft_list(actor=Actor(user=clerk, terminal=terminal), refs=[("person", str(gone.pk))])
    check_list(actor=Actor(user=clerk2, terminal=terminal), disposal_id=disposal.pk)
    confirm_list(actor=Actor(user=manager, terminal=terminal), disposal_id=disposal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        execute_list(actor=Actor(user=clerk, terminal=terminal), disposal_id=disposal.pk, method="deletion")
    [request] = RotationJob.objects.filter(status=RotationJob.Status.PENDING)
    assert request.shred_files == [pension_file.pk] and request.reason == f"disposal:{disposal.pk}"
    assert "tokutei keys rotate" in check_shredding().message and check_shredding().status == "warn"
    # Before the rotation the surviving keys still open the old copy: the residual risk being closed.
    assert decrypt_person_fields(backup["gone"]["data"], file_id=pension_file.pk)["my_number"] == number(1)

    job = rotation.run(rotation.start(), batch_size=1)
    assert job.status == RotationJob.Status.DONE
    job.refresh_from_db()
    assert {k.split(":")[0] for k in job.destroyed_keys} == {"data", "index"}

    keys.reset_cache()  # the current key store, read afresh, as whoever holds it would
    ring = keys.get_keyring()
    with pytest.raises(CryptoError):
        decrypt_person_fields(backup["gone"]["data"], file_id=pension_file.pk)
    with pytest.raises(CryptoError):  # the old backup's index version is gone from the key store
        ring.provider.get("index", backup["gone"]["bi_key"])
    surviving = [Indexer(k.id, ring.provider.get("index", k.id)) for k in ring.infos("index")
                 if k.status != keys.DESTROYED]
    assert surviving and all(ix.index("mn", number(1)) != backup["gone"]["bi_my_number"] for ix in surviving)
    with pytest.raises(CryptoError):  # the whole file's old copy goes with it: that backup cannot be restored
        decrypt_person_fields(backup["stays"]["data"], file_id=pension_file.pk)

    live = Person.objects.get(pk=stays.pk)  # the remaining person of the file still works live
    assert decrypt_person_fields(bytes(live.data), file_id=pension_file.pk)["my_number"] == number(2)
    assert list(Person.objects.filter(file=pension_file, bi_my_number__in=lookup_digests("my_number", number(2)))
                .values_list("pk", flat=True)) == [stays.pk]
    assert not Person.objects.filter(bi_my_number__in=lookup_digests("my_number", number(1))).exists()

    refused = refusal_for({"keys_needed": backup["keys_needed"]})
    assert "このバックアップは復元できません" in refused and f"No.{pension_file.pk}" in refused
    assert refusal_for({"keys_needed": key_inventory()["alive"]}) == ""  # a backup taken now restores
    assert "復元不可" in backup_note(old_backup.created_at)
    shredding = check_shredding()
    assert shredding.status == "warn" and "新しいデータのバックアップを取得してください" in shredding.message
    newer = register_backup(kind="data", name="tokutei-data-after", sha256="1" * 64, size_bytes=1,
                            actor=Actor.system())
    assert backup_note(newer.created_at) == "" and check_shredding().status == "ok"
    assert BackupCopy.objects.count() == 2 and timezone.now() >= newer.created_at
