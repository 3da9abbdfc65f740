"""Key rotation: every record still reads and every blind-index search still finds, across an interruption."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from tokutei.policy import Actor
from tokutei.vault import keys
from tokutei.vault.codec import decrypt_person_fields
from tokutei.vault.crypto import header_key_id
from tokutei.vault.models import Person, RotationJob
from tokutei.vault.services import correct_person, correction_values, intake_person, search_people

from .test_intake import number


def _people(clerk, terminal, file, n, start=100):
    out = []
    for i in range(n):
        out.append(intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=file,
                                 values={"my_number": number(start + i), "name": f"試験 {i}"}).person)
    return out


def test_rotation_moves_every_record_and_searches_keep_working(clerk, clerk2, terminal, payroll_file):
    people = _people(clerk, terminal, payroll_file, 7)
    correction = correct_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=people[0],
                                changes={"name": "訂正 後"}, instructed_by=clerk2)
    old_key = people[0].key_id
    out = StringIO()
    call_command("keys", "rotate", "--batch-size", "3", "--max-batches", "1", stdout=out)
    assert "中断" in out.getvalue()
    assert RotationJob.objects.get().status == "running"
    # Mid-rotation: rows under both index versions are found, old and new ciphertexts both read.
    for i in range(7):
        found = search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(100 + i))
        assert [p.pk for p in found] == [people[i].pk]
    new_person = _people(clerk, terminal, payroll_file, 1, start=500)[0]  # written during the rotation: new keys
    call_command("keys", "rotate", "--batch-size", "3", stdout=out)
    assert "完了" in out.getvalue()
    keys.reset_cache()
    ring = keys.get_keyring()
    assert ring.info("data", old_key).status == "retired"
    assert all(k.status != "previous" for k in ring.infos("index"))
    for p in [*people, new_person]:
        p.refresh_from_db()
        assert p.key_id != old_key and header_key_id(p.data) == p.key_id
        assert decrypt_person_fields(p.data, file_id=payroll_file.pk)["my_number"]
    assert Person.objects.filter(bi_key=ring.current_indexer().version).count() == 8
    for i in range(7):
        found = search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(100 + i))
        assert [p.pk for p in found] == [people[i].pk]
    correction.refresh_from_db()
    assert correction.key_id != old_key
    assert correction_values(correction)["new"]["name"] == "訂正 後"
    assert ring.active_master_id() == 2


def test_keys_status_lists_versions_and_counts(clerk, terminal, payroll_file):
    _people(clerk, terminal, payroll_file, 2)
    out = StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert "マスター鍵" in text and "#1 active" in text and "=2" in text


def test_every_kind_of_lookup_survives_a_rotation(handler, terminal, pension_file):
    from .conftest import CARD

    person = intake_person(actor=Actor(user=handler, terminal=terminal, purpose="pension"), file=pension_file, channel="from_person",
                           evidence=CARD, values={"my_number": number(900), "name": "鈴木 一郎", "name_kana": "スズキ イチロウ",
                                                  "birth_date": "1955-03-04", "resident_code": "98765432109",
                                                  "pension_no": "B-777"}).person
    call_command("keys", "rotate", stdout=StringIO())
    keys.reset_cache()
    queries: list[dict[str, Any]] = [{"by": "my_number", "value": number(900)}, {"by": "resident_code", "value": "98765432109"},
               {"by": "kana_birth", "kana": "すずき いちろう", "birth_date": "昭和30年3月4日"},
               {"by": "org_key", "value": "b-777"}]
    for q in queries:
        assert [p.pk for p in search_people(actor=Actor(user=handler, terminal=terminal, purpose="pension"), **q)] == [person.pk]
    assert pension_file.data_key_id != person.key_id
