"""What a disposal's key rotation means for the data backups (docs/keys.md §4).

When a rotation asked for by a disposal finishes, the previous data keys of the disposed people's files and
the previous index key are destroyed. A data backup taken before that point holds those people under keys
that no longer exist: it can no longer be restored (a restore refuses it, with this module's message), and a
new data backup is due. Reads only; no personal data — files by id, keys by id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

SHRED_NOTE = "shredded by rotation"  # the note tokutei.vault.rotation gives the keys it destroys


@dataclass(frozen=True)
class Shredding:
    job_id: int
    finished_at: dt.datetime
    file_ids: list[int]
    destroyed: list[str]
    reason: str

    @property
    def files_text(self) -> str:
        return "、".join(f"No.{f}" for f in self.file_ids)


def shreddings() -> list[Shredding]:
    from tokutei.vault.models import RotationJob

    rows = (RotationJob.objects.filter(status=RotationJob.Status.DONE, shred_index=True, finished_at__isnull=False)
            .exclude(destroyed_keys=[]).order_by("-finished_at", "-pk"))
    return [Shredding(r.pk, r.finished_at, list(r.shred_files), list(r.destroyed_keys), r.reason) for r in rows
            if r.finished_at is not None]


def pending() -> list[int]:
    """Rotations asked for by disposals and not finished (ids)."""
    from tokutei.vault.models import RotationJob

    return list(RotationJob.objects.filter(status__in=[RotationJob.Status.PENDING, RotationJob.Status.RUNNING])
                .exclude(shred_files=[]).values_list("pk", flat=True))


def unrestorable_since(created_at: dt.datetime) -> Shredding | None:
    """The newest shredding after which a data backup taken at ``created_at`` can no longer be restored."""
    return next((s for s in shreddings() if created_at < s.finished_at), None)


def backup_note(created_at: dt.datetime) -> str:
    """For the backup register: why this data backup can no longer be restored (empty: it can)."""
    s = unrestorable_since(created_at)
    if s is None:
        return ""
    return _("復元不可: 鍵更新 #%(job)s で廃棄した本人の旧い鍵を破棄済み（ファイル %(files)s）") % {
        "job": s.job_id, "files": s.files_text}


def refusal_for(manifest: dict) -> str:
    """The Japanese message refusing the restore of a data backup whose keys a disposal's rotation destroyed
    (empty: nothing refuses it). ``manifest["keys_needed"]``: the keys alive when the backup was taken.

    Read from the key store alone (a restore runs before the database exists): a key destroyed by such a
    rotation carries the note ``shredded by rotation #N``, a data key its scope ``file:<id>``."""
    from tokutei.vault.keys import DESTROYED, get_keyring

    ring = get_keyring()
    shredded = {f"{kind}:{k.id}": k for kind in ("data", "index") for k in ring.infos(kind)
                if k.status == DESTROYED and k.note.startswith(SHRED_NOTE)}
    hit = sorted(set(manifest.get("keys_needed", [])) & set(shredded))
    if not hit:
        return ""
    jobs = sorted({shredded[h].note.removeprefix(SHRED_NOTE).strip() for h in hit})
    files = sorted({shredded[h].scope.removeprefix("file:") for h in hit if shredded[h].scope.startswith("file:")})
    return _("このデータのバックアップは、廃棄に伴う鍵更新（%(jobs)s）より前に取得されたものです。廃棄した本人を読めなくするため"
             "その時点の鍵（%(n)s 件、例: %(key)s）は破棄済みで、このバックアップは復元できません（対象ファイル: %(files)s）。"
             "鍵更新の後に取得したデータのバックアップから復元してください。") % {
        "jobs": "、".join(jobs), "n": len(hit), "key": hit[0],
        "files": "、".join(f"No.{f}" for f in files) or "—"}
