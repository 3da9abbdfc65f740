"""``insert_model`` stores a row exactly as ``save()`` does (tokutei.core.sql)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from tokutei.core.sql import insert_model
from tokutei.ledgers.models import HandlingRecord


def _record(**extra) -> HandlingRecord:
    return HandlingRecord(source=HandlingRecord.Source.LOG, source_seq=extra.pop("seq"),
                          occurred_at=timezone.now().replace(microsecond=123456) - dt.timedelta(days=1),
                          stage="use", action="vault.reveal", result="ok", actor_username="山田",
                          terminal_name="窓口1", purpose="p1", target_type="person", target_id="16", count=1,
                          fields=["name", "birth_date"], article="第5条", note="「確認」", **extra)


@pytest.mark.django_db
def test_a_handling_record_inserted_by_the_fixed_statement_reads_back_as_one_saved_by_the_orm():
    saved = _record(seq=1)
    saved.save()
    inserted = insert_model(_record(seq=2))
    assert inserted.pk is not None and inserted.pk != saved.pk and not inserted._state.adding
    a = model_to_dict(HandlingRecord.objects.get(pk=saved.pk), exclude=["id", "source_seq"])
    b = model_to_dict(HandlingRecord.objects.get(pk=inserted.pk), exclude=["id", "source_seq"])
    assert a == b
    assert b["fields"] == ["name", "birth_date"] and b["note"] == "「確認」"
    assert HandlingRecord.objects.get(pk=inserted.pk).occurred_at == saved.occurred_at
    assert HandlingRecord.objects.get(pk=inserted.pk).created_at is not None  # auto_now_add, as save() sets it
