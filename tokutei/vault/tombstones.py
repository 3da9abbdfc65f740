"""Tombstones: every erased person and shredded file, recorded in the key store and replayed on restore.

A per-person deletion erases the row's ciphertext and blind indexes, but the file's data key stays alive
(the other people of the file need it), so a database backup taken before the deletion still holds that
person. The key store is backed up on its own (docs/operations.md §4) and a restore always takes the
newest key backup, so the key store is where a deletion is written down for the restores to come:
``tombstones.jsonl`` in the key directory — ids only (person id, file id), no personal data. Every restore
(`tokutei restore`, drills) replays it before the data is used: the tombstoned people, and every person
sealed under a destroyed data key, lose their ciphertext and their blind indexes (docs/keys.md §4).

Written after the disposal's transaction has committed (``transaction.on_commit``), like the key
destruction: a rolled-back disposal leaves no tombstone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

FILE_NAME = "tombstones.jsonl"


def path() -> Path:
    from .keys import key_root

    return key_root() / FILE_NAME


def _append(rows: list[dict]) -> None:
    from .keys import get_keyring

    if not rows:
        return
    target = path()
    with get_keyring().provider.lock():
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def record_after_commit(*, person_ids: Sequence[int] = (), file_ids: Sequence[int] = (),
                        numbers: Sequence[int] = ()) -> None:
    """Write the tombstones once the current transaction commits (``numbers``: only the 個人番号 erased)."""
    at = timezone.now().isoformat()
    rows = [{"kind": "person", "id": pk, "at": at} for pk in person_ids]
    rows += [{"kind": "file", "id": pk, "at": at} for pk in file_ids]
    rows += [{"kind": "number", "id": pk, "at": at} for pk in numbers]
    transaction.on_commit(lambda: _append(rows))


def read() -> list[dict]:
    target = path()
    if not target.exists():
        return []
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]


def replay() -> dict[str, int]:
    """After a restore: erase every tombstoned person, every person of a tombstoned file and every person
    sealed under a destroyed data key — ciphertext and blind indexes. Returns the counts (for the record)."""
    from .keys import DESTROYED, get_keyring
    from .models import Person, SpecificFile

    rows = read()
    people = {int(r["id"]) for r in rows if r.get("kind") == "person"}
    files = {int(r["id"]) for r in rows if r.get("kind") == "file"}
    ring = get_keyring()
    ring.refresh(force=True)
    destroyed = [k.id for k in ring.infos("data") if k.status == DESTROYED]
    blank = {"data": b"", "key_id": 0, "bi_my_number": None, "bi_resident_code": None, "bi_kana_birth": None,
             "bi_org_key": None}
    now = timezone.now()
    with transaction.atomic():
        # Only the rows this replay erases are marked deleted: a row without data for another reason (one
        # a bulk import had not finished writing when the backup was taken) is the import's to resume.
        match = Q(pk__in=people) | Q(file_id__in=files) | Q(key_id__in=destroyed)
        Person.objects.filter(match, deleted_at__isnull=True).exclude(data=b"").update(deleted_at=now)
        erased = Person.objects.filter(match).exclude(data=b"").update(**blank)
        SpecificFile.objects.filter(pk__in=files).exclude(status=SpecificFile.Status.DELETED).update(
            status=SpecificFile.Status.DELETED, deleted_at=now)
        numbers = [int(r["id"]) for r in rows if r.get("kind") == "number"]
        live = list(Person.objects.filter(pk__in=numbers, deleted_at__isnull=True, bi_my_number__isnull=False)
                    .values_list("pk", flat=True))
        if live:
            from .services.deletion import erase_my_numbers

            erase_my_numbers(person_ids=live, tombstone=False)  # already in the key store
    return {"tombstones": len(rows), "people_erased": erased, "numbers_erased": len(live)}
