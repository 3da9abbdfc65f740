import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokutei.core import jdates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 22), "令和8年11月22日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1958, 4, 1), "昭和33年4月1日"),
    ],
)
def test_it_writes_wareki(day, expected):
    assert jdates.to_wareki(day) == expected


@pytest.mark.parametrize(
    "text",
    ["1958-04-01", "1958/4/1", "19580401", "1958年4月1日", "昭和33年4月1日", "S33.4.1", "１９５８－０４－０１", "昭和３３年４月１日"],
)
def test_it_parses_seireki_and_wareki(text):
    assert jdates.parse_date(text) == dt.date(1958, 4, 1)


@pytest.mark.parametrize("text", ["昭和65年1月1日", "平成31年5月1日", "2023-02-30", "あした", ""])
def test_it_refuses_impossible_dates_in_japanese(text):
    with pytest.raises(ValueError) as exc:
        jdates.parse_date(text)
    assert any(word in str(exc.value) for word in ("日付", "期間外"))


@given(st.dates(min_value=dt.date(1868, 10, 23), max_value=dt.date(2100, 12, 31)))
def test_wareki_round_trips(day):
    assert jdates.parse_date(jdates.to_wareki(day)) == day


def test_fiscal_year_runs_april_to_march():
    assert jdates.fiscal_year(dt.date(2027, 3, 31)) == 2026
    assert jdates.fiscal_year(dt.date(2026, 4, 1)) == 2026
    assert jdates.fiscal_year_label(2026) == "令和8年度"
    assert jdates.fiscal_year(dt.date(2026, 6, 1), start_month=7) == 2025


def test_business_days_skip_weekends_holidays_and_year_end():
    assert not jdates.is_business_day(dt.date(2026, 11, 23))  # 勤労感謝の日
    assert not jdates.is_business_day(dt.date(2026, 12, 29))  # 年末
    assert not jdates.is_business_day(dt.date(2027, 1, 3))
    # Friday 2026-12-25 + 5 business days skips the weekend and 12/29–1/3 → Thursday 2027-01-07
    assert jdates.add_business_days(dt.date(2026, 12, 25), 5) == dt.date(2027, 1, 7)
