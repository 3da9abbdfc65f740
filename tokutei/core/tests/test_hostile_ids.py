"""A huge id in a URL is refused at the edge, and a log entry holding an odd value never breaks a reader.

Reproduced (issue 19): a signed-in user asked for file 99999999999999999999; the refusal was logged with
that id, and every later ledger sync failed on it, so the home page and the ledgers answered 500 for all.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record

HUGE = "99999999999999999999"


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield settings.KEY_DIR
    keys.reset_cache()


@pytest.fixture
def clerk(make_user, org):
    return make_user("clerk", "clerk", tasks=["payroll"])


@pytest.fixture
def term(make_terminal):
    return make_terminal("窓口端末H")


def signed_in(user, credential) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/"})
    return c


def pages_still_work(c: Client) -> None:
    for path in ("/", "/ledgers/", "/ledgers/handling/"):
        assert c.get(path).status_code in (200, 302, 403), path
    from tokutei.ledgers.services import sync_from_log

    sync_from_log()  # the catch-up sync reads the whole log without failing


def test_a_huge_file_id_in_a_page_address_is_a_missing_record(clerk, term):
    c = signed_in(clerk, term[1])
    r = c.get(f"/vault/files/{HUGE}/intake/")
    assert r.status_code == 404
    pages_still_work(c)
    r = c.post(f"/vault/files/{HUGE}/intake/", {"name": "山田 太郎"})
    assert r.status_code == 404
    pages_still_work(c)


def test_a_huge_file_id_in_the_api_is_refused_as_missing_and_logged(clerk, term):
    c = signed_in(clerk, term[1])
    before = Entry.objects.count()
    r = c.post(f"/api/v1/vault/files/{HUGE}/people", {"purpose": "payroll", "values": {"name": "山田 太郎"}},
               content_type="application/json")
    assert r.status_code == 404, r.content
    assert r.headers["Content-Type"].startswith("application/json")
    assert Entry.objects.count() > before  # the refusal is recorded
    pages_still_work(c)
    r = c.get("/api/v1/ledgers/handling")
    assert r.status_code < 500


@pytest.mark.parametrize("odd", [
    {"target_type": "file", "target_id": HUGE},
    {"target_type": "file", "target_id": "-" + HUGE},
    {"target_type": "file", "target_id": "1e999", "details": {"file_id": HUGE, "stage": "use",
                                                              "fields": {"a": 1}}},
    {"target_type": "carry_out", "target_id": HUGE, "details": {"witness_id": HUGE, "checker_id": [1]}},
    {"target_type": "file", "target_id": "１２", "details": {"file_id": 2**70, "stage": "no-such-stage"}},
])
def test_a_log_already_holding_an_odd_entry_breaks_no_page(clerk, auditor, term, odd):
    from tokutei.auditlog.actions import Action

    with transaction.atomic():
        entry = record(action=Action.VAULT_INTAKE, actor=clerk, purpose="payroll", result="refused", reason="x",
                       **odd)
    c = signed_in(clerk, term[1])
    pages_still_work(c)
    assert c.get("/api/v1/ledgers/handling").status_code < 500
    reader = signed_in(auditor, term[1])
    for path in ("/", "/log/", f"/log/entries/{entry.seq}/", "/api/v1/log/entries"):
        assert reader.get(path).status_code < 500, path


def test_an_api_address_that_does_not_exist_answers_json(clerk, term):
    r = signed_in(clerk, term[1]).get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
