"""Field encryption (AES-256-GCM) and keyed blind indexes (HMAC-SHA256), and input normalisation.

Design (docs/keys.md has the full picture and the threat model):

* Every ciphertext is ``header || nonce || AESGCM(ciphertext+tag)`` where the 5-byte header is a format
  byte (``0x01``) and the big-endian uint32 id of the data key that sealed it. Nonces are 96 random bits
  from the OS, never fixed (Databunker's fixed nonce broke GCM; lessons.md). The header is also bound as
  associated data, so the key id cannot be swapped.
* One :class:`AESGCM` object per key, created once and reused (re-creating it is dear: lessons.md).
* Blind indexes are HMAC-SHA256 under a separate, versioned index key. The HMAC inner/outer SHA-256
  states are precomputed once per key and copied per message (faster than ``hmac.digest``; the figure
  is in docs/performance.md).
* Normalisation happens before both validation and indexing: NFKC folds full-width digits, spaces and
  hyphens; カナ names are also folded to katakana with spaces and 中黒 removed. The 個人番号's own rules
  (which separators, which digits) are in :mod:`tokutei.core.mynumber`.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# The 個人番号's reading rules live in one module; these names stay importable from here.
from tokutei.core.mynumber import is_twelve_digits as is_twelve_digits
from tokutei.core.mynumber import normalise_my_number as normalise_my_number

FORMAT_V1 = 0x01
HEADER = struct.Struct(">BI")  # format byte, key id
HEADER_LEN = HEADER.size  # 5
NONCE_LEN = 12
TAG_LEN = 16
# Blind index kept in the database: the first 64 bits of the HMAC as a signed bigint. Two different values
# share an index with probability 2^-64 per pair (~3e-6 for ten million people in one file); a search
# result is opened (decrypted) before anything is shown, and a clash in one file is refused as a duplicate.
INDEX_BYTES = 8


class CryptoError(Exception):
    """A ciphertext that cannot be opened: unknown format, destroyed key, or tampering."""


def header_key_id(blob: bytes) -> int:
    """The data-key id recorded in a ciphertext's header."""
    if len(blob) < HEADER_LEN + NONCE_LEN + TAG_LEN:
        raise CryptoError("ciphertext too short")
    fmt, key_id = HEADER.unpack_from(blob)
    if fmt != FORMAT_V1:
        raise CryptoError(f"unknown ciphertext format {fmt}")
    return key_id


