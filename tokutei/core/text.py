"""Text as the system accepts it, and as it writes it into the operation log.

Accepting (:func:`check_text`) — what a person types into a name, a note or a reason:

* it must be valid Unicode text: no lone surrogate (a browser or a JSON client can send ``\\ud800``; no
  database can store it), no NUL (PostgreSQL refuses it in text and JSON);
* no control characters (C0, DEL, C1) — a line break only where the field is multi-line;
* no U+FFFD (what a form's invalid UTF-8 is decoded to: the value is not what was typed);
* no bidirectional overrides, embeddings or isolates (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
  U+061C) and no BOM / zero-width no-break space: they make a name read differently from what is stored;
* at most the field's number of characters.

The checks run on the value's NFKC form too (a compatibility character cannot smuggle in what its plain
form would be refused for); the value is stored as entered (minus surrounding white space), so 異体字 and
外字 (private use characters) survive. Messages are Japanese and never repeat the value.

Logging (:func:`log_text`) — any value going into a log entry or a server log line: made total and bounded
(never an exception): invalid characters replaced by U+FFFD, truncated to the column's length, and
anything shaped like a 個人番号 hidden, in any spelling (tokutei.core.mynumber.redact_everywhere).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .mynumber import redact_everywhere

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# U+FFFD is what a decoder makes of bytes that are not UTF-8: a value holding it was not what was typed.
_ALWAYS_BAD = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufff9-\ufffd{BIDI}]")
INVALID_CHARS = _ALWAYS_BAD
# What a one-line field refuses: the above, and line breaks (a tab is read as a blank by the vault's codec).
SINGLE_LINE_BAD = re.compile(rf"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufff9-\ufffd\u2028\u2029{BIDI}]")
_LINE_BREAKS = re.compile("[\n\r\t\u2028\u2029\x85]")
_KEY = re.compile(r"[A-Za-z0-9_.:\-]*")

INVALID_MESSAGE = "使用できない文字（制御文字・書式制御文字・読めない文字など）が含まれています"
LINES_MESSAGE = "この項目に改行やタブは入力できません"
KEY_MESSAGE = "英数字の記号で指定してください"


def too_long_message(max_length: int) -> str:
    return f"{max_length}文字以内で入力してください"


def too_short_message(min_length: int) -> str:
    return f"{min_length}文字以上で入力してください"


def check_text(value: Any, *, max_length: int, multiline: bool = False, min_length: int = 0) -> str:
    """``value`` stripped, or ValueError with a Japanese message (see the module docstring)."""
    if not isinstance(value, str):
        raise ValueError("文字列で入力してください")
    if multiline and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    folded = unicodedata.normalize("NFKC", value) if not value.isascii() else value
    for form in (value, folded):
        if _ALWAYS_BAD.search(form):
            raise ValueError(INVALID_MESSAGE)
        if not multiline and _LINE_BREAKS.search(form):
            raise ValueError(LINES_MESSAGE)
        if multiline and re.search("[\u2028\u2029\x85]", form):
            raise ValueError(INVALID_MESSAGE)
    if max_length and len(value) > max_length:
        raise ValueError(too_long_message(max_length))
    if min_length and len(value) < min_length:
        raise ValueError(too_short_message(min_length))
    return value


def check_key(value: Any, *, max_length: int = 60) -> str:
    """A machine key (a task key, a field key, a method): ASCII letters, digits and ``_ . : -``."""
    if not isinstance(value, str):
        raise ValueError("文字列で入力してください")
    if len(value) > max_length:
        raise ValueError(too_long_message(max_length))
    if not _KEY.fullmatch(value):
        raise ValueError(KEY_MESSAGE)
    return value


def is_clean(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` would be accepted as text (any length)."""
    try:
        check_text(value, max_length=0, multiline=multiline)
    except ValueError:
        return False
    return True


_SURROGATES = re.compile("[\ud800-\udfff]")
_LOG_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff" + BIDI + "]")


_DIGEST = re.compile(r"[0-9a-f]{16,128}")


def log_text(value: Any, limit: int) -> str:
    """``value`` as a log may hold it: text, no surrogate, NUL or control character (each becomes U+FFFD),
    nothing shaped like a 個人番号, at most ``limit`` characters. Total: never raises."""
    try:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
    except Exception:
        text = "?"
    text = text[: limit * 2 + 64]  # bound the work before the regexes run
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    if _LOG_BAD.search(text):
        text = _LOG_BAD.sub("\ufffd", text)
    if not _DIGEST.fullmatch(text):  # a keyed digest or a chain hash is not a number written by a person
        text = redact_everywhere(text)
    if len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def log_value(value: Any, *, depth: int = 0, budget: list[int] | None = None) -> Any:
    """A JSON value (a log entry's ``details``) made bounded and storable: strings through :func:`log_text`,
    keys too, integers outside the 64-bit range as text, floats that are not finite as None, at most 50
    items per container and 4 levels deep, about 4,000 characters in all. Total: never raises."""
    budget = budget if budget is not None else [4000]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else log_text(str(value)[:40], 40)
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if depth >= 4 or budget[0] <= 0:
        return "…"
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for i, (k, v) in enumerate(value.items()):
            if i >= 50 or budget[0] <= 0:
                out["…"] = "…"
                break
            key = log_text(k, 60)
            budget[0] -= len(key)
            out[key] = log_value(v, depth=depth + 1, budget=budget)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        items = []
        for i, v in enumerate(value):
            if i >= 50 or budget[0] <= 0:
                items.append("…")
                break
            items.append(log_value(v, depth=depth + 1, budget=budget))
        return items
    text = log_text(value, min(500, max(1, budget[0])))
    budget[0] -= len(text)
    return text
