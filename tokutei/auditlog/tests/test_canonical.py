"""The fast canonical encoder yields exactly the bytes of the reference definition (the hash format)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
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


# --- format 2 ------------------------------------------------------------------------------------------------

def test_a_known_format_2_entry_keeps_its_hash():
    """Pins format 2 (chain.canonical_v2): changing the rendering would break every stored hash."""
    from tokutei.auditlog.chain import at_text, canonical_v2, hash_v2, jsonb_text, parse_v2

    at = dt.datetime(2026, 11, 22, 3, 40, 0, 123456, tzinfo=dt.UTC)
    details = {"fields": ["name", "my_number"], "file_id": 1, "備考": "日本語"}
    fields = {
        "seq": 7, "at": at_text(at), "actor_id": 3, "actor_username": "clerk", "terminal_id": None,
        "terminal_name": "窓口端末1", "action": "vault.view", "purpose": "payroll", "target_type": "person",
        "target_id": "42", "count": 1, "result": "ok", "article": "004 §7", "reason": "",
        "details": jsonb_text(details), "lane": 1, "lane_seq": 7,
    }
    data = canonical_v2("0" * 64, fields)
    assert data.startswith(b"tokutei-log/2\x1f" + b"0" * 64 + b"\x1f7\x1f2026-11-22 03:40:00.123456\x1f3\x1f")
    # jsonb order: keys by byte length, then bytes ("備考" is 6 bytes, like "fields")
    assert '{"fields": ["name", "my_number"], "備考": "日本語", "file_id": 1}'.encode() in data
    assert hash_v2(data) == "5c97c80e64905a52d31c78d389ce51e11fa58921893c1d4c22983888d48006b3"
    assert parse_v2(data) == {**fields, "prev_hash": "0" * 64, "at": iso(at), "details": details}


plain_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12).filter(lambda s: "\x00" not in s),
              japanese.filter(lambda s: "\x00" not in s)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8).filter(lambda s: "\x00" not in s), inner, max_size=3)),
    max_leaves=12,
)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(details=st.dictionaries(st.text(max_size=8).filter(lambda s: "\x00" not in s), plain_json, max_size=4))
def test_details_print_exactly_as_postgresql_prints_jsonb(details):
    """SQLite stores details as chain.jsonb_text prints them: the same text PostgreSQL renders, so an entry
    hashes alike on both (checked against PostgreSQL itself)."""
    import json

    from django.db import connection

    from tokutei.auditlog.chain import jsonb_text

    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's jsonb output")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb::text", [json.dumps(details, ensure_ascii=False)])
        assert jsonb_text(json.loads(json.dumps(details))) == cursor.fetchone()[0]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(text, japanese), min_size=6, max_size=6),
       details=st.dictionaries(st.text(max_size=8).filter(lambda s: "\x00" not in s), plain_json, max_size=3),
       count=st.integers(min_value=0, max_value=2**31 - 1))
def test_the_database_renders_what_canonical_v2_defines(texts, details, count):
    """For entries with arbitrary text (Japanese, control characters, the separator, NUL), the database's
    rendering (sql.py) is exactly chain.canonical_v2 of the fields read back, and parses back to them."""
    from django.db import connection, transaction

    from tokutei.auditlog import sql
    from tokutei.auditlog.chain import at_text, canonical_v2, hash_v2, jsonb_text, parse_v2
    from tokutei.auditlog.models import Entry
    from tokutei.auditlog.services import record

    # Any text at all in the action column, as an old or a tampered row may hold: the registry check that
    # record() makes for new entries is lifted for this test of the rendering alone.
    with mock.patch("tokutei.auditlog.services.lookup", return_value=True), transaction.atomic():
        entry = record(action=texts[0] or "x", purpose=texts[1], target_type=texts[2], target_id=texts[3],
                       article=texts[4], reason=texts[5], count=count, details=details)
        stored = Entry.objects.get(pk=entry.pk)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql.render_bytes(connection.vendor)} FROM auditlog_entry WHERE id = %s",
                           [entry.pk])
            rendered = bytes(cursor.fetchone()[0])
        transaction.set_rollback(True)
    fields = {name: getattr(stored, name) for name in HASHED_FIELDS}
    fields.update(at=at_text(stored.at), details=jsonb_text(stored.details))
    assert rendered == canonical_v2(stored.prev_hash, fields)
    assert hash_v2(rendered) == stored.hash == entry.hash
    parsed = parse_v2(rendered)
    assert parsed["details"] == stored.details and parsed["reason"] == stored.reason
