"""別紙1 as an office files it (issue 18, item 2): the 確認者 from the second person's check, a year's routine
reading summed per person, task and day with the detail one click away, a print with its title block and
確認印 box, and an Excel sheet whose dates and counts are dates and numbers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tokutei.auditlog.services import record
from tokutei.ledgers.selectors import form_tables, handling_records
from tokutei.ledgers.tests.test_real_profiles import _shipped


@pytest.fixture
def hyogo(activate):
    _shipped("hyogo-kyosai")
    return activate("hyogo-kyosai")


@pytest.fixture
def handler(hyogo, make_user):
    return make_user("nenkin1", "handler", tasks=["p1_i"])


@pytest.fixture
def checker(hyogo, make_user):
    return make_user("nenkin2", "handler", tasks=["p1_i"])


@pytest.fixture
def write_day(monkeypatch):
    """write_day(offset, **entry): a log entry written ``offset`` from now (its row follows at once)."""
    def write(offset: dt.timedelta, **kwargs):
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + offset)
        try:
            return record(**kwargs)
        finally:
            monkeypatch.setattr(timezone, "now", real)

    return write


def _person(confirmed_by=None):
    """本人 in a file (the row only; the sheet names people by number and never holds their data)."""
    from tokutei.vault.models import Person, SpecificFile

    kept = SpecificFile.objects.get_or_create(name="年金受給者ファイル", defaults={"tasks": ["p1_i"]})[0]
    return Person.objects.create(file=kept, task="p1_i", data=b"x", key_id=1, bi_key=1, entered_at=timezone.now(),
                                 confirmed_by=confirmed_by, confirmed_at=timezone.now() if confirmed_by else None,
                                 status="confirmed" if confirmed_by else "unconfirmed")


def _table(profile, key, **kwargs):
    (table,) = form_tables(profile, list(handling_records(profile)), category=key, **kwargs)
    return table


def test_the_checker_column_names_who_confirmed_the_entry(hyogo, handler, checker):
    confirmed, waiting = _person(confirmed_by=checker), _person()
    for person in (confirmed, waiting):
        record(action="vault.intake", actor=handler, purpose="p1_i", target_type="person", target_id=person.pk)
    table = _table(hyogo, "collection_input")
    column = table["columns"].index("確認者")
    by_person = {r["record"].target_id: r["cells"][column] for r in table["rows"]}
    assert by_person[str(confirmed.pk)] == "nenkin2"
    assert by_person[str(waiting.pk)] == ""  # not yet checked: left blank, never guessed


def test_a_day_of_routine_views_is_one_row_with_its_count_and_the_detail_one_click_away(
        hyogo, handler, client):
    people = [_person() for _ in range(3)]
    for person in people:
        record(action="vault.view", actor=handler, purpose="p1_i", target_type="person", target_id=person.pk)
    record(action="vault.search", actor=handler, purpose="p1_i", target_type="person", count=4)
    record(action="vault.reveal", actor=handler, purpose="p1_i", target_type="person", target_id=people[0].pk)
    table = _table(hyogo, "use_output")
    routine = [r for r in table["rows"] if r["summarised"]]
    assert len(routine) == 1 and routine[0]["summarised"] == 4
    assert routine[0]["cells"][table["columns"].index("件数")] == "7"  # 3 views + a search of 4
    assert len(table["rows"]) == 2  # the reveal keeps its own row
    assert len(_table(hyogo, "use_output", detail=True)["rows"]) == 5

    client.force_login(handler)
    page = client.get(reverse("ledgers:handling")).content.decode()
    assert "4回分" in page and "1件ずつ表示" in page
    detail = client.get(reverse("ledgers:handling"), {"detail": "1"})
    assert sum(len(t["rows"]) for t in detail.context["tables"] if t["key"] == "use_output") == 5
    assert "まとめて表示" in detail.content.decode()


def test_routine_views_stay_one_row_each_where_the_profile_does_not_summarise(activate, make_user):
    _shipped("inabe")
    inabe = activate("inabe")
    assert not inabe.handling_status.summarise_routine  # the default: every operation its own row
    clerk = make_user("shokuin1", "handler", tasks=["health_insurance_48"])
    for n in range(3):
        record(action="vault.view", actor=clerk, purpose="health_insurance_48", target_type="person",
               target_id=n + 1)
    rows = [r for t in form_tables(inabe, list(handling_records(inabe))) for r in t["rows"]]
    assert len(rows) == 3 and not any(r["summarised"] for r in rows)


def test_views_of_different_days_or_tasks_are_not_summed_together(hyogo, handler, write_day):
    write_day(dt.timedelta(days=-1), action="vault.view", actor=handler, purpose="p1_i", target_type="person",
              target_id=1)
    for n in range(2):
        record(action="vault.view", actor=handler, purpose="p1_i", target_type="person", target_id=n + 2)
    rows = _table(hyogo, "use_output")["rows"]
    assert [r["summarised"] for r in rows] == [0, 2]


def test_the_print_has_the_forms_title_block_and_a_seal_box(hyogo, handler, client):
    record(action="vault.view", actor=handler, purpose="p1_i", target_type="person", target_id=1)
    client.force_login(handler)
    html = client.get(reverse("ledgers:handling_print")).content.decode()
    block = html.split('<header class="title-block">', 1)[1].split("</header>", 1)[0]
    assert "特定個人情報等の運用状況記録票（別紙1）" in block and hyogo.organisation.name in block
    assert "期間" in block and "年度" in block and "印刷日時" in block
    assert '<div class="seal">確認印</div>' in block


def test_the_excel_sheet_keeps_dates_as_dates_and_counts_as_numbers(hyogo, handler, client):
    record(action="vault.export", actor=handler, purpose="p1_i", target_type="person", count=12)
    client.force_login(handler)
    wb = load_workbook(io.BytesIO(client.get(reverse("ledgers:handling_export")).content))
    sheet = wb.worksheets[1]
    assert [c.value for c in sheet[4]][:2] == ["No.", "年月日"]
    day, count = sheet["B5"], sheet.cell(row=5, column=[c.value for c in sheet[4]].index("件数") + 1)
    assert day.is_date and day.value.date() == timezone.localdate() and "ggge" in day.number_format
    assert count.value == 12 and count.data_type == "n"
    assert isinstance(sheet["A5"].value, int)
