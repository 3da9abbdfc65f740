"""Reading the organisation profile in force."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_save

from .loader import parse_profile
from .models import ActiveProfile
from .schema import Profile

_cache: dict[str, Profile] = {}

# Within one HTTP request the profile is read from the database once (``request_scope``, entered by
# tokutei.staff.middleware.TerminalMiddleware). Outside a request every call reads the active row, so a
# newly activated profile is seen at once (tests activate different profiles in the same process).
_request_memo: ContextVar[dict[str, Profile] | None] = ContextVar("tokutei_profile_memo", default=None)


class NoProfile(ImproperlyConfigured):
    pass


@contextmanager
def request_scope() -> Iterator[None]:
    """Memoise ``get_profile()`` for the duration of one request; forgotten when the request ends."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def _forget_request_memo(**_kwargs) -> None:
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()


post_save.connect(_forget_request_memo, sender=ActiveProfile, dispatch_uid="tokutei.profiles.request_memo")


def active_profile_row() -> ActiveProfile | None:
    return ActiveProfile.objects.order_by("-id").first()


def get_profile() -> Profile:
    """The validated profile of this organisation (cached by digest; read once per request)."""
    memo = _request_memo.get()
    if memo is not None:
        profile = memo.get("profile")
        if profile is not None:
            return profile
    row = active_profile_row()
    if row is None:
        raise NoProfile(
            "組織プロファイルが読み込まれていません。`tokutei init --profile NAME` を実行してください。"
        )
    cached = _cache.get(row.sha256)
    if cached is None:
        cached = parse_profile(row.source_yaml, source=row.name)
        _cache.clear()
        _cache[row.sha256] = cached
    if memo is not None:
        memo["profile"] = cached
    return cached
