"""The importer's filter of stored 個人番号 keys: it may say "maybe" for a new key, never "no" for a stored one."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tokutei.bulk.seen import SeenFilter

KEYS = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(KEYS, max_size=50), max_size=8))
def test_check_and_add_never_misses_a_key_seen_before(batches):
    one_pass, two_passes = SeenFilter(), SeenFilter()
    for batch in batches:
        expected = [k for i, k in enumerate(batch) if k in two_passes or k in batch[:i]]
        two_passes.update(batch)
        maybe = one_pass.check_and_add(batch)
        assert set(expected) <= set(maybe)  # every key stored before (or earlier in the batch) is a "maybe"
    assert one_pass.count == two_passes.count == sum(map(len, batches))
    for batch in batches:
        assert all(k in one_pass for k in batch)


def test_a_million_stored_keys_leave_few_new_keys_in_doubt():
    rng = random.Random(6)
    stored = SeenFilter()
    stored.update(rng.getrandbits(64) - 2**63 for _ in range(1_000_000))
    fresh = [rng.getrandbits(64) - 2**63 for _ in range(20_000)]
    doubtful = len(stored.check_and_add(fresh))
    assert doubtful < 20_000 * 0.005  # ~0.1% expected; the database answers those
