"""A 個人番号 typed on a form that was refused for another reason is kept for the resubmission, sealed.

The clerk need not type it again (issue 18 item 3), yet it is never written back into the page: the page
carries only a sealed token (AES-256-GCM, in a hidden field of the POST form — never a URL) and shows the
number masked, its last four digits only (「＊＊＊＊ ＊＊＊＊ 9012」). The key is derived from the
installation's secret and the session (HKDF), so a token opens only in the session that made it, and only
for :data:`KEPT_SECONDS`; it names the form field it belongs to. Nothing is stored in the session and
nothing is logged.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEPT_SECONDS = 15 * 60  # a clerk correcting the other fields of one entry; afterwards the number is retyped
PREFIX = "kept_"  # the hidden field: kept_<field name>


def _key(session_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tokutei.vault.kept-number",
                info=session_key.encode()).derive(settings.SECRET_KEY.encode())


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def seal(request, field: str, number: str) -> str:
    """The token for ``number`` typed in ``field`` (12 digits), valid in this session for a while."""
    nonce = os.urandom(12)
    plain = struct.pack(">Q", int(time.time())) + number.encode()
    blob = nonce + AESGCM(_key(_session_key(request))).encrypt(nonce, plain, field.encode())
    return base64.urlsafe_b64encode(blob).decode()


def unseal(request, field: str, token: str) -> str | None:
    """The number of a token made in this session for ``field`` and still fresh; otherwise None."""
    if not token or len(token) > 200 or not request.session.session_key:
        return None
    try:
        blob = base64.urlsafe_b64decode(token.encode())
        plain = AESGCM(_key(request.session.session_key)).decrypt(blob[:12], blob[12:], field.encode())
    except (binascii.Error, ValueError, InvalidTag):
        return None
    (made,) = struct.unpack(">Q", plain[:8])
    if not 0 <= time.time() - made <= KEPT_SECONDS:
        return None
    return plain[8:].decode()


def masked(number: str) -> str:
    """「＊＊＊＊ ＊＊＊＊ 9012」: enough to recognise the entry, not the number."""
    return f"＊＊＊＊ ＊＊＊＊ {number[-4:]}"
