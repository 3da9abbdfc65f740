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


def start(*, actor=None) -> RotationJob:
    """Create the new key versions and the job that moves every row onto them (or resume the open one)."""
    job = running_job()
    if job is not None:
        return job
    summary = get_keyring().start_rotation()
    with transaction.atomic():
        job = RotationJob.objects.create(old_data_keys=summary["old_data"], new_index_key=summary["new_index"],
                                         master_key=summary["master"])
        record(action=Action.VAULT_KEY_ROTATE, actor=actor, target_type="rotation", target_id=job.pk,
               details={"stage": "started", **{k: v for k, v in summary.items()}})
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
                        "staff_secrets": secrets, "batches": job.batches})
    ring.finish_rotation()
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
