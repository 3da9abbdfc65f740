"""The fast canonical encoder yields exactly the bytes of the reference definition (the hash format)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tokutei.auditlog.chain import HASHED_FIELDS, canonical, canonical_reference, entry_hash, iso

japanese = st.text(alphabet=st.sampled_from("あいう漢字テスト特定個人情報ｶﾅ－〜\u3000\"\\\n\t\x00\u2028😀abc"), max_size=20)
text = st.one_of(st.text(max_size=30), japanese)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), text)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)
field_value = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63), text, st.booleans(),
                        st.floats(), st.just(Decimal("1.50")), st.just(dt.date(2026, 4, 1)))


@st.composite
def entries(draw):
    fields = {name: draw(field_value) for name in HASHED_FIELDS if draw(st.booleans())}
    fields["details"] = draw(st.dictionaries(text, json_like, max_size=5))
    fields["at"] = iso(draw(st.datetimes(timezones=st.just(dt.UTC))))
    if draw(st.booleans()):
        fields["extra_not_hashed"] = draw(text)
    return fields


@settings(max_examples=600, deadline=None)
@given(entries())
def test_the_fast_encoding_is_byte_identical_to_the_reference(fields):
    assert canonical(fields) == canonical_reference(fields)


def test_a_known_entry_keeps_its_hash():
    fields = {
        "seq": 7, "at": "2026-11-22T03:40:00.123456+00:00", "actor_id": 3, "actor_username": "clerk",
        "terminal_id": None, "terminal_name": "窓口端末1", "action": "vault.view", "purpose": "payroll",
        "target_type": "person", "target_id": "42", "count": 1, "result": "ok", "article": "004 §7",
        "reason": "", "details": {"fields": ["name", "my_number"], "file_id": 1, "備考": "日本語"},
        "lane": 1, "lane_seq": 7,
    }
    assert canonical(fields) == canonical_reference(fields)
    # computed with the original json.dumps encoding before the fast encoder existed
    assert entry_hash("0" * 64, fields) == "39b485d6ecaf1fa1415b71527b42629f6c059ac58de0356fa3a1986f041254d5"
