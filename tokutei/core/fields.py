"""The one set of input types of every edge: ids, counts, Japanese text and dates.

Forms (HTML), pydantic schemas (JSON API), the CSV importer and the commands take their input through the
types of this module, so that nothing reaches the database or the operation log that it cannot hold, and
every refusal carries the same clear Japanese message:

* **ids** (:data:`ID_MAX`, :class:`IdConverter`, :data:`RecordId`, :func:`db_id`) — a record id is 1 …
  2^63 − 1 (``BigAutoField``). A URL with a larger number does not match (404, like any missing page); an
  API path parameter outside the range is an input error; reading an id out of a log entry never raises —
  an odd value is "unknown" (None).
* **counts** (:data:`COUNT_MAX`, :data:`Count`) — what a ``PositiveIntegerField`` holds on every database.
* **text** (:mod:`tokutei.core.text`) — checked in its NFKC form: no control characters, no bidi
  overrides, no lone surrogates, a length limit per field.
* **dates** (:class:`DateRange`, :data:`BIRTH_DATES`, :data:`HANDLING_DATES`, :data:`RECORD_DATES`) — a sane
  range for the field: a birth date is not in the future nor before 明治; a handling of a 個人番号 did not
  happen before numbers existed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, BeforeValidator, Field

from . import text as _text

ID_MAX = 2**63 - 1  # BigAutoField / BigIntegerField on SQLite and PostgreSQL
COUNT_MAX = 2**31 - 1  # PositiveIntegerField: 0 … 2147483647 on every backend Django supports

ID_MESSAGE = "番号（ID）は1以上の整数で入力してください"
COUNT_MESSAGE = "件数は0から2147483647までの整数で入力してください"


def db_id(value: Any) -> int | None:
    """A record id read from anywhere (a URL, a log entry's target or details): the int, or None when it is
    not one a table can hold. Total: never raises, whatever ``value`` is."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= ID_MAX else None
    if isinstance(value, str) and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)
        return number if 1 <= number <= ID_MAX else None
    return None


def bounded_count(value: Any) -> int:
    """A count as the log stores it: clamped into 0 … :data:`COUNT_MAX` (total: a non-number is 0)."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError, OverflowError):
            return 0
    return max(0, min(COUNT_MAX, value))


class IdConverter:
    """``<id:pk>`` in URL patterns: a record id within the column's range; anything else does not match."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = db_id(value)
        if number is None:
            raise ValueError(value)  # the resolver tries the next pattern: 404 in the end
        return number

    def to_url(self, value: int) -> str:
        return str(value)


# pydantic (django-ninja) ---------------------------------------------------------------------------------
RecordId = Annotated[int, Field(ge=1, le=ID_MAX, strict=False)]
Count = Annotated[int, Field(ge=0, le=COUNT_MAX)]


def Text(max_length: int, *, multiline: bool = False, min_length: int = 0) -> Any:
    """A pydantic string type: Japanese text of at most ``max_length`` characters (tokutei.core.text)."""

    def check(value: str) -> str:
        return _text.check_text(value, max_length=max_length, multiline=multiline, min_length=min_length)

    return Annotated[str, Field(max_length=max_length * 4 + 16), AfterValidator(check)]


def Key(max_length: int = 60) -> Any:
    """A machine key from the profile (a task, a field, a method): short ASCII, checked like any text."""

    def check(value: str) -> str:
        return _text.check_key(value, max_length=max_length)

    return Annotated[str, Field(max_length=max_length * 4 + 16), AfterValidator(check)]


# dates ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateRange:
    """The dates a field may hold: ``earliest`` … ``latest`` (None: today, or today + ``ahead`` days)."""

    name: str
    earliest: dt.date
    latest: dt.date | None = None
    ahead: int = 0

    def upper(self) -> dt.date:
        return self.latest or timezone.localdate() + dt.timedelta(days=self.ahead)

    def check(self, value: dt.date) -> dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        if not self.earliest <= value <= self.upper():
            raise ValueError(self.message())
        return value

    def message(self) -> str:
        low, high = self.earliest, self.upper()
        return (f"{self.name}は{low.year}年{low.month}月{low.day}日から{high.year}年{high.month}月{high.day}日"
                "までの日付で入力してください")

    def pydantic(self) -> Any:
        return Annotated[dt.date, AfterValidator(self.check)]

    def datetime_pydantic(self) -> Any:
        def check(value: dt.datetime) -> dt.datetime:
            self.check(value.date())
            return value

        return Annotated[dt.datetime, AfterValidator(check)]


# 明治 began 1868; nobody alive or on a pension list was born before it, and nobody is born tomorrow.
BIRTH_DATES = DateRange("生年月日", dt.date(1868, 1, 25))
# The 個人番号 exists since its notification began (2015-10-05): no handling of one happened earlier.
HANDLING_DATES = DateRange("取扱いの日付", dt.date(2015, 10, 1), ahead=1)
# Any other date of a record (a retention trigger, a deadline, a period): within two centuries.
RECORD_DATES = DateRange("日付", dt.date(1900, 1, 1), dt.date(2199, 12, 31))


# Django forms --------------------------------------------------------------------------------------------
class TextField(forms.CharField):
    """A form's Japanese text field (tokutei.core.text): NFKC-checked, no controls, a length limit."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return _text.check_text(value, max_length=self.max_length or 0, multiline=self.multiline)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="text") from None


class DateField(forms.DateField):
    """A form's date within the field's :class:`DateRange`."""

    def __init__(self, *, within: DateRange = RECORD_DATES, **kwargs: Any) -> None:
        self.within = within
        kwargs.setdefault("error_messages", {"invalid": _("日付は 2024-04-01 の形で入力してください")})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is None:
            return day
        try:
            return self.within.check(day)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="date_range") from None


class RecordIdField(forms.IntegerField):
    """A form's record id (a select of records, an approval number): 1 … :data:`ID_MAX`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": ID_MESSAGE, "min_value": ID_MESSAGE,
                                             "max_value": ID_MESSAGE})
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


def strict_int(value: Any) -> Any:
    """pydantic BeforeValidator: refuse a float or bool where an integer is meant (10^30 as 1e30)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(COUNT_MESSAGE)
    return value


StrictCount = Annotated[int, BeforeValidator(strict_int), Field(ge=0, le=COUNT_MAX)]
