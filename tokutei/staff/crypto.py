"""Second-factor secrets encrypted at rest (AES-256-GCM) under the vault's key store (docs/keys.md).

The key is the data key of scope ``staff:secrets`` in ``tokutei.vault.keys`` — wrapped by the master key,
versioned, listed by ``tokutei keys status`` and replaced by ``tokutei keys rotate`` (which re-encrypts
every stored secret, :func:`reencrypt`). It is never the ``SECRET_KEY`` and never in the database.

Token formats (``SecondFactor.secret_enc``):

* ``v2:<base64url(ciphertext)>`` — the vault's ciphertext format: a header naming the data key, a random
  96-bit nonce, AES-256-GCM; associated data ``tokutei/staff/<context>`` binds it to its owner, so a
  secret copied to another user's row does not decrypt.
* ``v1:<base64url(nonce || ciphertext)>`` — written by earlier versions under the key file
  ``KEY_DIR/staff_secrets.key`` with associated data ``<context>``. That file is adopted into the key store
  on first use (``Keyring.adopt_legacy``), so these still open; a rotation rewrites them as ``v2``.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from django.conf import settings

SCOPE = "staff:secrets"
KEY_VERSION = "v2"
LEGACY_VERSION = "v1"


def key_path() -> Path:
    """Where earlier versions kept the key (now adopted into the key store; see the module docstring)."""
    return Path(settings.KEY_DIR) / "staff_secrets.key"


def _ring():
    from tokutei.vault import keys

    ring = keys.get_keyring()
    if not any(k.status == keys.ACTIVE for k in ring.infos("master")):
        keys.ensure_keys()  # a fresh installation's first secret (as the key file used to be created)
    elif ring.adopted_key(SCOPE) is None:
        ring.adopt_legacy(SCOPE)
    return ring


def _aad(context: str) -> bytes:
    return b"tokutei/staff/" + context.encode("utf-8")


def encrypt(plaintext: str, *, context: str) -> str:
    sealer = _ring().data_key_for(SCOPE)
    blob = sealer.seal(plaintext.encode("utf-8"), _aad(context))
    return f"{KEY_VERSION}:" + base64.urlsafe_b64encode(blob).decode("ascii")


def key_id_of(token: str) -> int | None:
    """The data key a stored token is sealed under (a ``v1`` token: the adopted key), or None if unknown."""
    from tokutei.vault.crypto import CryptoError, header_key_id
    from tokutei.vault.keys import get_keyring

    version, _, body = token.partition(":")
    if version == LEGACY_VERSION:
        return get_keyring().adopted_key(SCOPE)  # reads only: ``tokutei keys status`` asks this
    if version != KEY_VERSION:
        return None
    try:
        return header_key_id(base64.urlsafe_b64decode(body.encode("ascii")))
    except (CryptoError, binascii.Error, ValueError):
        return None


def decrypt(token: str, *, context: str) -> str:
    from tokutei.vault.crypto import CryptoError, header_key_id

    version, _, body = token.partition(":")
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("unreadable secret") from exc
    ring = _ring()
    if version == KEY_VERSION:
        key_id = header_key_id(raw)
        if ring.info("data", key_id).scope != SCOPE:
            raise CryptoError("this secret is not sealed by a staff key")
        return ring.sealer(key_id).open(raw, _aad(context)).decode("utf-8")
    if version == LEGACY_VERSION:
        key_id = ring.adopted_key(SCOPE)
        if key_id is None:
            raise CryptoError("the key of this secret (staff_secrets.key) is not in the key store")
        return ring.sealer(key_id).open_unframed(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
    raise ValueError("unknown key version")


def reencrypt(old_key_ids: list[int]) -> int:
    """Rewrite every stored secret sealed under one of ``old_key_ids`` (or in the ``v1`` format) under the
    scope's active key, in one transaction with the rows locked. Returns how many were rewritten.

    Called by the key rotation (``tokutei.vault.rotation``) before it retires the old keys; the number of
    second factors is that of the staff, so one batch does."""
    from django.db import transaction

    from tokutei.vault.crypto import CryptoError

    from .factors import context_for
    from .models import SecondFactor

    old = set(old_key_ids)
    moved = 0
    with transaction.atomic():
        rows = SecondFactor.objects.select_for_update().exclude(secret_enc="").select_related("user").order_by("pk")
        for factor in rows:
            token = factor.secret_enc
            if not (token.startswith(f"{LEGACY_VERSION}:") or key_id_of(token) in old):
                continue
            context = context_for(factor.user)
            try:
                plain = decrypt(token, context=context)
            except (CryptoError, ValueError):
                continue  # unreadable (its key destroyed or the row damaged): nothing to move
            factor.secret_enc = encrypt(plain, context=context)
            factor.save(update_fields=["secret_enc"])
            moved += 1
    return moved


def usage() -> dict[int | None, int]:
    """How many stored secrets each data key seals (for ``tokutei keys status``)."""
    from .models import SecondFactor

    counts: dict[int | None, int] = {}
    for token in SecondFactor.objects.exclude(secret_enc="").values_list("secret_enc", flat=True):
        key_id = key_id_of(token)
        counts[key_id] = counts.get(key_id, 0) + 1
    return counts
