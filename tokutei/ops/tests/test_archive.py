"""The encrypted backup format: round trip, wrong passphrase, truncation, reordering, tampering."""

from __future__ import annotations

import io
import os

import pytest

from tokutei.ops import archive


@pytest.fixture(scope="module")
def key():
    return archive.Key.new("correct horse battery staple")


def sealed(data: bytes, key) -> bytes:
    out = io.BytesIO()
    archive.encrypt_stream(io.BytesIO(data), out, key, kind="test")
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, archive.CHUNK, archive.CHUNK + 1, 3 * archive.CHUNK - 7])
def test_round_trip(key, size):
    data = os.urandom(size)
    blob = sealed(data, key)
    out = io.BytesIO()
    info = archive.decrypt_to(io.BytesIO(blob), out, "correct horse battery staple")
    assert out.getvalue() == data and info["size"] == size


def test_a_wrong_passphrase_is_refused(key):
    with pytest.raises(archive.ArchiveError, match="パスフレーズ"):
        archive.decrypt_to(io.BytesIO(sealed(b"x" * 100, key)), None, "wrong horse battery staple")


def test_truncated_reordered_or_altered_files_are_refused(key):
    blob = sealed(os.urandom(2 * archive.CHUNK + 10), key)
    header_end = len(archive.MAGIC) + 4 + int.from_bytes(blob[len(archive.MAGIC):len(archive.MAGIC) + 4], "big")
    chunk = 4 + archive.CHUNK + 16
    first, second = blob[header_end:header_end + chunk], blob[header_end + chunk:header_end + 2 * chunk]
    cases = {
        "cut after a whole chunk": blob[:header_end + chunk],
        "last chunk dropped": blob[:header_end + 2 * chunk],
        "chunks swapped": blob[:header_end] + second + first + blob[header_end + 2 * chunk:],
        "a bit flipped": blob[:-5] + bytes([blob[-5] ^ 1]) + blob[-4:],
        "bytes appended": blob + b"\0",
    }
    for name, bad in cases.items():
        with pytest.raises(archive.ArchiveError):
            archive.decrypt_to(io.BytesIO(bad), None, "correct horse battery staple")
        assert name


def test_short_passphrases_are_refused():
    with pytest.raises(archive.ArchiveError):
        archive.Key.new("short")
