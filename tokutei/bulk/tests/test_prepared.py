"""A prepared batch of binary-COPY rows travels as one bytes object; dropping rows from it (duplicates found
by the writer) leaves exactly the other rows, in order, with their keys."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tokutei.bulk.sinks import Prepared


@given(st.lists(st.binary(min_size=1, max_size=40), max_size=30), st.sets(st.integers(0, 29)))
def test_dropping_rows_keeps_the_others_byte_for_byte(rows, drop):
    keys = list(range(100, 100 + len(rows)))
    batch = Prepared.encoded(rows, keys)
    assert batch.copy_rows == b"".join(rows) and batch.count == len(rows)
    kept = batch.keep(drop)
    assert kept.copy_rows == b"".join(r for i, r in enumerate(rows) if i not in drop)
    assert kept.keys == [k for i, k in enumerate(keys) if i not in drop]
    assert kept.count == len(kept.keys) == len(kept.ends)
    assert list(kept.ends) == [sum(len(r) for j, r in enumerate(rows) if j not in drop and j <= i)
                               for i in range(len(rows)) if i not in drop]
