"""The organisation's calendar: national holidays (jpholiday), 年末年始 and its own closed days (profile).

Business days are counted by ``tokutei.core.jdates``; this module only turns the profile's
``retention.calendar`` into the arguments it takes, so every count in the system uses one calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tokutei.core import jdates


def _md(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def calendar_args(profile: Any) -> dict[str, Any]:
    """Keyword arguments for ``jdates.is_business_day`` / ``add_business_days`` from the profile."""
    cal = profile.retention.calendar
    year_end = (_md(cal.year_end_from), _md(cal.year_end_to)) if cal.year_end_from and cal.year_end_to else None
    one_off = frozenset(cal.closed_days)
    annual = frozenset(_md(d) for d in cal.annual_closed_days)

    def closed(day: dt.date) -> bool:
        return day in one_off or (day.month, day.day) in annual

    return {"year_end": year_end, "closed": closed}


def is_business_day(profile: Any, day: dt.date) -> bool:
    return jdates.is_business_day(day, **calendar_args(profile))


def add_business_days(profile: Any, day: dt.date, count: int) -> dt.date:
    return jdates.add_business_days(day, count, **calendar_args(profile))
