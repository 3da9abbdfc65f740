"""Field encryption and blind indexes: round trip, random nonces, key id in the header, normalisation."""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tokutei.vault import keys
from tokutei.vault.crypto import (
    HEADER_LEN,
    NONCE_LEN,
    CryptoError,
    Indexer,
    Sealer,
    header_key_id,
    normalise_kana,
    normalise_my_number,
)


def test_it_round_trips_and_never_repeats_a_nonce():
    sealer = Sealer(7, os.urandom(32))
    blobs = [sealer.seal(b"123456789018", b"aad") for _ in range(2000)]
    assert all(sealer.open(b, b"aad") == b"123456789018" for b in blobs[:50])
    nonces = {b[HEADER_LEN:HEADER_LEN + NONCE_LEN] for b in blobs}
    assert len(nonces) == len(blobs)


def test_it_records_the_key_version_in_the_header():
    blob = Sealer(513, os.urandom(32)).seal(b"x")
    assert blob[0] == 1
    assert header_key_id(blob) == 513


def test_it_refuses_tampered_or_rebound_ciphertext():
    sealer = Sealer(1, os.urandom(32))
    blob = bytearray(sealer.seal(b"secret", b"file:1"))
    with pytest.raises(CryptoError):
        sealer.open(bytes(blob), b"file:2")
    blob[-1] ^= 1
    with pytest.raises(CryptoError):
        sealer.open(bytes(blob), b"file:1")


def test_it_computes_the_same_hmac_as_the_standard_library():
    import hashlib
    import hmac

    key = os.urandom(32)
    assert Indexer(1, key).digest(b"mn:123456789018") == hmac.digest(key, b"mn:123456789018", hashlib.sha256)


def test_it_keeps_keys_in_private_files_outside_the_database(key_dir):
    root = key_dir / "vault"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".key" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert keys.check_permissions() == []


def test_ensure_keys_is_idempotent():
    assert keys.ensure_keys() == {}
    ring = keys.get_keyring()
    assert ring.active_master_id() == 1


def test_a_destroyed_data_key_makes_its_records_unreadable():
    ring = keys.get_keyring()
    sealer = ring.data_key_for("file:99")
    blob = sealer.seal(b"data")
    keys.reset_cache()
    assert keys.get_keyring().sealer(header_key_id(blob)).open(blob) == b"data"
    keys.get_keyring().destroy_scope("file:99")
    keys.reset_cache()
    with pytest.raises(CryptoError):
        keys.get_keyring().sealer(header_key_id(blob))


@given(st.from_regex(r"[0-9]{12}", fullmatch=True), st.sampled_from([" ", "-", "　", "－", ""]))
def test_full_width_and_separated_numbers_normalise_to_the_same_digits(digits, sep):
    full = "".join(chr(ord(c) + 0xFEE0) for c in digits)
    spaced = sep.join([digits[:4], digits[4:8], digits[8:]])
    assert normalise_my_number(full) == digits
    assert normalise_my_number(spaced) == digits


@given(st.text(alphabet="アイウエオカキクケコサシスセソタチツテトナニヌネノヤユヨワン", min_size=1, max_size=8),
       st.text(alphabet="アイウエオカキクケコヤユヨ", min_size=1, max_size=8))
def test_kana_in_hiragana_half_width_or_with_spaces_normalise_alike(family, given_name):
    import unicodedata

    canonical = normalise_kana(family + given_name)
    hira = "".join(chr(ord(c) - 0x60) for c in family + given_name)
    half = unicodedata.normalize("NFKC", family)  # NFKC keeps full-width カナ; build half-width by table
    assert normalise_kana(f"{family}　{given_name}") == canonical
    assert normalise_kana(f"{family}・{given_name}") == canonical
    assert normalise_kana(hira) == canonical
    assert normalise_kana(half + given_name) == canonical


def test_half_width_kana_folds_to_full_width():
    assert normalise_kana("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダタロウ"


def test_a_sealed_batch_opens_and_uses_distinct_nonces():
    sealer = Sealer(3, os.urandom(32))
    blobs = sealer.seal_many([b"a%d" % i for i in range(500)], b"aad")
    assert [sealer.open(b, b"aad") for b in blobs] == [b"a%d" % i for i in range(500)]
    assert len({b[HEADER_LEN:HEADER_LEN + NONCE_LEN] for b in blobs}) == 500


def test_the_bound_index_function_gives_what_index_gives():
    from tokutei.vault.crypto import Indexer

    indexer = Indexer(3, b"i" * 32)
    for kind in ("mn", "rc", "kb", "ok"):
        bound = indexer.index_function(kind)
        for value in ("123456789018", "サトウダイスケ|1958-04-01", "", "０４"):
            assert bound(value) == indexer.index(kind, value)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcXYZ019０１ＡＢｱ-－ ・.,_\u3000\t", max_size=12))
def test_organisation_keys_fold_the_same_with_or_without_the_ascii_shortcut(raw):
    from tokutei.vault.crypto import _SEPARATORS, fold, normalise_org_key

    assert normalise_org_key(raw) == _SEPARATORS.sub("", fold(raw)).upper()


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet="アイガヴヶーｱｶﾞ\u3099ぁがゖゝゞ佐 \u3000\t\n\xa0・･·.,、。-ABc1", max_size=12))
def test_kana_names_fold_the_same_with_or_without_the_space_only_shortcut(raw):
    import unicodedata

    from tokutei.vault.crypto import _KANA_TABLE

    assert normalise_kana(raw) == unicodedata.normalize("NFKC", raw).translate(_KANA_TABLE)