class Sealer:
    """AES-256-GCM under one key, with the key id in every ciphertext. Reuse one instance per key."""

    __slots__ = ("_aead", "_header", "key_id")

    def __init__(self, key_id: int, key: bytes):
        if len(key) != 32:
            raise CryptoError("AES-256 needs a 32-byte key")
        self.key_id = key_id
        self._aead = AESGCM(key)
        self._header = HEADER.pack(FORMAT_V1, key_id)

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_LEN)
        header = self._header
        return header + nonce + self._aead.encrypt(nonce, plaintext, header + aad)

    def seal_many(self, plaintexts: list[bytes], aad: bytes = b"") -> list[bytes]:
        """Seal a batch: the random nonces come from one OS call (still 96 random bits each)."""
        pool = os.urandom(NONCE_LEN * len(plaintexts))
        header, encrypt = self._header, self._aead.encrypt
        full_aad = header + aad
        out = []
        for i, plaintext in enumerate(plaintexts):
            nonce = pool[i * NONCE_LEN:(i + 1) * NONCE_LEN]
            out.append(header + nonce + encrypt(nonce, plaintext, full_aad))
        return out

    def open(self, blob: bytes, aad: bytes = b"") -> bytes:
        blob = bytes(blob)
        header = blob[:HEADER_LEN]
        if header != self._header:
            raise CryptoError("ciphertext was sealed under another key")
        try:
            return self._aead.decrypt(blob[HEADER_LEN:HEADER_LEN + NONCE_LEN], blob[HEADER_LEN + NONCE_LEN:],
                                      header + aad)
        except Exception as exc:  # InvalidTag: never echo the data
            raise CryptoError("ciphertext failed authentication") from exc

    def open_unframed(self, nonce: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
        """Open a ciphertext of an earlier format that has no header (nonce and associated data given):
        the staff secrets sealed under ``staff_secrets.key`` before it joined the key store."""
        try:
            return self._aead.decrypt(nonce, sealed, aad)
        except Exception as exc:
            raise CryptoError("ciphertext failed authentication") from exc


class Indexer:
    """HMAC-SHA256 under one index key, with precomputed inner/outer states (RFC 2104).

    The inner state has the index kind's prefix (``mn:``, ``rc:``, ``kb:``, ``ok:``) absorbed already, so one
    index costs two state copies and two SHA-256 finalisations.
    """

    __slots__ = ("_inner", "_kinds", "_outer", "version")

    def __init__(self, version: int, key: bytes):
        if len(key) < 32:
            raise CryptoError("index key must be at least 32 bytes")
        self.version = version
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._kinds: dict[str, Callable[[str], int]] = {}

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def index(self, kind: str, value: str) -> int:
        """The first 64 bits of HMAC(kind ':' value) as a signed bigint — domain-separated per index kind."""
        return self.index_function(kind)(value)

    def index_function(self, kind: str) -> Callable[[str], int]:
        """``index`` with ``kind`` bound (made once per kind and kept), for loops over many values such as
        the bulk importer's: the kind's prefix is absorbed into the inner state once."""
        found = self._kinds.get(kind)
        if found is not None:
            return found
        prefixed = self._inner.copy()
        prefixed.update(kind.encode() + b":")
        outer_state = self._outer
        from_bytes = int.from_bytes

        def index(value: str) -> int:
            inner = prefixed.copy()
            inner.update(value.encode())
            outer = outer_state.copy()
            outer.update(inner.digest())
            return from_bytes(outer.digest()[:INDEX_BYTES], "big", signed=True)

        self._kinds[kind] = index
        return index


def index_reference(value: int) -> str:
    """A short printable reference of a blind index (参照符号 in reject reports): its first 48 bits, hex.
    A keyed digest, not the value: it cannot be turned back into the number without the index key."""
    return f"{value & 0xFFFF_FFFF_FFFF_FFFF:016x}"[:12]


# --- normalisation ----------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－_・･.,]+")


def fold(value: str) -> str:
    """NFKC (full-width digits and letters to half-width, half-width カナ to full-width).

    The ideographic space (U+3000) is folded to " " first — exactly what NFKC does with it — so that the
    usual Japanese name (「松本　直美」) passes unicodedata's quick check instead of taking its full
    decomposition pass (docs/performance.md)."""
    value = value or ""
    return unicodedata.normalize("NFKC", value.replace("\u3000", " ") if "\u3000" in value else value)


def digits_only(value: str) -> str:
    """NFKC then remove spaces, hyphens and other separators. Returns "" for non-digit leftovers kept."""
    return _SEPARATORS.sub("", fold(value)).strip()


def normalise_resident_code(value: str) -> str:
    """住民票コード as 11 ASCII digits."""
    return digits_only(value)


_HIRAGANA = {c: c + 0x60 for c in [*range(ord("ぁ"), ord("ゖ") + 1), ord("ゝ"), ord("ゞ")]}
_KANA_TABLE = {**_HIRAGANA, **{ord(c): None for c in " \t\r\n\x0b\x0c\u3000・･·.,、。"}}


def hiragana_to_katakana(value: str) -> str:
    return value.translate(_HIRAGANA)


# What the table changes besides the plain space: when a name has none of it (the usual katakana name),
# dropping its spaces is the whole job — str.translate with a dict costs a lookup per character.
_KANA_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(set(_KANA_TABLE) - {ord(" ")})) + "]")


def normalise_kana(value: str) -> str:
    """カナ name for lookup: NFKC, hiragana → katakana, spaces and 中黒 removed."""
    folded = fold(value)
    if _KANA_TRANSLATED.search(folded):
        return folded.translate(_KANA_TABLE)
    return folded.replace(" ", "")


def normalise_org_key(value: str) -> str:
    """The organisation's own key (年金証書番号 etc.) for lookup: NFKC, separators removed, upper case."""
    if value.isascii() and value.isalnum():
        return value.upper()  # the usual key: NFKC and the separators leave ASCII letters and digits alone
    return _SEPARATORS.sub("", fold(value)).upper()


@dataclass(frozen=True)
class IndexInputs:
    """The normalised values the blind indexes are computed from (all optional)."""

    my_number: str = ""
    resident_code: str = ""
    kana: str = ""
    birth_date: str = ""  # ISO YYYY-MM-DD
    org_key: str = ""


def index_values(indexer: Indexer, inputs: IndexInputs) -> dict[str, int | None]:
    """The blind-index columns of one person row under one index key."""
    return {
        "bi_my_number": indexer.index("mn", inputs.my_number) if inputs.my_number else None,
        "bi_resident_code": indexer.index("rc", inputs.resident_code) if inputs.resident_code else None,
        "bi_kana_birth": (indexer.index("kb", f"{inputs.kana}|{inputs.birth_date}")
                          if inputs.kana and inputs.birth_date else None),
        "bi_org_key": indexer.index("ok", inputs.org_key) if inputs.org_key else None,
    }
