"""Rows encoded by the parse workers (binary COPY without a connection) read back as psycopg writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tokutei.bulk import pgcopy
from tokutei.bulk.sinks import COLUMNS

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'")

TYPES = ["bigint", "varchar", "bytea", "integer", "integer", "bigint", "bigint", "bigint", "bigint", "varchar",
         "bigint", "timestamptz", "bigint", "timestamptz", "varchar", "varchar", "jsonb", "date", "timestamptz"]


def test_encoded_rows_read_back_like_rows_written_by_psycopg(pension_file, clerk):
    at = dt.datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    encoder = pgcopy.PersonRowEncoder(file_id=pension_file.pk, task="pension", key_id=7, bi_key=2,
                                      status="confirmed", entered_by_id=clerk.pk, entered_at=at, confirmed_at=at,
                                      method="source", channel="jlis_bulk", verification={"source": "jlis"})
    samples = [(b"\x01cipher\x00\xff", -(2**63), 2**63 - 1, None, 12345), (b"\x01" * 300, 0, None, -1, None),
               (b"\x02all four", -1, 2**62, -(2**62), 0)]
    mine = [encoder.encode(*s) for s in samples]
    from tokutei.vault.models import SpecificFile

    other = SpecificFile.objects.create(name="比較用", tasks=["pension"])
    theirs = [(other.pk, "pension", blob, 7, 2, mn, rc, kb, ok, "confirmed", clerk.pk, at, None, at,
               "source", "jlis_bulk", {"source": "jlis"}, None, None) for blob, mn, rc, kb, ok in samples]
    cols = ", ".join(COLUMNS)
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY vault_person ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(pgcopy.stream(mine))
        with cur.cursor.copy(f"COPY vault_person ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(TYPES)
            for row in theirs:
                copy.write_row(row)
        cur.execute(f"SELECT {cols} FROM vault_person WHERE file_id IN (%s, %s) ORDER BY id", [pension_file.pk, other.pk])
        rows = [r[1:] for r in cur.fetchall()]  # without file_id
    assert rows[:3] == rows[3:]
    assert rows[0][1] == b"\x01cipher\x00\xff" and rows[0][4] == -(2**63) and rows[0][10] == at
