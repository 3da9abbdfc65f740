"""One key store: the staff's second-factor secrets are sealed by a data key of the vault's key store,
an existing installation's staff_secrets.key is adopted, and `tokutei keys rotate` re-encrypts them."""

from __future__ import annotations

import base64
import os
from io import StringIO

import pyotp
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command

from tokutei.staff import crypto
from tokutei.staff.factors import context_for, verify_totp
from tokutei.staff.models import SecondFactor
from tokutei.vault import keys
from tokutei.vault.models import RotationJob


def _legacy_token(key: bytes, secret: str, context: str) -> str:
    """A secret as the earlier staff/crypto.py wrote it (its own key file, "v1:" tokens)."""
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, secret.encode(), context.encode())
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def _factor(user, token: str) -> SecondFactor:
    return SecondFactor.objects.create(user=user, kind=SecondFactor.Kind.TOTP, name="app", secret_enc=token)


@pytest.fixture
def legacy_installation(settings, make_user, t99):
    """An installation of the earlier version: a key file beside the key store, and two secrets under it."""
    key = os.urandom(32)
    path = crypto.key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key)
    users = [make_user("totp1"), make_user("totp2")]
    secrets = [pyotp.random_base32() for _ in users]
    factors = [_factor(u, _legacy_token(key, s, context_for(u))) for u, s in zip(users, secrets, strict=True)]
    return users, secrets, factors


def test_a_new_secret_is_sealed_by_the_key_store(make_user):
    user = make_user("fresh")
    token = crypto.encrypt("JBSWY3DPEHPK3PXP", context=context_for(user))
    assert token.startswith("v2:")
    ring = keys.get_keyring()
    key_id = ring.active_data_key(crypto.SCOPE)
    assert key_id is not None and crypto.key_id_of(token) == key_id
    assert ring.info("data", key_id).wrapped_by == ring.active_master_id()
    assert crypto.decrypt(token, context=context_for(user)) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(Exception):  # noqa: B017 - bound to its owner
        crypto.decrypt(token, context="staff.totp:999999")
    assert not crypto.key_path().exists()  # no key file of its own any more


def test_only_a_staff_key_opens_a_secret(make_user):
    from tokutei.vault.crypto import CryptoError

    user = make_user("fresh")
    ring = keys.get_keyring()
    file_key = ring.data_key_for("file:1")  # a person file's key, with the staff associated data
    blob = file_key.seal(b"JBSWY3DPEHPK3PXP", b"tokutei/staff/" + context_for(user).encode())
    with pytest.raises(CryptoError):
        crypto.decrypt("v2:" + base64.urlsafe_b64encode(blob).decode(), context=context_for(user))


def test_an_existing_key_file_is_adopted_and_its_secrets_still_read(legacy_installation):
    users, secrets, factors = legacy_installation
    for user, secret, factor in zip(users, secrets, factors, strict=True):
        assert crypto.decrypt(factor.secret_enc, context=context_for(user)) == secret
        assert verify_totp(user, pyotp.TOTP(secret).now()) == factor  # sign-in still works
    ring = keys.get_keyring()
    adopted = ring.adopted_key(crypto.SCOPE)
    assert adopted is not None and ring.info("data", adopted).status == keys.ACTIVE
    assert ring.active_data_key(crypto.SCOPE) == adopted  # new secrets go under it until a rotation
    # The key material is in the key store, wrapped by the master key: not the file's bytes in the clear.
    wrapped = ring.provider.get("data", adopted)
    assert crypto.key_path().read_bytes() not in wrapped
    assert keys.ensure_keys().get(f"adopted:{crypto.SCOPE}") is None  # once only


def test_tokutei_init_adopts_the_key_file(legacy_installation):
    keys.reset_cache()
    created = keys.ensure_keys()
    assert created[f"adopted:{crypto.SCOPE}"] == keys.get_keyring().adopted_key(crypto.SCOPE)


def test_rotation_re_encrypts_the_secrets_and_old_values_still_read(legacy_installation, make_user):
    users, secrets, factors = legacy_installation
    newer = make_user("totp3")
    newer_secret = pyotp.random_base32()
    newer_factor = _factor(newer, crypto.encrypt(newer_secret, context=context_for(newer)))
    ring = keys.get_keyring()
    first_key = ring.active_data_key(crypto.SCOPE)
    before = {f.pk: f.secret_enc for f in SecondFactor.objects.all()}

    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "完了" in out.getvalue()
    assert RotationJob.objects.get().status == "done"

    keys.reset_cache()
    ring = keys.get_keyring()
    new_key = ring.active_data_key(crypto.SCOPE)
    assert first_key is not None and new_key is not None and new_key != first_key
    assert ring.info("data", first_key).status == keys.RETIRED
    assert ring.info("data", new_key).wrapped_by == ring.active_master_id() == 2
    for user, secret, factor in [*zip(users, secrets, factors, strict=True), (newer, newer_secret, newer_factor)]:
        factor.refresh_from_db()
        assert factor.secret_enc != before[factor.pk] and factor.secret_enc.startswith("v2:")
        assert crypto.key_id_of(factor.secret_enc) == new_key
        assert crypto.decrypt(factor.secret_enc, context=context_for(user)) == secret
        # A value read from an older database backup still opens: the retired key is kept.
        assert crypto.decrypt(before[factor.pk], context=context_for(user)) == secret
    from tokutei.auditlog.models import Entry

    finished = Entry.objects.filter(action="vault.key_rotate").order_by("-seq").first()
    assert finished is not None and finished.details["staff_secrets"] == 3

    out = StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert f"scope={crypto.SCOPE}" in text
    assert f"#{new_key}=3" in text
    assert "鍵ストアに取り込み済み" in text


def test_a_rotation_before_any_use_takes_the_key_file_in_first(legacy_installation):
    users, secrets, factors = legacy_installation
    keys.reset_cache()
    call_command("keys", "rotate", stdout=StringIO())
    for user, secret, factor in zip(users, secrets, factors, strict=True):
        factor.refresh_from_db()
        assert factor.secret_enc.startswith("v2:")
        assert crypto.decrypt(factor.secret_enc, context=context_for(user)) == secret


def test_a_key_file_found_after_the_store_has_a_staff_key_is_kept_for_reading_only(make_user):
    user = make_user("later")
    crypto.encrypt("FIRST", context=context_for(user))  # the store's own staff key exists first
    ring = keys.get_keyring()
    own = ring.active_data_key(crypto.SCOPE)
    key = os.urandom(32)
    crypto.key_path().write_bytes(key)  # e.g. restored from an old backup afterwards
    old_token = _legacy_token(key, "OLDSECRET", context_for(user))
    assert crypto.decrypt(old_token, context=context_for(user)) == "OLDSECRET"
    adopted = ring.adopted_key(crypto.SCOPE)
    assert adopted is not None and adopted != own
    assert ring.info("data", adopted).status == keys.PREVIOUS
    assert ring.active_data_key(crypto.SCOPE) == own
