"""One redaction for logs and addresses catches every spelling of a 個人番号 (issue 19: a number written
with "+", dots or percent-encoded full-width digits came back in server log lines)."""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tokutei.core.logging import RedactMyNumbers, redact
from tokutei.core.mynumber import MARK, number_like_anywhere, strip_number_like
from tokutei.core.synthetic import my_number

SEPARATORS = [" ", "  ", "+", ".", "-", "_", "\u3000", "\uff0d", "\u2212", "ー", "%20", "+%20", "%2B", "%2E",
              "%E3%80%80", "%EF%BC%8D", "\t"]


@st.composite
def spellings(draw) -> tuple[str, str]:
    """(the number, one way of writing it): digits half- or full-width, each possibly percent-encoded (also
    twice), split into groups by any separators, inside arbitrary text that holds no digit."""
    number = my_number(draw(st.integers(0, 10**6)))
    digits = []
    for d in number:
        form = draw(st.sampled_from(["ascii", "full", "pct", "pct_full", "pct2"]))
        full = chr(ord(d) + 0xFEE0)
        digits.append({"ascii": d, "full": full, "pct": quote(d, safe=""), "pct_full": quote(full),
                       "pct2": quote(quote(full))}[form])
    if draw(st.booleans()):
        cuts = sorted(draw(st.sets(st.integers(1, 11), max_size=5)))
    else:
        cuts = [4, 8]
    out, start = [], 0
    for cut in [*cuts, 12]:
        out.append("".join(digits[start:cut]))
        start = cut
    sep = draw(st.sampled_from(SEPARATORS))
    written = sep.join(out) if draw(st.booleans()) else "".join(
        g + (draw(st.sampled_from(SEPARATORS)) if i < len(out) - 1 else "") for i, g in enumerate(out))
    around = st.text(alphabet="abcxyz/?=&#: 番号値", max_size=20)
    return number, draw(around) + written + draw(around)


def shows(number: str, text: str) -> bool:
    """Whether ``text`` still lets a reader recover ``number`` (decoded, NFKC, separators dropped)."""
    plain = unicodedata.normalize("NFKC", unquote(unquote(unquote(text))))
    digits_only = "".join(c for c in plain if c.isdigit() or c == "|")
    return number in digits_only or number in "".join(c for c in plain if c.isdigit())


@hypothesis_settings(max_examples=400, deadline=None)
@given(spellings())
def test_no_spelling_of_a_number_survives_the_log_redaction(case):
    number, text = case
    assert number_like_anywhere(text)
    out = redact(text)
    assert MARK in out and not shows(number, out), (text, out)


@hypothesis_settings(max_examples=200, deadline=None)
@given(spellings())
def test_no_spelling_of_a_number_survives_in_a_next_address(case):
    number, text = case
    out = strip_number_like("/vault/search/?q=" + text)
    assert not shows(number, out), out
    assert not shows(number, strip_number_like("/vault/people/" + text + "/"))


@pytest.mark.parametrize("text", [
    "GET /vault/search/?value=0376+1730+4300", "value=0376.1730.4300", "%EF%BC%90%EF%BC%93%EF%BC%97%EF%BC%96"
    "%EF%BC%91%EF%BC%97%EF%BC%93%EF%BC%90%EF%BC%94%EF%BC%93%EF%BC%90%EF%BC%90", "n=037617304300",
])
def test_the_reported_spellings_are_hidden(text):
    assert MARK in redact(text) and "4300" not in unquote(redact(text))


@pytest.mark.parametrize("text", ["client 192.168.100.200", "seq 1234567890123456 ok", "2026-11-22 11:04:18,859",
                                  "tel 03-1234-5678", "version 5.2.19", "took 0.123 s"])
def test_other_numbers_in_log_lines_stay(text):
    assert redact(text) == text


def test_a_traceback_is_redacted_before_any_handler_formats_it():
    try:
        raise ValueError("bad value 0376.1730.4300")
    except ValueError:
        import sys

        record = logging.LogRecord("tokutei", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert RedactMyNumbers().filter(record)
    assert "4300" not in (record.exc_text or "") and MARK in (record.exc_text or "")
