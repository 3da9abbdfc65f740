"""The stored row format the bulk importer relies on (docs/keys.md "Row format")."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokutei.policy import Actor
from tokutei.vault.codec import PersonCodec, aad_for, blind_indexes, encrypt_person_fields
from tokutei.vault.crypto import HEADER_LEN, NONCE_LEN, header_key_id
from tokutei.vault.keys import get_keyring
from tokutei.vault.models import Person
from tokutei.vault.services import search_people
from tokutei.vault.synthetic import batches


def test_rows_written_by_the_bulk_helpers_are_found_and_read(clerk, terminal, payroll_file):
    codec = PersonCodec.for_file(payroll_file.pk)
    rows = next(batches(50, size=50, seed=9))
    values = [codec.clean({"my_number": r["my_number"], "name": r["name"]}) for r in rows]
    blobs = codec.encrypt_many(values)
    people = [Person(file=payroll_file, task="payroll", data=b, key_id=header_key_id(b), **codec.indexes(v),
                     status="confirmed", entered_by=clerk, entered_at=timezone.now(), channel="bulk")
              for v, b in zip(values, blobs, strict=True)]
    with CaptureQueriesContext(connection) as ctx:
        Person.objects.bulk_create(people)
    if connection.vendor == "postgresql":
        # CipherField keeps Django's fast UNNEST bulk insert (a BinaryField would not, lessons.md).
        assert any("UNNEST" in q["sql"] for q in ctx.captured_queries)
    found = search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number",
                          value=rows[17]["my_number"])
    assert len(found) == 1
    blob = found[0].data
    assert len(blob) > HEADER_LEN + NONCE_LEN + 16 and blob[0] == 1
    plain = get_keyring().sealer(header_key_id(blob)).open(blob, aad_for(payroll_file.pk))
    assert json.loads(plain)["my_number"] == rows[17]["my_number"]


def test_the_one_off_helpers_match_the_codec(payroll_file):
    values = {"my_number": "123456789018", "name": "山田 太郎"}
    key_id, blob = encrypt_person_fields(values, file_id=payroll_file.pk)
    assert header_key_id(blob) == key_id
    assert blind_indexes(values) == PersonCodec.for_file(payroll_file.pk).indexes(values)


@pytest.mark.parametrize("kind", ["my_number", "resident_code", "kana_birth", "org_key"])
def test_every_index_kind_is_domain_separated(kind):
    from tokutei.vault.codec import lookup_digests

    digest = lookup_digests(kind, "12345678901")[0]
    assert isinstance(digest, int) and -(2**63) <= digest < 2**63  # fits a PostgreSQL / SQLite bigint
    assert len({lookup_digests(k, "12345678901")[0] for k in ["my_number", "resident_code", "org_key"]}) == 3
