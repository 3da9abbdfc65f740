"""WebAuthn server side: registration and assertion verification against a software authenticator.

The authenticator below builds real ES256 credentials ("none" attestation) the way a platform
authenticator does, so the py_webauthn verification runs for real (origin, challenge, RP ID, UV flag).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from webauthn.helpers import bytes_to_base64url

from tokutei.staff import factors
from tokutei.staff.models import SecondFactor

from .conftest import entries

ORIGIN = "http://localhost:8000"
UP, UV, AT = 0x01, 0x04, 0x40


class SoftAuthenticator:
    def __init__(self, *, user_verification: bool = True):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.uv = user_verification
        self.count = 0

    def _flags(self, extra: int = 0) -> bytes:
        return bytes([UP | (UV if self.uv else 0) | extra])

    def _client_data(self, kind: str, options: dict, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": options["challenge"], "origin": origin,
                           "crossOrigin": False}).encode()

    def create(self, options_json: str, origin: str = ORIGIN) -> dict:
        options = json.loads(options_json)
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(options["rp"]["id"].encode()).digest() + self._flags(AT)
                     + struct.pack(">I", self.count) + bytes(16)
                     + struct.pack(">H", len(self.credential_id)) + self.credential_id + cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        cid = bytes_to_base64url(self.credential_id)
        return {"id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": bytes_to_base64url(self._client_data("webauthn.create", options, origin)),
                             "attestationObject": bytes_to_base64url(attestation), "transports": ["internal"]}}

    def get(self, options_json: str, origin: str = ORIGIN) -> dict:
        options = json.loads(options_json)
        self.count += 1
        auth_data = hashlib.sha256(options["rpId"].encode()).digest() + self._flags() + struct.pack(">I", self.count)
        client_data = self._client_data("webauthn.get", options, origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        cid = bytes_to_base64url(self.credential_id)
        return {"id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": bytes_to_base64url(client_data),
                             "authenticatorData": bytes_to_base64url(auth_data),
                             "signature": bytes_to_base64url(signature), "userHandle": None}}


@pytest.fixture
def biometric(activate, make_user, settings):
    """004: ID + 生体認証 (WebAuthn with user verification)."""
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]
    activate("hyogo-kyosai")
    return make_user("nenkin1", "handler", tasks=[])


def test_it_registers_and_verifies_a_credential_with_user_verification(biometric):
    device = SoftAuthenticator()
    options, challenge = factors.registration_options(biometric)
    assert json.loads(options)["authenticatorSelection"]["userVerification"] == "required"
    factor = factors.enrol_webauthn(user=biometric, challenge=challenge, response=json.dumps(device.create(options)))
    assert factor.user_verified and factor.kind == "webauthn"
    options, challenge = factors.authentication_options(biometric)
    verified = factors.verify_webauthn(biometric, challenge=challenge, response=device.get(options))
    assert verified.sign_count == 1
    assert entries("staff.second_factor_enrol").count() == 1


def test_a_credential_without_user_verification_is_not_biometric_and_is_refused(biometric):
    device = SoftAuthenticator(user_verification=False)
    options, challenge = factors.registration_options(biometric)
    with pytest.raises(Exception):  # noqa: B017 - py_webauthn raises InvalidRegistrationResponse
        factors.enrol_webauthn(user=biometric, challenge=challenge, response=device.create(options))
    assert not SecondFactor.objects.exists()


def test_an_assertion_for_another_challenge_or_origin_is_refused(biometric):
    device = SoftAuthenticator()
    options, challenge = factors.registration_options(biometric)
    factors.enrol_webauthn(user=biometric, challenge=challenge, response=device.create(options))
    options, _challenge = factors.authentication_options(biometric)
    _other_options, other_challenge = factors.authentication_options(biometric)
    with pytest.raises(Exception):  # noqa: B017
        factors.verify_webauthn(biometric, challenge=other_challenge, response=device.get(options))
    options, challenge = factors.authentication_options(biometric)
    with pytest.raises(Exception):  # noqa: B017
        factors.verify_webauthn(biometric, challenge=challenge, response=device.get(options, "http://evil.example"))


def test_the_sign_in_pages_complete_a_webauthn_sign_in(client, biometric):
    device = SoftAuthenticator()
    response = client.post("/login/", {"username": "nenkin1", "password": "correct horse 42"})
    assert response.url == "/login/enrol/"  # first sign-in: enrol the biometric factor
    options = client.post("/webauthn/register/options/").content.decode()
    response = client.post("/webauthn/register/verify/", json.dumps(device.create(options)),
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["next"] == "/"
    assert "_auth_user_id" in client.session
    client.post("/logout/")
    assert client.post("/login/", {"username": "nenkin1", "password": "correct horse 42"}).url == "/login/verify/"
    options = client.post("/login/webauthn/options/").content.decode()
    response = client.post("/login/webauthn/verify/", json.dumps(device.get(options)),
                           content_type="application/json")
    assert response.status_code == 200 and "_auth_user_id" in client.session
    assert entries("staff.sign_in").last().details["method"] == "password+webauthn"


def test_004_does_not_accept_totp_in_place_of_biometrics(client, biometric):
    client.post("/login/", {"username": "nenkin1", "password": "correct horse 42"})
    page = client.get("/login/enrol/").content.decode()
    assert "webauthn-register" in page and "totp-secret" not in page
    assert settings.WEBAUTHN_RP_ID == "localhost"
