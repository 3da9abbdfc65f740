"""和暦 dates are entered the same way everywhere (issue 18 item 3): every date of every form of the project
is a :class:`tokutei.core.fields.JDateField` (or carries its :class:`~tokutei.core.fields.JDateInput`) —
a text box that takes 令和8年4月1日, R8.4.1 and 2026-04-01 — never Django's ``DateField`` / ``DateInput`` or
the browser's 西暦-only date picker."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

from django import forms

import tokutei
from tokutei.core.fields import JDateField, JDateInput

from .test_forms_note_refusals import _project_forms

ROOT = pathlib.Path(tokutei.__file__).parent


def test_no_form_of_the_project_has_a_plain_date_field_or_the_browsers_date_picker():
    plain = []
    for form in _project_forms():
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(field, JDateField):
                if isinstance(field, forms.DateTimeField):
                    continue  # a date and time (found_at …) is not a date
                plain.append(f"{form.__module__}.{form.__qualname__}.{name}")
            elif type(field.widget) is forms.DateInput:
                plain.append(f"{form.__module__}.{form.__qualname__}.{name}")
    assert not plain, "use tokutei.core.fields.JDateField for: " + ", ".join(sorted(plain))


def test_no_source_or_template_builds_a_date_input_of_its_own():
    pattern = re.compile(r"forms\.DateField\(|forms\.DateInput\(|type=[\"']date[\"']|\"type\": \"date\"")
    found = [f"{path.relative_to(ROOT)}:{n}"
             for path in [*ROOT.rglob("*.py"), *ROOT.rglob("*.html")]
             if "tests" not in path.parts and "migrations" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, "a date input outside JDateField: " + ", ".join(found)


def test_a_date_field_takes_wareki_and_seireki_alike():
    field = JDateField()
    assert field.clean("令和8年4月1日") == field.clean("R8.4.1") == field.clean("2026-04-01") == dt.date(2026, 4, 1)


def test_thirteenth_month_is_answered_as_no_such_date_without_repeating_it():
    try:
        JDateField().clean("令和8年13月40日")
    except forms.ValidationError as exc:
        message = " ".join(exc.messages)
    else:
        raise AssertionError("13月40日 was accepted")
    assert "存在しない日付です" in message and "13月40日" not in message


def test_a_date_already_held_is_shown_as_wareki():
    assert JDateInput().format_value(dt.date(2026, 4, 1)) == "令和8年4月1日"
    assert 'type="text"' in JDateInput().render("d", "2026-04-01")
