"""Synthetic J-LIS bulk-acquisition result files: realistic, valid check digits, no real person.

The people are the one generator's (:mod:`tokutei.core.synthetic`, with ``offset=SERIAL_OFFSET``): person
``start + i`` of a file has the 個人番号 ``my_number(start + i)`` and the 住民票コード
``resident_code(start + i)``, so no two rows share a number unless a duplicate is planted on purpose. This
module writes them in the J-LIS layout (full-width space in names, dates in three spellings) and plants
the bad rows. A million rows take a few seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tokutei.core.jdates import to_wareki
from tokutei.core.mynumber import WEIGHTS as MN_WEIGHTS
from tokutei.core.mynumber import check_digit as check_digit
from tokutei.core.synthetic import CITIES, FAMILY, FEMALE, MALE, SERIAL_OFFSET, people
from tokutei.core.synthetic import TOWNS as TOWNS
from tokutei.core.synthetic import my_number as _my_number
from tokutei.core.synthetic import resident_code as _resident_code

# The people come from the one generator (tokutei.core.synthetic); these names stay importable from here.
SURNAMES = FAMILY
GIVEN_MALE = MALE
GIVEN_FEMALE = FEMALE
PLACES = [f"{prefecture}{city}" for prefecture, cities in CITIES.items() for city in cities]
WEIGHTS = MN_WEIGHTS

HEADERS = ["個人番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "住民票コード"]

BAD_KINDS = (
    "check_digit", "length", "not_digits", "bad_date", "future_date", "sex", "empty_name", "kana",
    "duplicate", "short_row", "empty_org_key",
)


def my_number(i: int) -> str:
    """The i-th synthetic My Number: a bijection of i onto 11 digits, plus the check digit."""
    return _my_number(i)


def resident_code(i: int) -> str:
    return _resident_code(i)


@dataclass
class GenStats:
    rows: int = 0
    good: int = 0
    bad: Counter = field(default_factory=Counter)

    @property
    def bad_total(self) -> int:
        return sum(self.bad.values())


def _birth_text(rng: random.Random, day: dt.date) -> str:
    pick = rng.random()
    if pick < 0.6:
        return day.isoformat()
    if pick < 0.8:
        return f"{day.year}/{day.month}/{day.day}"
    return to_wareki(day)


def generate(out: str | Path, *, rows: int, bad: int = 0, encoding: str = "utf-8", seed: int = 1,
             org_key_header: str | None = "年金証書番号", shuffle_columns: bool = False, start: int = 0) -> GenStats:
    """Write ``rows`` data records of which ``bad`` are deliberately wrong (of every kind in BAD_KINDS).
    Person ``i`` of the file is synthetic person ``start + i`` (a second file with another ``start`` holds
    other people)."""
    rng = random.Random(seed)
    headers = list(HEADERS) + ([org_key_header] if org_key_header else [])
    order = list(range(len(headers)))
    if shuffle_columns:
        rng.shuffle(order)
    bad = min(bad, rows)
    bad_at = set(rng.sample(range(1, rows), bad)) if bad and rows > 1 else set()
    if bad and rows == 1:
        bad_at = {0}
    stats = GenStats()
    last_good_number = ""
    kinds = [k for k in BAD_KINDS if org_key_header or k != "empty_org_key"]
    source = people(rows, seed=seed, start=start, offset=SERIAL_OFFSET, born_to=2005)
    with open(out, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([headers[j] for j in order])
        for i, person in enumerate(source):
            n = start + i
            row = [
                person["my_number"], person["name"].replace(" ", "\u3000"),
                person["name_kana"].replace(" ", "\u3000"),
                _birth_text(rng, dt.date.fromisoformat(person["birth_date"])), person["sex"], person["address"],
                person["resident_code"],
            ]
            if org_key_header:
                row.append(f"{400_000_000 + n:010d}")
            if i in bad_at:
                kind = kinds[len(stats.bad) % len(kinds)] if len(stats.bad) < len(kinds) else rng.choice(kinds)
                if kind == "duplicate" and not last_good_number:
                    kind = "check_digit"
                row = _spoil(row, kind, last_good_number)
                stats.bad[kind] += 1
            else:
                stats.good += 1
                last_good_number = row[0]
            stats.rows += 1
            writer.writerow([row[j] for j in order if j < len(row)] if shuffle_columns else row)
    return stats


def _spoil(row: list[str], kind: str, earlier: str) -> list[str]:
    number = row[0]
    if kind == "check_digit":
        row[0] = number[:11] + str((int(number[11]) + 1) % 10)
    elif kind == "length":
        row[0] = number[:11]
    elif kind == "not_digits":
        row[0] = number[:5] + "X" + number[6:]
    elif kind == "bad_date":
        row[3] = "1970-02-30"
    elif kind == "future_date":
        row[3] = "2999-01-01"
    elif kind == "sex":
        row[4] = "X"
    elif kind == "empty_name":
        row[1] = ""
    elif kind == "kana":
        row[2] = row[1]
    elif kind == "duplicate":
        row[0] = earlier
    elif kind == "short_row":
        row = row[:3]
    elif kind == "empty_org_key":
        row[-1] = ""
    return row
