"""No plaintext My Number at rest (database, its file image) nor in the logs (common brief, R-SEC-1)."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection

from tokutei.policy import Actor
from tokutei.vault.services import (
    confirm_person,
    correct_person,
    intake_person,
    search_people,
    view_person,
)

from .conftest import CARD
from .test_intake import full_width, number


def _dump_all_tables() -> bytes:
    """Every row of every table, as text and raw bytes (the 'SQL dump' of the test database)."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    else:
                        chunks.append(str(value).encode("utf-8"))
    return b"\n".join(chunks)


def _sqlite_file_image() -> bytes:
    """The database file image as SQLite holds it (``serialize``: the pages a file would contain)."""
    connection.ensure_connection()
    return connection.connection.serialize()


def test_no_my_number_is_stored_or_logged_in_plaintext(handler, checker, terminal, pension_file, caplog,
                                                       tmp_path):
    caplog.set_level(logging.DEBUG)
    numbers = [number(7000 + i) for i in range(5)]
    people = []
    for i, mn in enumerate(numbers):
        people.append(intake_person(
            actor=Actor(user=handler, terminal=terminal, purpose="pension"), file=pension_file,
            values={"my_number": full_width(mn), "name": f"山田 {i}", "name_kana": "やまだ　たろう",
                    "birth_date": f"1950-01-0{i + 1}", "resident_code": f"{12345678900 + i}",
                    "pension_no": f"A-{i:05d}"},
            channel="from_person", evidence=CARD).person)
    confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=people[0], method="re_entry",
                   my_number=numbers[0])
    correct_person(actor=Actor(user=handler, terminal=terminal, purpose="pension"), person=people[1],
                   changes={"my_number": number(7999)}, instructed_by=checker)
    view_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=people[2], reveal=True)
    assert [p.pk for p in search_people(actor=Actor(user=checker, terminal=terminal, purpose="pension"), by="kana_birth",
                                        kana="ﾔﾏﾀﾞ ﾀﾛｳ", birth_date="昭和25年1月3日")] == [people[2].pk]
    assert [p.pk for p in search_people(actor=Actor(user=checker, terminal=terminal, purpose="pension"),
                                        by="resident_code", value="１２３４５６７８９０３")] == [people[3].pk]
    assert [p.pk for p in search_people(actor=Actor(user=checker, terminal=terminal, purpose="pension"), by="org_key",
                                        value="a-00004")] == [people[4].pk]
    secrets = [*numbers, number(7999)]
    dump = _dump_all_tables()
    images = [dump]
    if connection.vendor == "sqlite":
        images.append(_sqlite_file_image())
    for image in images:
        assert "年金受給者ファイル".encode() in image  # the image really holds the rows
        for mn in secrets:
            assert mn.encode() not in image
            assert full_width(mn).encode("utf-8") not in image
        assert "山田".encode() not in image  # names are encrypted too
    for mn in secrets:
        assert mn not in caplog.text
