""""In force on a date": one rule for every dated, revocable record (role assignments, password-only
decisions, post holdings…), in Python, as a Django ``Q`` and as a raw SQL condition.

A record is in force on ``day`` when

* it has started: ``start_date <= day`` (the start day itself counts);
* it has not ended: ``end_date`` is empty, or ``day <= end_date`` (the end day itself counts);
* it is not revoked: ``revoked_at`` is empty. Revocation takes effect at once, whatever the dates say
  (001 §5-5: a transfer or end of designation).

A model without one of the columns passes ``None`` for its name (``PostHolding`` has no ``revoked_at``).
``start=None`` asks "in force on ``day`` or designated to be later" (not ended, not revoked).
The three forms are tested to agree on every combination (tokutei/core/tests/test_inforce.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

START, END, REVOKED = "start_date", "end_date", "revoked_at"


def in_force_on(obj: Any, day: dt.date | None = None, *, start: str | None = START, end: str | None = END,
                revoked: str | None = REVOKED) -> bool:
    """Whether ``obj`` (any object with the date attributes) is in force on ``day`` (today by default)."""
    day = day or timezone.localdate()
    if revoked is not None and getattr(obj, revoked) is not None:
        return False
    if start is not None and getattr(obj, start) > day:
        return False
    ends = getattr(obj, end) if end is not None else None
    return ends is None or day <= ends


def in_force_q(day: dt.date | None = None, *, prefix: str = "", start: str | None = START, end: str | None = END,
               revoked: str | None = REVOKED) -> Q:
    """The same rule as a ``Q`` for ``filter()``; ``prefix`` reaches it through a relation
    (``"assignments__"`` for a user's role assignments)."""
    day = day or timezone.localdate()
    q = Q()
    if end is not None:
        q &= Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": day})
    if revoked is not None:
        q &= Q(**{f"{prefix}{revoked}__isnull": True})
    if start is not None:
        q &= Q(**{f"{prefix}{start}__lte": day})
    return q


def in_force_sql(day: dt.date | None = None, *, start: str | None = START, end: str | None = END,
                 revoked: str | None = REVOKED, connection: Any = None) -> tuple[str, list[Any]]:
    """The same rule as a SQL condition and its parameters, for fixed statements (``tokutei.core.sql``).
    Column names are quoted; the day is adapted for the connection's backend."""
    if connection is None:
        from django.db import connection
    day = day or timezone.localdate()
    value = connection.ops.adapt_datefield_value(day)
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    if revoked is not None:
        parts.append(f"{quote(revoked)} IS NULL")
    if start is not None:
        parts.append(f"{quote(start)} <= %s")
        params.append(value)
    if end is not None:
        parts.append(f"({quote(end)} IS NULL OR {quote(end)} >= %s)")
        params.append(value)
    return " AND ".join(parts) or "1 = 1", params
