"""PostgreSQL's binary COPY format for the person rows of a bulk import, encoded without a connection.

psycopg formats binary COPY rows itself (``Copy.write_row``), but only in the process that holds the
connection: on 2 cores the writing process then spends as long adapting 19 values per row as the database
spends storing it. Here the parse workers, which have no connection, encode each row once (the columns that
are the same for the whole import are encoded once per import), and the writer only joins bytes. The format
is PostgreSQL's documented one (``COPY … (FORMAT BINARY)``: signature, flags, header extension, then per
row a 16-bit field count and each field as a 32-bit length — −1 for NULL — and its bytes in the type's
binary send format). ``tests/test_pgcopy.py`` checks rows written this way read back equal to rows written
by psycopg.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable

import orjson

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
NULL = struct.pack(">i", -1)
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_INT8 = struct.Struct(">iq")
_INT4 = struct.Struct(">ii")
_LEN = struct.Struct(">i")
_FOUR_INT8 = struct.Struct(">iqiqiqiq")  # four bigint fields, none NULL: the usual row's blind indexes


def int8(value: int | None) -> bytes:
    return NULL if value is None else _INT8.pack(8, value)


def int4(value: int | None) -> bytes:
    return NULL if value is None else _INT4.pack(4, value)


def text(value: str | None) -> bytes:
    if value is None:
        return NULL
    data = value.encode("utf-8")
    return _LEN.pack(len(data)) + data


def timestamptz(value: dt.datetime | None) -> bytes:
    """Microseconds since 2000-01-01 UTC (PostgreSQL's integer timestamps)."""
    if value is None:
        return NULL
    delta = value - _PG_EPOCH
    return _INT8.pack(8, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def jsonb(value: object) -> bytes:
    data = b"\x01" + orjson.dumps(value)  # jsonb binary format: version 1, then the JSON text
    return _LEN.pack(len(data)) + data


class PersonRowEncoder:
    """Encodes rows in ``sinks.COLUMNS`` order; only the ciphertext and the four blind indexes vary."""

    def __init__(self, *, file_id: int, task: str, key_id: int, bi_key: int, status: str,
                 entered_by_id: int | None, entered_at: dt.datetime, confirmed_at: dt.datetime | None,
                 method: str, channel: str, verification: object):
        self._head = struct.pack(">h", 19) + int8(file_id) + text(task)  # field count, file_id, task
        self._keys = int4(key_id) + int4(bi_key)
        self._tail = b"".join([
            text(status), int8(entered_by_id), timestamptz(entered_at), NULL,  # confirmed_by_id
            timestamptz(confirmed_at), text(method), text(channel), jsonb(verification),
            NULL, NULL,  # retention_trigger_date, deleted_at
        ])

    def encode(self, data: bytes, bi_my_number: int | None, bi_resident_code: int | None,
               bi_kana_birth: int | None, bi_org_key: int | None) -> bytes:
        if bi_my_number is None or bi_resident_code is None or bi_kana_birth is None or bi_org_key is None:
            indexes = b"".join((int8(bi_my_number), int8(bi_resident_code), int8(bi_kana_birth), int8(bi_org_key)))
        else:
            indexes = _FOUR_INT8.pack(8, bi_my_number, 8, bi_resident_code, 8, bi_kana_birth, 8, bi_org_key)
        return b"".join((self._head, _LEN.pack(len(data)), data, self._keys, indexes, self._tail))


def stream(rows: Iterable[bytes]) -> bytes:
    """A whole COPY stream of already-encoded rows."""
    return b"".join((SIGNATURE, *rows, TRAILER))
