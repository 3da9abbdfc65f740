"""Key rotation: new master (data keys re-wrapped), new data keys, new index key, then re-encryption.

Every data-key scope is rotated: the person records of each file, and the staff's second-factor secrets
(``staff:secrets``, re-encrypted by :func:`tokutei.staff.crypto.reencrypt` in the job's last step).

The re-encryption job runs in batches, each its own transaction, selecting rows that are still under an
old data key or an old index version, in primary-key order from the stored cursor. It is safe while the
system is in use: rows are locked per batch, new writes already use the new keys, and lookups search
under both index versions until the job finishes. Interrupted, it resumes from ``RotationJob``.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.profiles.selectors import get_profile
from tokutei.staff.crypto import reencrypt as reencrypt_staff_secrets

from .codec import PersonCodec, aad_for
from .crypto import CryptoError, header_key_id
from .keys import get_keyring
from .models import Person, PersonCorrection, RotationJob

INDEX_COLUMNS = ["bi_key", "bi_my_number", "bi_resident_code", "bi_kana_birth", "bi_org_key"]


def running_job() -> RotationJob | None:
    return RotationJob.objects.filter(status=RotationJob.Status.RUNNING).order_by("-pk").first()


def pending_shredding() -> list[RotationJob]:
    """Rotations asked for by disposals and not started yet (docs/keys.md §4)."""
    return list(RotationJob.objects.filter(status=RotationJob.Status.PENDING).order_by("pk"))


def request_shredding(*, file_ids: list[int], reason: str) -> RotationJob:
    """A disposal erased people of ``file_ids``: ask for a rotation that, when it finishes, destroys the
    previous data keys of those files and the previous index key. Written inside the disposal's transaction
    (it goes, or stays, with the disposal); run after the commit by ``tokutei keys rotate`` (the scheduler's
    job, as every rotation — a whole pass over the people, never inside a request)."""
    return RotationJob.objects.create(status=RotationJob.Status.PENDING, shred_files=sorted(set(file_ids)),
                                      shred_index=True, reason=reason[:200], new_index_key=0, master_key=0)


def last_shredding() -> RotationJob | None:
    """The newest finished rotation that destroyed keys after a disposal."""
    return (RotationJob.objects.filter(status=RotationJob.Status.DONE, shred_index=True)
            .exclude(destroyed_keys=[]).order_by("-finished_at", "-pk").first())


def start(*, actor=None) -> RotationJob:
    """Create the new key versions and the job that moves every row onto them (or resume the open one).

    Disposals' pending requests are taken up by the new job (one rotation serves every request made before
    it started); a request made while a job runs waits for the next one — its people may already have been
    re-encrypted under the job's new keys, which that job does not destroy."""
    job = running_job()
    if job is not None:
        return job
    pending = pending_shredding()
    summary = get_keyring().start_rotation()
    with transaction.atomic():
        fields = {"old_data_keys": summary["old_data"], "new_index_key": summary["new_index"],
                  "master_key": summary["master"], "status": RotationJob.Status.RUNNING}
        if pending:
            job = pending[0]
            for name, value in fields.items():
                setattr(job, name, value)
            job.shred_files = sorted({f for p in pending for f in p.shred_files})
            job.shred_index = any(p.shred_index for p in pending)
            job.reason = ", ".join(p.reason for p in pending)[:200]
            job.save()
            RotationJob.objects.filter(pk__in=[p.pk for p in pending[1:]]).update(
                status=RotationJob.Status.DONE, finished_at=timezone.now(), reason=f"→ #{job.pk}")
        else:
            job = RotationJob.objects.create(**fields)
        record(action=Action.VAULT_KEY_ROTATE, actor=actor, target_type="rotation", target_id=job.pk,
               details={"stage": "started", **{k: v for k, v in summary.items()},
                        "shred_files": job.shred_files, "reason": job.reason})
    return job


class _Codecs(dict):
    def __init__(self, profile):
        super().__init__()
        self.profile = profile

    def __missing__(self, file_id: int) -> PersonCodec:
        codec = PersonCodec.for_file(file_id, profile=self.profile)
        self[file_id] = codec
        return codec


