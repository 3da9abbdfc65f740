"""One synthetic-people generator: the vault's demo, the J-LIS file generator and the staff demo share it."""

import csv

from hypothesis import given
from hypothesis import strategies as st
from stdnum.jp import in_

from tokutei.core import synthetic
from tokutei.core.mynumber import check_digit, is_valid_my_number


def test_every_caller_uses_the_one_generator():
    from tokutei.bulk import synthetic as bulk
    from tokutei.staff import demo as staff_demo
    from tokutei.vault import demo as vault_demo
    from tokutei.vault import synthetic as vault

    assert vault.batches is synthetic.batches and vault.people is synthetic.people
    assert vault_demo.batches is synthetic.batches
    assert bulk.people is synthetic.people
    assert bulk.SURNAMES is synthetic.FAMILY and bulk.check_digit is check_digit
    assert staff_demo.NAMES == synthetic.staff_names(24)


@given(st.integers(0, 10**11 - 1))
def test_the_table_check_digit_is_the_one_rule(base):
    number = synthetic.with_check_digit(base)
    assert number == f"{base:011d}" + check_digit(f"{base:011d}")
    assert is_valid_my_number(number) and in_.is_valid(number)


@given(st.integers(0, 10**9))
def test_the_serial_numbers_are_those_the_tests_and_the_benchmark_look_up(i):
    body = f"{(i * 7_919_000_003 + 48_271) % 100_000_000_000:011d}"  # the J-LIS generator's walk, unchanged
    assert synthetic.my_number(i) == body + in_.calc_check_digit(body)
    assert synthetic.resident_code(i) == f"{(i * 3_000_000_019 + 12_345) % 100_000_000_000:011d}"


def test_the_same_seed_gives_the_same_people_and_numbers_are_unique():
    first = list(synthetic.people(5000, seed=9))
    assert first == list(synthetic.people(5000, seed=9))
    assert first != list(synthetic.people(5000, seed=10))
    assert len({p["my_number"] for p in first}) == 5000
    assert len({p["resident_code"] for p in first}) == 5000
    assert all(is_valid_my_number(p["my_number"]) for p in first)
    # ``people`` is ``batches`` flattened; the numbers do not depend on the batch size.
    assert [p for b in synthetic.batches(5000, seed=9) for p in b] == first
    assert [p["my_number"] for b in synthetic.batches(5000, size=777, seed=9) for p in b] == [
        p["my_number"] for p in first]
    # ``start`` continues the walk: two runs with one seed do not collide.
    later = list(synthetic.people(100, seed=9, start=5000))
    assert not {p["my_number"] for p in later} & {p["my_number"] for p in first}


def test_a_jlis_file_holds_the_generators_people(tmp_path):
    from tokutei.bulk import synthetic as bulk

    path = tmp_path / "a.csv"
    stats = bulk.generate(path, rows=200, bad=0, seed=4, start=30)
    again = tmp_path / "b.csv"
    assert bulk.generate(again, rows=200, bad=0, seed=4, start=30) == stats
    assert path.read_bytes() == again.read_bytes()  # deterministic for a seed
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    expected = list(synthetic.people(200, seed=4, start=30, offset=synthetic.SERIAL_OFFSET, born_to=2005))
    for i, (row, person) in enumerate(zip(rows, expected, strict=True)):
        assert row[0] == person["my_number"] == bulk.my_number(30 + i)
        assert row[1] == person["name"].replace(" ", "\u3000")
        assert row[2] == person["name_kana"].replace(" ", "\u3000")
        assert row[5] == person["address"] and row[6] == person["resident_code"] == bulk.resident_code(30 + i)


def test_planted_bad_rows_follow_the_seed(tmp_path):
    from tokutei.bulk import synthetic as bulk

    a = bulk.generate(tmp_path / "a.csv", rows=300, bad=30, seed=12)
    b = bulk.generate(tmp_path / "b.csv", rows=300, bad=30, seed=12)
    assert a == b and a.bad_total == 30 and a.good == 270
    assert set(a.bad) == set(bulk.BAD_KINDS)
