"""Second factors: TOTP (pyotp, secret encrypted at rest) and WebAuthn (py_webauthn).

A WebAuthn credential verified with user verification (UV) is 生体認証 (fingerprint, face, palm vein on
the terminal's platform authenticator): profiles with ``biometric_required`` demand UV at registration
and at every sign-in. Everything works offline (三層分離): no external service is called.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tokutei.auditlog.services import record
from tokutei.profiles.selectors import get_profile

from . import crypto
from .models import SecondFactor, User

ISSUER = "Tokutei"


def context_for(user: User) -> str:
    """What a user's TOTP secret is bound to (associated data of its ciphertext)."""
    return f"staff.totp:{user.pk}"


_context = context_for


# --- TOTP ----------------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    org = get_profile().organisation.code
    return pyotp.TOTP(secret).provisioning_uri(name=f"{user.username}@{org}", issuer_name=ISSUER)


def qr_svg(data: str) -> str:
    """An inline SVG QR code, drawn here (no external service)."""
    return segno.make(data, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def _match_totp(secret: str, code: str, *, after: int) -> int | None:
    """The time step that ``code`` matches (±1 step of drift), if later than ``after`` (no replay)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time()
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        if totp.verify(code, for_time=int(at)):
            step = int(at // totp.interval)
            if step > after:
                return step
    return None


def enrol_totp(*, user: User, terminal: Any = None, secret: str, code: str) -> SecondFactor | None:
    """Store the TOTP secret (encrypted) once the user proves their app shows the right code."""
    step = _match_totp(secret, code, after=0)
    if step is None:
        return None
    with transaction.atomic():
        factor = SecondFactor.objects.create(user=user, kind=SecondFactor.Kind.TOTP, name="認証アプリ",
                                             secret_enc=crypto.encrypt(secret, context=_context(user)),
                                             last_counter=step)
        record(action="staff.second_factor_enrol", actor=user, terminal=terminal, target_type="user",
               target_id=user.pk, details={"kind": "totp", "factor_id": factor.pk})
    return factor


def verify_totp(user: User, code: str) -> SecondFactor | None:
    for factor in SecondFactor.objects.filter(user=user, kind=SecondFactor.Kind.TOTP, revoked_at__isnull=True):
        secret = crypto.decrypt(factor.secret_enc, context=_context(user))
        step = _match_totp(secret, code, after=factor.last_counter)
        if step is not None:
            factor.last_counter = step
            factor.last_used_at = timezone.now()
            factor.save(update_fields=["last_counter", "last_used_at"])
            return factor
    return None


# --- WebAuthn ------------------------------------------------------------------------------------------


def _uv_required() -> bool:
    return get_profile().authentication.biometric_required


# (check, done) pairs other apps register (tokutei.registers, 000 §7.3, E-10): ``check(user=, terminal=)``
# runs before an authenticator (照合情報) is enrolled and raises a logged Refused when the enrolment is not
# allowed (no approved application); ``done(user=, terminal=, factor=, token=)`` runs in the enrolment's
# transaction with what ``check`` returned. The staff app itself knows nothing of approvals.
ENROLMENT_GUARDS: list[tuple[Any, Any]] = []


# (check, done) pairs for deleting authenticators (照合情報) outside the 照合情報管理簿 — an administrator's
# credential reset (000 §7.3, E-10): ``check(actor=, user=, factor_ids=, approval_id=)`` runs before the
# reset's transaction and raises a logged Refused when the deletion needs an approved application that is
# missing; ``done(actor=, user=, factor_ids=, token=)`` runs inside it (uses the approval, writes the
# register's deletion) and returns details for the reset's log entry.
DELETION_GUARDS: list[tuple[Any, Any]] = []
# ``needs()`` → True where deleting an authenticator needs such an application at all (the registers app
# registers it): then nothing but the approved reset deletes one — not a cancelled provisioning task either.
DELETION_NEEDS_APPLICATION: list[Any] = []


def deletion_needs_application() -> bool:
    return any(needs() for needs in DELETION_NEEDS_APPLICATION)


def check_enrolment(user: User, terminal: Any = None) -> list[Any]:
    return [check(user=user, terminal=terminal) for check, _done in ENROLMENT_GUARDS]


def registration_options(user: User) -> tuple[str, str]:
    """(options JSON for startRegistration, challenge base64url to keep in the session)."""
    existing = SecondFactor.objects.filter(user=user, kind=SecondFactor.Kind.WEBAUTHN, revoked_at__isnull=True)
    uv = UserVerificationRequirement.REQUIRED if _uv_required() else UserVerificationRequirement.PREFERRED
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=f"tokutei-user-{user.pk}".encode(),
        user_name=user.username,
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=uv
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(f.credential_id)) for f in existing],
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def enrol_webauthn(*, user: User, terminal: Any = None, challenge: str, response: str | dict, origin: str | None = None,
                   name: str = "") -> SecondFactor:
    """Verify the browser's registration response and store the credential (raises on failure)."""
    tokens = check_enrolment(user, terminal)  # raises a logged Refused without the approved application
    verified = verify_registration_response(
        credential=response,
        expected_challenge=base64url_to_bytes(challenge),
        expected_rp_id=settings.WEBAUTHN_RP_ID,
        expected_origin=_origins(origin),
        require_user_verification=_uv_required(),
    )
    with transaction.atomic():
        factor = SecondFactor.objects.create(
            user=user, kind=SecondFactor.Kind.WEBAUTHN, name=name or "生体認証",
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=bytes_to_base64url(verified.credential_public_key),
            sign_count=verified.sign_count, user_verified=verified.user_verified,
        )
        for (_check, done), token in zip(ENROLMENT_GUARDS, tokens, strict=True):
            done(user=user, terminal=terminal, factor=factor, token=token)
        record(action="staff.second_factor_enrol", actor=user, terminal=terminal, target_type="user",
               target_id=user.pk, details={"kind": "webauthn", "factor_id": factor.pk, "uv": verified.user_verified})
    return factor


def authentication_options(user: User) -> tuple[str, str]:
    creds = SecondFactor.objects.filter(user=user, kind=SecondFactor.Kind.WEBAUTHN, revoked_at__isnull=True)
    uv = UserVerificationRequirement.REQUIRED if _uv_required() else UserVerificationRequirement.PREFERRED
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(f.credential_id)) for f in creds],
        user_verification=uv,
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def verify_webauthn(user: User, *, challenge: str, response: str | dict, origin: str | None = None) -> SecondFactor:
    """Verify an assertion against the user's stored credential (raises on failure)."""
    data = json.loads(response) if isinstance(response, str) else response
    factor = SecondFactor.objects.get(user=user, kind=SecondFactor.Kind.WEBAUTHN, revoked_at__isnull=True,
                                      credential_id=data.get("id", ""))
    verified = verify_authentication_response(
        credential=data,
        expected_challenge=base64url_to_bytes(challenge),
        expected_rp_id=settings.WEBAUTHN_RP_ID,
        expected_origin=_origins(origin),
        credential_public_key=base64url_to_bytes(factor.public_key),
        credential_current_sign_count=factor.sign_count,
        require_user_verification=_uv_required(),
    )
    factor.sign_count = verified.new_sign_count
    factor.last_used_at = timezone.now()
    factor.save(update_fields=["sign_count", "last_used_at"])
    return factor


def _origins(origin: str | None) -> list[str]:
    """Accepted origins: the configured ones only (a request's own Origin is checked against them)."""
    return list(settings.WEBAUTHN_ORIGINS)
