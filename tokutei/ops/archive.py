"""Encrypted backup files: a passphrase-derived key (scrypt) and AES-256-GCM in authenticated chunks.

Layout of one ``.enc`` file::

    MAGIC (16 bytes) | header length (4, big-endian) | header (JSON, UTF-8) | chunk* |
    chunk = length (4, big-endian) | AES-GCM ciphertext+tag

The header holds the KDF parameters, the salt and a random nonce prefix; it is authenticated as the
associated data of every chunk. Each chunk's nonce is the prefix plus its index, and its associated data
says whether it is the last one, so a reordered, truncated or extended file fails to decrypt. Nothing in
the header is secret (no personal data, no key material).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"TOKUTEI-BACKUP\x00\x01"
CHUNK = 1 << 20  # 1 MiB of plaintext per chunk
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 15, 8, 1  # ~32 MiB, ~0.1 s per derivation
MIN_PASSPHRASE = 12


class ArchiveError(Exception):
    """The file is not a backup, the passphrase is wrong, or the file was altered."""


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ArchiveError(f"パスフレーズは {MIN_PASSPHRASE} 文字以上にしてください")


def derive(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    """64 bytes: the first half encrypts, the second half authenticates the manifest."""
    return Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


@dataclass
class Key:
    """A derived key and the parameters that reproduce it from the passphrase."""

    material: bytes
    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def new(cls, passphrase: str) -> Key:
        check_passphrase(passphrase)
        salt = os.urandom(16)
        return cls(derive(passphrase, salt), salt)

    @classmethod
    def from_params(cls, passphrase: str, params: dict) -> Key:
        salt = bytes.fromhex(params["salt"])
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        return cls(derive(passphrase, salt, n, r, p), salt, n, r, p)

    def params(self) -> dict:
        return {"kdf": "scrypt", "salt": self.salt.hex(), "n": self.n, "r": self.r, "p": self.p}

    def mac(self, data: bytes) -> str:
        return hmac.new(self.material[32:], data, hashlib.sha256).hexdigest()


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">I?", index, last)


def encrypt_stream(source: BinaryIO, target: BinaryIO, key: Key, *, kind: str) -> dict:
    """Encrypt ``source`` into ``target``. Returns the plaintext's SHA-256 and size."""
    header = json.dumps({"kind": kind, "cipher": "AES-256-GCM", "chunk": CHUNK, **key.params(),
                         "nonce_prefix": os.urandom(8).hex()}, sort_keys=True).encode("utf-8")
    prefix = bytes.fromhex(json.loads(header)["nonce_prefix"])
    aead = AESGCM(key.material[:32])
    target.write(MAGIC + struct.pack(">I", len(header)) + header)
    digest, size, index = hashlib.sha256(), 0, 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        digest.update(chunk)
        size += len(chunk)
        sealed = aead.encrypt(_nonce(prefix, index), chunk, _aad(header, index, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            break
        chunk, index = following, index + 1
    return {"sha256": digest.hexdigest(), "size": size}


def read_header(source: BinaryIO) -> tuple[bytes, dict]:
    if source.read(len(MAGIC)) != MAGIC:
        raise ArchiveError("バックアップファイルではありません (not a Tokutei backup file)")
    (length,) = struct.unpack(">I", source.read(4))
    if length > 65536:
        raise ArchiveError("ヘッダが壊れています")
    header = source.read(length)
    return header, json.loads(header)


def decrypt_chunks(source: BinaryIO, passphrase: str, *, key: Key | None = None) -> Iterator[bytes]:
    """The plaintext, chunk by chunk; raises ArchiveError on a wrong passphrase or any alteration."""
    header, params = read_header(source)
    key = key if key is not None and key.salt.hex() == params["salt"] else Key.from_params(passphrase, params)
    aead = AESGCM(key.material[:32])
    prefix = bytes.fromhex(params["nonce_prefix"])
    index = 0
    while True:
        raw = source.read(4)
        if len(raw) < 4:
            raise ArchiveError("バックアップファイルが途中で切れています (truncated)")
        (length,) = struct.unpack(">I", raw)
        sealed = source.read(length)
        for last in (False, True):
            try:
                chunk = aead.decrypt(_nonce(prefix, index), sealed, _aad(header, index, last))
            except Exception:  # noqa: S112 - try the other flag, then give up below
                continue
            break
        else:
            raise ArchiveError("復号できません: パスフレーズが違うか、ファイルが改変されています "
                               "(wrong passphrase or altered file)")
        yield chunk
        if last:
            if source.read(1):
                raise ArchiveError("バックアップファイルの末尾に余分なデータがあります")
            return
        index += 1


def decrypt_to(source: BinaryIO, target: BinaryIO | None, passphrase: str, *, key: Key | None = None) -> dict:
    """Decrypt into ``target`` (None: only check). Returns the plaintext's SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    for chunk in decrypt_chunks(source, passphrase, key=key):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}
