"""Reading the operation log: search with filters (002 §22, 003 §16(5))."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Entry


def lanes(using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """The lanes (chains) that have entries, by a loose index scan: one index probe per lane, however long
    the log. (``Entry.objects.values_list("lane").distinct()`` would be one row per entry: the model's
    ordering joins the DISTINCT.)"""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE l(lane) AS (SELECT min(lane) FROM auditlog_entry UNION ALL "
            "SELECT (SELECT min(lane) FROM auditlog_entry WHERE lane > l.lane) FROM l WHERE l.lane IS NOT NULL) "
            "SELECT lane FROM l WHERE lane IS NOT NULL"
        )
        return [int(row[0]) for row in cursor.fetchall()]


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    user: str = ""  # user ID (username)
    action: str = ""  # exact "vault.view" or a prefix "vault."
    result: str = ""
    purpose: str = ""
    target_type: str = ""
    target_id: str = ""
    terminal: str = ""

    def used(self) -> list[str]:
        """The names of the filters in use (logged; the values are not)."""
        return [name for name, value in vars(self).items() if value not in ("", None)]


def local_day_bounds(day_from: dt.date, day_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of ``day_from``, start of the day after ``day_to``) in the local time zone."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(day_from, dt.time.min, tzinfo=tz),
        dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def search(filters: Filters, *, queryset: QuerySet[Entry] | None = None, scope: Q | None = None) -> QuerySet[Entry]:
    """``filters`` over ``queryset`` — the entries the reader may see (``restrict(..., Action.LOG_SEARCH)``)."""
    qs = queryset if queryset is not None else Entry.objects.all()
    if scope is not None:
        qs = qs.filter(scope)
    if filters.date_from or filters.date_to:
        start, end = local_day_bounds(filters.date_from or dt.date(2000, 1, 1),
                                      filters.date_to or timezone.localdate())
        qs = qs.filter(at__gte=start, at__lt=end)
    if filters.user:
        qs = qs.filter(actor_username=filters.user)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action) if filters.action.endswith(".") \
            else qs.filter(action=filters.action)
    if filters.result:
        qs = qs.filter(result=filters.result)
    if filters.purpose:
        qs = qs.filter(purpose=filters.purpose)
    if filters.target_type:
        qs = qs.filter(target_type=filters.target_type)
    if filters.target_id:
        qs = qs.filter(target_id=filters.target_id)
    if filters.terminal:
        qs = qs.filter(terminal_name=filters.terminal)
    return qs


def daily_counts(qs: QuerySet[Entry], *, day_from: dt.date, day_to: dt.date) -> list[dict]:
    """[{day, ok, refused}] for every local day of the range (for the chart), counted by the database."""
    start, end = local_day_bounds(day_from, day_to)
    ok: Counter = Counter()
    refused: Counter = Counter()
    rows = (qs.filter(at__gte=start, at__lt=end).order_by()
            .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
            .values("day", "result").annotate(n=Count("id")))
    for row in rows:
        (ok if row["result"] == Entry.Result.OK else refused)[row["day"]] += row["n"]
    days = []
    day = day_from
    while day <= day_to:
        days.append({"day": day, "ok": ok[day], "refused": refused[day]})
        day += dt.timedelta(days=1)
    return days


def recent_refusals(limit: int = 5) -> list[Entry]:
    return list(Entry.objects.filter(result=Entry.Result.REFUSED).order_by("-seq")[:limit])


def committed_horizon() -> int:
    """The highest log number ``seq`` such that every entry numbered up to it is committed and visible.

    For code that follows the log by number (``seq > cursor``). With one lane (the default) numbers are
    drawn under the chain lock, so MAX(seq) is already safe. With several lanes a lower number can commit
    after a higher one: this takes a share lock on every chain head, which waits for the appends in flight
    to commit (and holds new ones back for that instant), then reads MAX(seq). Call it every few seconds
    at most, not per request.
    """
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    from .services import lane_count

    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and lane_count(connection) > 1:
            cursor.execute("SELECT id FROM auditlog_chainhead ORDER BY id FOR SHARE")
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM auditlog_entry")
        return int(cursor.fetchone()[0])
