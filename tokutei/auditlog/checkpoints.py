"""Signed checkpoints of the operation log, and the lock on every chain head.

Shared by appending (``services.record`` signs every ``AUDIT_CHECKPOINT_EVERY``-th entry), verification
(``verify.verify_database`` signs the heads it has just verified) and the export. It imports neither, so
the dependencies run one way: services → verify → checkpoints.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import signing
from .chain import GENESIS, checkpoint_message, iso
from .models import Checkpoint, Entry


def _sign_checkpoint(lane: int, seq: int, hash_: str, *, reason: str) -> Checkpoint:
    at = iso(timezone.now())
    signature, fp = signing.sign(checkpoint_message(lane, seq, hash_, at))
    cp = Checkpoint.objects.create(
        lane=lane, seq=seq, hash=hash_, at=dt.datetime.fromisoformat(at), signature=signature,
        key_fingerprint=fp, reason=reason,
    )
    from .witness import witness_on_commit

    witness_on_commit(cp)  # also outside the database (witness.py), once committed
    return cp


def checkpoint_at(lane: int, seq: int, *, reason: str) -> Checkpoint:
    """Sign "position ``seq`` of ``lane`` has the hash it has now" (an existing one is reused).

    Only sign what was just verified: callers (verify, export, ``log checkpoint``) verify first.
    """
    if seq == 0:
        hash_ = GENESIS
    else:
        hash_ = Entry.objects.values_list("hash", flat=True).get(lane=lane, lane_seq=seq)
    fingerprint = signing.fingerprint(signing.public_key())
    existing = Checkpoint.objects.filter(lane=lane, seq=seq, hash=hash_, key_fingerprint=fingerprint).first()
    return existing or _sign_checkpoint(lane, seq, hash_, reason=reason)


def checkpoint(*, reason: str = "manual") -> list[Checkpoint]:
    """Sign the head of every lane (raises signing.NoSigningKey without a key)."""
    with transaction.atomic():
        heads = lock_heads()
        return [checkpoint_at(lane, seq, reason=reason) for lane, (seq, _h) in sorted(heads.items()) if seq > 0]


def lock_heads() -> dict[int, tuple[int, str]]:
    """Lock every chain head (no appends until the transaction ends): {lane: (position, hash)}."""
    from .models import ChainHead

    return {h.id: (h.seq, h.hash) for h in ChainHead.objects.select_for_update().order_by("id")}
