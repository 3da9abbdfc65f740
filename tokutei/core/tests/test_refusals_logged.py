"""Input that cannot be stored is refused with a clear Japanese message, and the refusal is logged.

Reproduced (issue 19): a ``purpose`` of 61 characters and a ledger ``count`` of 10^30 answered 500 and left
no log entry."""

from __future__ import annotations

import pytest
from django.test import Client

from tokutei.auditlog.models import Entry


@pytest.fixture
def org(activate, settings):
    from tokutei.ledgers.tests.conftest import FIXTURES

    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    return activate("T97")


@pytest.fixture
def as_clerk(clerk):
    c = Client(raise_request_exception=False)
    c.force_login(clerk)
    return c


def refusals() -> int:
    return Entry.objects.filter(result="refused").count()


@pytest.mark.parametrize("path", ["/api/v1/vault/files?purpose=" + "p" * 61, "/api/v1/vault/files?purpose=" + "給" * 300])
def test_a_purpose_longer_than_the_log_holds_is_refused_and_logged(org, as_clerk, path):
    before = refusals()
    r = as_clerk.get(path)
    assert r.status_code in (403, 422), r.content
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["code"] and body["detail"]
    assert refusals() == before + 1
    entry = Entry.objects.filter(result="refused").order_by("-seq")[0]
    assert len(entry.purpose) <= 60


def test_a_purpose_in_a_body_longer_than_sixty_characters_gets_a_japanese_message(org, as_clerk):
    before = refusals()
    r = as_clerk.post("/api/v1/vault/search", {"purpose": "p" * 61, "by": "my_number", "value": "1"},
                      content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"]["purpose"] == "60文字以内で入力してください"
    assert refusals() == before + 1


@pytest.mark.parametrize("count", [10**30, -1, 2**31, 1e30])
def test_a_ledger_count_beyond_the_column_is_refused_and_logged(org, as_clerk, count):
    before = refusals()
    r = as_clerk.post("/api/v1/ledgers/handling", {"stage": "disposal", "occurred_on": "2025-06-01",
                                                   "count": count}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert "count" in r.json()["errors"]
    assert refusals() == before + 1


def test_a_ledger_count_beyond_the_column_on_the_form_is_refused_and_logged(org, as_clerk):
    before = refusals()
    r = as_clerk.post("/ledgers/handling/new/", {"stage": "submission", "occurred_on": "令和7年5月1日",
                                                 "count": str(10**30)})
    assert r.status_code == 200
    assert "件数は0から2147483647までの整数で入力してください" in r.content.decode()
    assert refusals() == before + 1


@pytest.mark.parametrize("day", ["1180-04-01", "0001-01-01", "9999-12-31"])
def test_a_ledger_entry_dated_before_my_numbers_existed_is_refused(org, as_clerk, day):
    from tokutei.ledgers.models import HandlingRecord

    r = as_clerk.post("/api/v1/ledgers/handling", {"stage": "disposal", "occurred_on": day},
                      content_type="application/json")
    assert r.status_code == 422 and "取扱いの日付は2015年10月1日から" in r.json()["errors"]["occurred_on"]
    r = as_clerk.post("/ledgers/handling/new/", {"stage": "submission", "occurred_on": day, "count": "1"})
    assert r.status_code == 200 and "取扱いの日付は2015年10月1日から" in r.content.decode()
    assert HandlingRecord.objects.filter(source="manual").count() == 0


@pytest.mark.parametrize("note", ["a\x00b", "\ufffd", "x" * 501, "\u202eabc"])
def test_a_ledger_note_that_cannot_be_stored_is_refused_on_the_form(org, as_clerk, note):
    from tokutei.ledgers.models import HandlingRecord

    before = refusals()
    r = as_clerk.post("/ledgers/handling/new/", {"stage": "submission", "occurred_on": "2025-05-01",
                                                 "count": "1", "note": note})
    assert r.status_code == 200
    assert HandlingRecord.objects.filter(source="manual").count() == 0
    assert refusals() == before + 1


def test_a_command_option_with_a_control_character_is_refused_with_a_japanese_message(org):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="使用できない文字"):
        call_command("ledgers", "sync", "--actor", "admin\x1b[2J")
