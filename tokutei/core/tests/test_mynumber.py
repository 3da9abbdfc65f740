"""The one 個人番号 module: the fast check equals python-stdnum, one reading rule, one detector."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.jp import in_

from tokutei.core import mynumber
from tokutei.core.mynumber import (
    CHECK_DIGIT_MESSAGE,
    HYPHENS,
    LENGTH_MESSAGE,
    check_digit,
    check_my_number,
    is_valid_my_number,
    looks_like_my_number,
    normalise_my_number,
    redact_my_numbers,
)

twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)
eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SEPARATORS = [" ", "\u3000", "\t", *HYPHENS]


@settings(max_examples=3000)
@given(twelve_digits)
def test_the_fast_check_is_python_stdnum_on_every_twelve_digit_string(number):
    assert is_valid_my_number(number) is in_.is_valid(number)
    value, error = check_my_number(number)
    assert value == number
    assert error == (None if in_.is_valid(number) else CHECK_DIGIT_MESSAGE)


@given(eleven_digits)
def test_the_check_digit_is_the_one_stdnum_computes(base):
    assert check_digit(base) == in_.calc_check_digit(base)
    assert is_valid_my_number(base + check_digit(base))


@given(eleven_digits, st.lists(st.sampled_from(SEPARATORS), max_size=4), st.booleans(), st.data())
def test_full_width_digits_and_spaces_and_hyphens_anywhere_are_read(base, separators, full_width, data):
    number = base + check_digit(base)
    text = number.translate(FULL_WIDTH) if full_width else number
    for sep in separators:
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + sep + text[at:]
    assert normalise_my_number(text) == number
    assert check_my_number(text) == (number, None)


@given(st.text(max_size=30))
def test_whatever_is_entered_the_answer_is_stdnum_after_nfkc_or_a_refusal(text):
    value, error = check_my_number(text)
    if error is None:
        # Accepted: only digits (half or full width) and the allowed separators were entered, and stdnum
        # agrees on what NFKC makes of them.
        assert re.fullmatch(rf"[0-9０-９\s{re.escape(HYPHENS)}]*", text)
        folded = re.sub(rf"[\s{re.escape(HYPHENS)}]", "", unicodedata.normalize("NFKC", text))
        assert value == folded and in_.is_valid(folded)
    else:
        assert error in (LENGTH_MESSAGE, CHECK_DIGIT_MESSAGE)
        assert not is_valid_my_number(value) or error == LENGTH_MESSAGE


VALID = "123456789018"


@pytest.mark.parametrize("text", [
    "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒈⒉⒏",  # enclosed digits: NFKC makes "1." of each
    "12345678901⒏",
    "①23456789018",  # circled: NFKC makes a plain digit of it
    "12345678901⑧",
    "1234567890¹8",  # superscript
    "12345678901𝟖",  # mathematical bold digit
    "1234.5678.9018",  # dots are not separators
    "1234_5678_9018",
    "1234・5678・9018",
    "1234,5678,9018",
    "١٢٣٤٥٦٧٨٩٠١٨",  # other scripts' digits
    "12345678901８x",
])
def test_anything_but_digits_and_the_allowed_separators_is_refused(text):
    value, error = check_my_number(text)
    assert error == LENGTH_MESSAGE
    assert not is_valid_my_number(value)


def test_the_vault_and_the_importer_give_the_one_message():
    from tokutei.bulk import jlis
    from tokutei.vault import codec

    assert codec.CHECK_DIGIT_MESSAGE is mynumber.CHECK_DIGIT_MESSAGE
    assert codec.check_my_number is check_my_number
    wrong = VALID[:11] + "9"
    with pytest.raises(ValueError, match=CHECK_DIGIT_MESSAGE):
        codec.clean_value("my_number", wrong)
    assert jlis.validate_my_number(wrong) == (wrong, CHECK_DIGIT_MESSAGE)
    for short in ("12345", "12345678901⒏", "1234.5678.9018"):
        with pytest.raises(ValueError, match=LENGTH_MESSAGE):
            codec.clean_value("my_number", short)
        assert jlis.validate_my_number(short) == ("", LENGTH_MESSAGE)
    assert jlis.validate_my_number("") == ("", mynumber.EMPTY_MESSAGE)
    assert codec.clean_value("my_number", "１２３４－５６７８－９０１８") == VALID


@given(st.text(max_size=20))
def test_the_importer_and_the_vault_agree_on_every_entry(text):
    from tokutei.bulk import jlis
    from tokutei.vault import codec

    number, reason = jlis.validate_my_number(text)
    try:
        expected = codec.clean_value("my_number", text)
    except ValueError as exc:
        assert reason in (str(exc), mynumber.EMPTY_MESSAGE)
    else:
        assert (number, reason) == (expected, "")


# --- the detector ------------------------------------------------------------------------------------

joined = st.sampled_from(["", " ", "-", "－", "ー", "\u3000", " - ", "%20"])
surround = st.text(alphabet=st.characters(blacklist_categories=["Nd", "No"], blacklist_characters="%"), max_size=8)


@given(twelve_digits, st.lists(joined, min_size=11, max_size=11), st.booleans(), surround, surround)
def test_twelve_digits_however_joined_are_found_and_hidden(number, joins, full_width, before, after):
    digits = number.translate(FULL_WIDTH) if full_width else number
    shaped = digits[0] + "".join(j + d for j, d in zip(joins, digits[1:], strict=True))
    text = f"{before} {shaped} {after}"
    assert looks_like_my_number(text)
    assert redact_my_numbers(text) == f"{before} {mynumber.MARK} {after}"


@given(st.text(alphabet="0123456789", min_size=13, max_size=20), st.sampled_from(["", " ", "-"]))
def test_a_longer_run_is_not_a_my_number(digits, sep):
    text = f"id {sep.join(digits)} ok"  # every digit joined the same way: no 12 of them stand alone
    assert not looks_like_my_number(text)
    assert redact_my_numbers(text) == text


@given(twelve_digits, st.text(alphabet="0123456789", min_size=1, max_size=6), st.sampled_from([" ", "-", "　"]),
       st.booleans())
def test_a_my_number_beside_another_number_is_still_found(number, other, sep, before):
    text = f"GET {other}{sep}{number} x" if before else f"x {number}{sep}{other} 404"
    assert looks_like_my_number(text)
    assert number not in redact_my_numbers(text)


@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789０１ -　x%2", max_size=40)))
def test_the_detector_and_the_redaction_agree(text):
    hidden = redact_my_numbers(text)
    assert looks_like_my_number(text) == (hidden != text)
    assert not looks_like_my_number(hidden)  # nothing left that looks like one
    assert redact_my_numbers(hidden) == hidden


@pytest.mark.parametrize("text", ["①②③④⑤⑥⑦⑧⑨⓪①②", "12345678901𝟖", "1234 - 5678 - 9018", "03 7617 304300",
                                  '"GET /vault/people/037617304300 HTTP/1.1" 404', "404 037617304300",
                                  "0376 1730 4300 2026-12-03"])
def test_what_the_entry_refuses_is_still_found_in_free_text(text):
    assert looks_like_my_number(text)


@pytest.mark.parametrize("text", ["192.168.100.200", "2026-11-22 11:04:18", "tel 03-1234-5678", "v1.2.3456789012",
                                  "期間 2026-04-01 2027-03-31", "seq 1234567890123456 ok"])
def test_addresses_times_and_phone_numbers_are_not_taken_for_one(text):
    assert not looks_like_my_number(text)


def test_every_place_that_looks_for_a_my_number_asks_the_one_detector():
    from django.core.exceptions import ValidationError

    from tokutei.approvals import services as approvals
    from tokutei.core import logging as log_filter
    from tokutei.ledgers import services as ledgers

    assert log_filter.MY_NUMBER_LIKE is mynumber.MY_NUMBER_LIKE
    assert log_filter.redact("x 1234 5678 9018") == redact_my_numbers("x 1234 5678 9018")
    for text in ("1234 - 5678 - 9018", "①②③④⑤⑥⑦⑧⑨⓪①②", "１２３４５６７８９０１８"):
        with pytest.raises(ValidationError):
            ledgers.check_no_personal_number("備考", text)
    ledgers.check_no_personal_number("備考", "記録ID 1234 の件")
    assert approvals.looks_like_my_number is looks_like_my_number
    for value in ("1234 5678 9018", "１２３４－５６７８－９０１８", 123456789018, ["a", "0376-1730-4300"]):
        clean, error = approvals.clean_particulars({"scope": value})
        assert clean == {} and error and "番号" in error
    assert approvals.clean_particulars({"scope": "第2四半期", "count": 300}) == ({"scope": "第2四半期", "count": 300}, None)
