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

import contextvars
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

# The longest value each kind of a person's field may hold (forms, API, the CSV importer: one table).
FIELD_LIMITS = {"name": 100, "kana": 100, "address": 300, "text": 200, "resident_code": 11, "my_number": 12,
                "date": 30, "sex": 10, "integer": 30, "money": 30}

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


# refusals of a request's input, logged once per request (tokutei.core.middleware.InputRefusalMiddleware) --
_REFUSALS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("tokutei_input_refusals",
                                                                           default=None)


def start_request() -> contextvars.Token:
    return _REFUSALS.set([])


def end_request(token: contextvars.Token) -> list[str]:
    notes = _REFUSALS.get() or []
    _REFUSALS.reset(token)
    return notes


def note_refusal(code: str) -> None:
    """A field type refused a value (``code``: text, too_long, date_range, id_range, count_range …); the
    request's refusal is logged when the response is made (the value itself is never logged)."""
    notes = _REFUSALS.get()
    if notes is not None and len(notes) < 50:
        notes.append(code)


def clear_refusals() -> None:
    """The refusals noted so far are logged already (the API's error handler logs its own)."""
    notes = _REFUSALS.get()
    if notes is not None:
        notes.clear()


# pydantic (django-ninja) ---------------------------------------------------------------------------------
RecordId = Annotated[int, Field(ge=1, le=ID_MAX, strict=False)]
Year = Annotated[int, Field(ge=1900, le=2199)]  # a calendar or fiscal year (年度)
Limit = Annotated[int, Field(ge=1, le=1000)]  # how many rows a list returns


