"""Profile texts in the language of the request: the regulation's Japanese, or its English where given."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def label(value: Any) -> str:
    """``value.ja`` / ``value["ja"]``, or its ``en`` on an English page when the profile gives one.

    Strings pass through unchanged; ``None`` becomes "".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    get = value.get if isinstance(value, dict) else (lambda k, d=None: getattr(value, k, d))
    ja = get("ja", "") or ""
    if (translation.get_language() or "").startswith("en"):
        return get("en", "") or ja
    return ja
