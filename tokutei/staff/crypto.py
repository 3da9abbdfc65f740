"""Second-factor secrets encrypted at rest (AES-256-GCM), with a key file outside the database.

The key lives in ``settings.KEY_DIR / "staff_secrets.key"`` (created 0600 on first use); it is never the
``SECRET_KEY``. Each ciphertext carries its key version and a random 96-bit nonce, and is bound to its
owner by associated data, so a secret copied to another user's row does not decrypt.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

KEY_VERSION = "v1"


def key_path() -> Path:
    return Path(settings.KEY_DIR) / "staff_secrets.key"


def _key() -> bytes:
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) != 32:
        raise RuntimeError(f"鍵ファイルが壊れています: {path}")
    return key


def encrypt(plaintext: str, *, context: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{KEY_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, context: str) -> str:
    version, _, body = token.partition(":")
    if version != KEY_VERSION:
        raise ValueError("unknown key version")
    raw = base64.urlsafe_b64decode(body.encode("ascii"))
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
