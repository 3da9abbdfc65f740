"""和暦 (Japanese eras), 年度 (fiscal years) and Japanese business days, in one module."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import jpholiday

# (era name, short letter, first day)
ERAS: tuple[tuple[str, str, dt.date], ...] = (
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("明治", "M", dt.date(1868, 1, 25)),
)


def era_of(day: dt.date) -> tuple[str, int]:
    """(era name, year within the era) for a date."""
    for name, _letter, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} は明治より前の日付です")


def to_wareki(day: dt.date, *, with_day: bool = True) -> str:
    """2026-11-22 → 令和8年11月22日 (元年 for the first year)."""
    era, year = era_of(day)
    year_s = "元" if year == 1 else str(year)
    return f"{era}{year_s}年{day.month}月{day.day}日" if with_day else f"{era}{year_s}年"


_WAREKI_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTMrhstm])\s*(?P<year>元|\d{1,2})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*"
    r"(?P<day>\d{1,2})\s*日?$"
)
_SEIREKI_RE = re.compile(r"^(?P<year>\d{4})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*(?P<day>\d{1,2})\s*日?$")
_COMPACT_RE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")


def parse_date(text: str) -> dt.date:
    """Parse 西暦 (1958-04-01, 1958/4/1, 19580401, 1958年4月1日) or 和暦 (昭和33年4月1日, S33.4.1).

    Full-width digits are folded first (NFKC). Raises ValueError with a Japanese message.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise ValueError("日付が空です")
    m = _SEIREKI_RE.match(s) or _COMPACT_RE.match(s)
    if m:
        try:
            return dt.date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            raise ValueError(f"存在しない日付です: {text}") from None
    m = _WAREKI_RE.match(s)
    if m:
        era_token = m["era"].upper() if len(m["era"]) == 1 else m["era"]
        for name, letter, start in ERAS:
            if era_token in (name, letter):
                year_in_era = 1 if m["year"] == "元" else int(m["year"])
                try:
                    day = dt.date(start.year + year_in_era - 1, int(m["month"]), int(m["day"]))
                except ValueError:
                    raise ValueError(f"存在しない日付です: {text}") from None
                next_start = next((s2 for n2, _l, s2 in reversed(ERAS) if s2 > start), None)
                if day < start or (next_start is not None and day >= next_start):
                    raise ValueError(f"{name}の期間外の日付です: {text}")
                return day
    raise ValueError(f"日付の形式が正しくありません: {text}（例: 1958-04-01、昭和33年4月1日）")


def fiscal_year(day: dt.date, start_month: int = 4) -> int:
    """年度: the year in which the fiscal year containing ``day`` starts (April–March by default)."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_start(year: int, start_month: int = 4) -> dt.date:
    return dt.date(year, start_month, 1)


def fiscal_year_label(year: int, start_month: int = 4) -> str:
    """e.g. 2026 → 令和8年度."""
    return to_wareki(fiscal_year_start(year, start_month), with_day=False) + "度"


YEAR_END = ((12, 29), (1, 3))  # 年末年始 (行政機関の休日に関する法律 §1(1)(3))


def _in_year_end(day: dt.date, year_end: tuple[tuple[int, int], tuple[int, int]] | None) -> bool:
    if year_end is None:
        return False
    (m1, d1), (m2, d2) = year_end
    md = (day.month, day.day)
    if (m1, d1) <= (m2, d2):
        return (m1, d1) <= md <= (m2, d2)
    return md >= (m1, d1) or md <= (m2, d2)  # spans the new year


def is_business_day(day: dt.date, *, year_end: tuple[tuple[int, int], tuple[int, int]] | None = YEAR_END,
                    closed: Callable[[dt.date], bool] | None = None) -> bool:
    """Weekdays that are neither national holidays nor 年末年始 (12/29–1/3, 行政機関の休日).

    ``year_end`` changes (or, with None, drops) the 年末年始 span; ``closed`` adds the organisation's own
    closed days (its profile's calendar, tokutei.retention.calendar).
    """
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    if closed is not None and closed(day):
        return False
    return not _in_year_end(day, year_end)


def add_business_days(day: dt.date, count: int, **calendar: Any) -> dt.date:
    """The date ``count`` business days after ``day`` (count ≥ 0); ``calendar`` as for is_business_day."""
    current = day
    remaining = count
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current, **calendar):
            remaining -= 1
    return current
