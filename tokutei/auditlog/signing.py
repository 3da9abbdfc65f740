"""The Ed25519 key that signs operation-log checkpoints, kept in a file outside the database.

``tokutei init`` calls :func:`ensure_keys`. The private key file is 0600 (PEM, PKCS#8); the public key is
written beside it (``.pub``) so it can be handed to an auditor or printed. Whoever holds only the database
cannot make a valid signature, so a rewritten or truncated chain shows at the next signed checkpoint.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from .chain import fingerprint, load_public_pem

_cache: dict[tuple[str, float], Ed25519PrivateKey] = {}


class NoSigningKey(RuntimeError):
    pass


def key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_FILE)


def public_key_path() -> Path:
    path = key_path()
    return path.with_name(path.name + ".pub")


def ensure_keys() -> Path:
    """Create the signing key (0600) if there is none. Returns its path. Never overwrites a key."""
    path = key_path()
    if path.exists():
        _write_public(load_private_key())
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    _write_public(key)
    return path


def _write_public(key: Ed25519PrivateKey) -> None:
    pub = public_key_path()
    pem = public_pem(key.public_key())
    if not pub.exists() or pub.read_bytes() != pem:
        pub.write_bytes(pem)
        os.chmod(pub, 0o644)


def has_key() -> bool:
    return key_path().exists()


def load_private_key() -> Ed25519PrivateKey:
    path = key_path()
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise NoSigningKey(
            f"操作履歴の署名鍵がありません: {path}（`tokutei init` で作成されます）"
        ) from exc
    cache_key = (str(path), stat.st_mtime)
    key = _cache.get(cache_key)
    if key is None:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise NoSigningKey(f"{path} は Ed25519 の秘密鍵ではありません")
        _cache.clear()
        _cache[cache_key] = key = loaded
    return key


def public_key() -> Ed25519PublicKey:
    return load_private_key().public_key()


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """{fingerprint: key} of the keys whose checkpoints verify accepts: the current key, plus earlier
    public keys listed in settings.AUDIT_PREVIOUS_PUBLIC_KEYS (PEM files) after a key rotation."""
    keys: dict[str, Ed25519PublicKey] = {}
    if has_key():
        current = public_key()
        keys[fingerprint(current)] = current
    for extra in getattr(settings, "AUDIT_PREVIOUS_PUBLIC_KEYS", []):
        key = load_public_pem(Path(extra).read_bytes())
        keys[fingerprint(key)] = key
    return keys


def sign(message: bytes) -> tuple[str, str]:
    """(signature hex, key fingerprint)."""
    key = load_private_key()
    return key.sign(message).hex(), fingerprint(key.public_key())
