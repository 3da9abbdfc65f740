"""Reading the organisation profile in force."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.signals import post_delete, post_save

from tokutei.core import memo

from .loader import parse_profile
from .models import ActiveProfile
from .schema import Profile

# Parsed profiles by the digest of their YAML (the one in force only). Each call checks which row is in
# force — a small query of its id and digest, never the YAML — and parses only a profile it has not seen.
_cache: dict[str, Profile] = {}


class NoProfile(ImproperlyConfigured):
    pass


def _forget(**_kwargs) -> None:
    # A profile activated during a request applies to the rest of that request too.
    memo.forget("profile")


post_save.connect(_forget, sender=ActiveProfile, dispatch_uid="tokutei.profiles.request_memo")
post_delete.connect(_forget, sender=ActiveProfile, dispatch_uid="tokutei.profiles.request_memo_delete")


def active_profile_row() -> ActiveProfile | None:
    return ActiveProfile.objects.order_by("-id").first()


def _head() -> tuple[int, str] | None:
    """(id, digest) of the row in force: one fixed statement, asked by every request."""
    table = connection.ops.quote_name(ActiveProfile._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "id", "sha256" FROM {table} ORDER BY "id" DESC LIMIT 1')  # noqa: S608
        return cursor.fetchone()


def _profile_in_force() -> Profile:
    head = _head()
    if head is None:
        raise NoProfile(
            "組織プロファイルが読み込まれていません。`tokutei init --profile NAME` を実行してください。"
        )
    pk, sha256 = head
    cached = _cache.get(sha256)
    if cached is None:
        row = ActiveProfile.objects.only("name", "source_yaml").get(pk=pk)
        cached = parse_profile(row.source_yaml, source=row.name)
        _cache.clear()
        _cache[sha256] = cached
    return cached


def get_profile() -> Profile:
    """The validated profile of this organisation (parsed once per digest; read once per request)."""
    return memo.remembered("profile", _profile_in_force)