def _checked(max_length: int, multiline: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        return _text.check_text(value, max_length=max_length, multiline=multiline)

    return AfterValidator(check)


def _keyed(max_length: int) -> AfterValidator:
    def check(value: str) -> str:
        return _text.check_key(value, max_length=max_length)

    return AfterValidator(check)


# Japanese text of at most N characters (tokutei.core.text.check_text); ``Note`` may hold line breaks. The
# limit is also in the OpenAPI schema (maxLength).
Text60 = Annotated[str, Field(max_length=60), _checked(60)]
Text100 = Annotated[str, Field(max_length=100), _checked(100)]
Text150 = Annotated[str, Field(max_length=150), _checked(150)]
Text200 = Annotated[str, Field(max_length=200), _checked(200)]
Text300 = Annotated[str, Field(max_length=300), _checked(300)]
Note500 = Annotated[str, Field(max_length=500), _checked(500, multiline=True)]
Note2000 = Annotated[str, Field(max_length=2000), _checked(2000, multiline=True)]
# A machine key (a task, a field, a stage, a method): ASCII letters, digits and _ . : -
Key20 = Annotated[str, Field(max_length=20), _keyed(20)]
Key60 = Annotated[str, Field(max_length=60), _keyed(60)]
Key150 = Annotated[str, Field(max_length=150), _keyed(150)]  # a user id (username)


# dates ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateRange:
    """The dates a field may hold: ``earliest`` … ``latest`` (None: today, or today + ``ahead`` days)."""

    name: str
    earliest: dt.date
    latest: dt.date | None = None
    ahead: int = 0

    def upper(self) -> dt.date:
        # Today where the organisation is (settings.TIME_ZONE; the system activates no other zone). Named
        # rather than looked up as the "current" zone: that lookup (a context-local read) was most of a
        # check's cost, paid for each birth date a bulk import reads (docs/performance.md).
        return self.latest or (timezone.localdate(timezone=timezone.get_default_timezone())
                               + dt.timedelta(days=self.ahead))

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



# 明治 began 1868; nobody alive or on a pension list was born before it, and nobody is born tomorrow.
BIRTH_DATES = DateRange("生年月日", dt.date(1868, 1, 25))
# A date in a person's record (the profiles' ``kind: date`` fields: birth dates, 失権日 …): the same range.
PERSON_DATES = DateRange("日付", dt.date(1868, 1, 25))
# The 個人番号 exists since its notification began (2015-10-05): no handling of one happened earlier.
HANDLING_DATES = DateRange("取扱いの日付", dt.date(2015, 10, 1), ahead=1)
# Any other date of a record (a retention trigger, a deadline, a period): within two centuries.
RECORD_DATES = DateRange("日付", dt.date(1900, 1, 1), dt.date(2199, 12, 31))

BirthDate = Annotated[dt.date, AfterValidator(BIRTH_DATES.check)]
HandlingDate = Annotated[dt.date, AfterValidator(HANDLING_DATES.check)]
RecordDate = Annotated[dt.date, AfterValidator(RECORD_DATES.check)]


# Django forms --------------------------------------------------------------------------------------------
class TextField(forms.CharField):
    """A form's Japanese text field (tokutei.core.text): NFKC-checked, no controls, a length limit."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs: Any) -> None:
        widget = kwargs.get("widget")
        self.multiline = multiline = multiline or isinstance(widget, forms.Textarea) or widget is forms.Textarea
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
            note_refusal("text")
            raise forms.ValidationError(str(exc), code="text") from None


class _NotingIntegerField(forms.IntegerField):
    code = "integer"

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except forms.ValidationError:
            if value not in self.empty_values:
                note_refusal(self.code)
            raise


DATE_HINT = _("例: 令和8年4月1日、R8.4.1、2026/4/1")


class JDateInput(forms.TextInput):
    """The one date widget of every form: a text box for 和暦 or 西暦 (never the browser's date picker,
    which knows only 西暦); a date already held is shown as 和暦."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"class": "jdate", "placeholder": DATE_HINT, "autocomplete": "off", "size": 18,
                          **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        from . import jdates

        if isinstance(value, str) and len(value) == 10:  # a stored ISO date (a register's typed field)
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            try:
                return jdates.to_wareki(day)
            except ValueError:  # before 明治 (a date typed in error, shown back with its error): 西暦
                return f"{day.year}/{day.month}/{day.day}"
        return super().format_value(value)


class JDateField(forms.CharField):
    """A date typed as 西暦 or 和暦 (令和8年4月1日, R8.4.1, 2026-04-01; tokutei.core.jdates), within the
    field's :class:`DateRange`. Every date of every form is one of these (tests/rules/test_date_inputs.py):
    entered the same way everywhere, and 「13月40日」 is answered as a date that does not exist."""

    widget = JDateInput

    def __init__(self, *, within: DateRange = RECORD_DATES, **kwargs: Any) -> None:
        self.within = within
        super().__init__(**kwargs)  # no max_length: its validator would run on the date (checked below)

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        from . import jdates

        if isinstance(value, dt.date):
            return value.date() if isinstance(value, dt.datetime) else value
        text = super().to_python(value)
        if not text:
            return None
        try:
            _text.check_text(text, max_length=30)
            day = jdates.parse_date(text)
        except ValueError as exc:
            note_refusal("date")
            if "存在しない日付" in str(exc):  # 13月40日: not a wrong format; the value is not repeated
                raise forms.ValidationError(_("存在しない日付です（月は1～12、日はその月の日数まで）"),
                                            code="no_such_date") from None
            # jdates' message repeats the input: bounded, a number hidden
            raise forms.ValidationError(_text.log_text(str(exc), 120), code="date") from None
        try:
            return self.within.check(day)
        except ValueError as exc:
            note_refusal("date_range")
            raise forms.ValidationError(str(exc), code="date_range") from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except forms.ValidationError:
            return True


JapaneseDateField = JDateField  # the earlier name (ledgers)


class RecordIdField(_NotingIntegerField):
    """A form's record id (a select of records, an approval number): 1 … :data:`ID_MAX`."""

    code = "id_range"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": ID_MESSAGE, "min_value": ID_MESSAGE,
                                             "max_value": ID_MESSAGE})
        kwargs.pop("min_value", None)
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


class CountField(_NotingIntegerField):
    """A form's count (件数): 0 … :data:`COUNT_MAX`."""

    code = "count_range"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": COUNT_MESSAGE, "min_value": COUNT_MESSAGE,
                                             "max_value": COUNT_MESSAGE})
        kwargs.setdefault("min_value", 0)
        super().__init__(max_value=COUNT_MAX, **kwargs)


def strict_int(value: Any) -> Any:
    """pydantic BeforeValidator: refuse a float or bool where an integer is meant (10^30 as 1e30)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(COUNT_MESSAGE)
    return value


def _count(value: Any) -> int:
    if not 0 <= value <= COUNT_MAX:
        raise ValueError(COUNT_MESSAGE)
    return value


# A count in JSON: an integer (not 1e30, not true) within the column (0 … 2147483647).
StrictCount = Annotated[int, BeforeValidator(strict_int), AfterValidator(_count)]
Count = StrictCount


# commands (argparse ``type=``) -------------------------------------------------------------------------
def arg_key(max_length: int = 150) -> Any:
    """A command option that names a user ID or a profile key: refused with a Japanese message (no
    traceback) when it holds controls or is too long; the value stays a string."""
    import argparse

    def parse(value: str) -> str:
        try:
            return _text.check_text(value, max_length=max_length)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse
