"""Reading the organisation profile in force — on today's date: a profile applied ahead of its 施行日
(``ActiveProfile.effective_from``) is pending until that day and in force from it, without anyone acting."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

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


def in_force_rows(day: dt.date | None = None):
    """The rows in force on ``day`` (today by default), the one in force first: the latest 施行日 on or
    before the day, the last applied among equal dates."""
    day = day or timezone.localdate()
    return ActiveProfile.objects.filter(effective_from__lte=day).order_by("-effective_from", "-id")


def active_profile_row(day: dt.date | None = None) -> ActiveProfile | None:
    """The profile text in force on ``day`` (today by default)."""
    return in_force_rows(day).first()


def pending_rows(day: dt.date | None = None) -> list[ActiveProfile]:
    """Profiles applied ahead of their 施行日, not yet in force on ``day``: the soonest first."""
    day = day or timezone.localdate()
    return list(ActiveProfile.objects.filter(effective_from__gt=day).select_related("loaded_by")
                .order_by("effective_from", "id"))


def _head() -> tuple[int, str] | None:
    """(id, digest) of the row in force today: one fixed statement, asked by every request (the same one
    statement as before dated profiles: the day is a parameter, so a 施行日 passing needs no cache to expire)."""
    table = connection.ops.quote_name(ActiveProfile._meta.db_table)
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "id", "sha256" FROM {table} WHERE "effective_from" <= %s '  # noqa: S608
                       'ORDER BY "effective_from" DESC, "id" DESC LIMIT 1', [today])
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