def run_batch(job: RotationJob, *, batch_size: int = 1000) -> int:
    """Re-encrypt and re-index one batch; returns how many rows it moved (0 when the job is done)."""
    ring = get_keyring()
    profile = get_profile()
    codecs = _Codecs(profile)
    new_indexer = ring.current_indexer()
    old = list(job.old_data_keys)
    with transaction.atomic():
        job = RotationJob.objects.select_for_update().get(pk=job.pk)
        people = list(Person.objects.select_for_update()
                      .filter(Q(key_id__in=old) | ~Q(bi_key=job.new_index_key), pk__gt=job.last_person_id)
                      .order_by("pk")[:batch_size])
        if people:
            for person in people:
                if not person.data:
                    person.bi_key = new_indexer.version
                    continue
                codec = codecs[person.file_id]
                try:
                    values = json.loads(ring.sealer(header_key_id(person.data)).open(person.data,
                                                                                     aad_for(person.file_id)))
                except CryptoError:
                    continue  # shredded file: nothing can (or should) be recovered
                person.key_id, person.data = codec.encrypt(values)
                for column, value in codec.indexes(values, new_indexer).items():
                    setattr(person, column, value)
            Person.objects.bulk_update(people, ["data", "key_id", *INDEX_COLUMNS])
            job.last_person_id = people[-1].pk
            job.people_done += len(people)
            job.batches += 1
            job.save(update_fields=["last_person_id", "people_done", "batches"])
            return len(people)
        corrections = list(PersonCorrection.objects.select_for_update().select_related("person")
                           .filter(key_id__in=old, pk__gt=job.last_correction_id).order_by("pk")[:batch_size])
        if corrections:
            for c in corrections:
                try:
                    plain = ring.sealer(header_key_id(c.values)).open(c.values, aad_for(c.person.file_id))
                except CryptoError:
                    continue
                codec = codecs[c.person.file_id]
                c.key_id, c.values = codec.sealer.key_id, codec.sealer.seal(plain, aad_for(c.person.file_id))
            PersonCorrection.objects.bulk_update(corrections, ["values", "key_id"])
            job.last_correction_id = corrections[-1].pk
            job.corrections_done += len(corrections)
            job.batches += 1
            job.save(update_fields=["last_correction_id", "corrections_done", "batches"])
            return len(corrections)
        # What other apps seal under their own scopes of the one key store: the staff's second-factor
        # secrets (scope ``staff:secrets``; a few per member of staff, so one step).
        secrets = reencrypt_staff_secrets(old)
        job.status = RotationJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        record(action=Action.VAULT_KEY_ROTATE, target_type="rotation", target_id=job.pk, count=max(job.people_done, 1),
               details={"stage": "finished", "people": job.people_done, "corrections": job.corrections_done,
                        "staff_secrets": secrets, "batches": job.batches, "shred_files": job.shred_files})
    # Every row is on the new keys: retire the previous ones — or, for a disposal's rotation, destroy them.
    # After the commit, like every key destruction: the job is recorded done before any key goes.
    destroyed = ring.finish_rotation(shred_scopes=[f"file:{f}" for f in job.shred_files],
                                     shred_index=job.shred_index, note=f"shredded by rotation #{job.pk}")
    if destroyed:
        with transaction.atomic():
            RotationJob.objects.filter(pk=job.pk).update(destroyed_keys=destroyed)
            record(action=Action.VAULT_KEY_ROTATE, target_type="rotation", target_id=job.pk, count=len(destroyed),
                   details={"stage": "shredded", "destroyed": destroyed, "shred_files": job.shred_files,
                            "reason": job.reason})
    return 0


def run(job: RotationJob, *, batch_size: int = 1000, max_batches: int | None = None, progress=None) -> RotationJob:
    """Run batches until the job is done (or ``max_batches`` were run)."""
    done = 0
    while max_batches is None or done < max_batches:
        moved = run_batch(job, batch_size=batch_size)
        done += 1
        job.refresh_from_db()
        if progress is not None:
            progress(job, moved)
        if moved == 0:
            break
    return job
