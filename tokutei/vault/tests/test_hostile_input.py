"""Hostile or careless input is refused at the edge with a clear Japanese message, logged, and nothing is
stored (issue 19: lone surrogates, NUL, 300,000-character names, controls, bidi overrides, absurd dates,
invalid UTF-8 from web forms were stored as given or crashed)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.vault.models import Person

from .test_api import (
    account,  # noqa: F401 — the fixture
    api,
)
from .test_intake import number
from .test_web import signed_in

HOSTILE_NAMES = {
    "a lone surrogate": "山田\ud800太郎",
    "NUL": "山田\x00太郎",
    "300,000 characters": "山" * 300_000,
    "a C0 control": "山田\x1b[31m太郎",
    "an RTL override": "山田\u202e郎太",
    "a bidi isolate": "\u2067山田\u2069",
    "a BOM": "\ufeff山田",
    "a line break": "山田\n太郎",
    "what invalid UTF-8 decodes to": "山田\ufffd太郎",
}


def raw_json(payload: dict) -> bytes:
    # json.dumps keeps a lone surrogate as the escape \ud800, as a hostile client would send it
    return json.dumps(payload).encode()


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_the_api_refuses_a_hostile_name_logs_it_and_stores_nothing(account, payroll_file, name):  # noqa: F811
    _sa, token, cred = account
    before = Entry.objects.filter(result="refused").count()
    r = Client(raise_request_exception=False).post(
        f"/api/v1/vault/files/{payroll_file.pk}/people",
        raw_json({"purpose": "payroll", "values": {"my_number": number(3), "name": name}}),
        content_type="application/json", headers={"Authorization": f"Bearer {token}", "X-Tokutei-Terminal": cred})
    assert r.status_code in (400, 422), r.content[:300]
    body = r.json()
    assert body["code"] == "invalid" and body["errors"], body
    assert all(m != "入力内容に誤りがあります" for m in body["errors"].values()), body  # says what is wrong
    assert Person.objects.count() == 0
    assert Entry.objects.filter(result="refused").count() == before + 1


@pytest.mark.parametrize("birth", ["0001-01-01", "9999-12-31", "1180-04-01", "2999-01-01"])
def test_a_birth_date_outside_a_lifetime_is_refused(account, payroll_file, birth):  # noqa: F811
    _sa, token, cred = account
    r = api(Client(), "post", f"/files/{payroll_file.pk}/people", token, cred,
            data={"purpose": "payroll", "values": {"my_number": number(4), "name": "山田 太郎",
                                                   "birth_date": birth}})
    assert r.status_code == 400, r.content
    assert "1868年1月25日から" in r.json()["errors"]["birth_date"]
    assert Person.objects.count() == 0


def test_a_nul_in_a_json_field_is_refused(account, payroll_file):  # noqa: F811
    _sa, token, cred = account
    r = api(Client(raise_request_exception=False), "post", f"/files/{payroll_file.pk}/people", token, cred,
            data={"purpose": "payroll", "values": {"my_number": number(5), "name": "山田 太郎"},
                  "evidence": {"note": "a\x00b"}})
    assert r.status_code == 422
    assert Person.objects.count() == 0


def test_the_intake_form_refuses_invalid_utf8_and_controls(clerk, make_terminal, payroll_file):
    _t, cred = make_terminal("窓口端末U")
    c = signed_in(clerk, cred)
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/"})
    before = Entry.objects.filter(result="refused").count()
    # bytes that are not UTF-8 (Shift_JIS 山田), as a misconfigured browser would post them
    body = b"f_my_number=" + number(6).encode() + b"&f_name=%8eR%93c"
    r = c.generic("POST", f"/vault/files/{payroll_file.pk}/intake/", body,
                  content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and "使用できない文字" in r.content.decode()
    r = c.post(f"/vault/files/{payroll_file.pk}/intake/", {"f_my_number": number(6), "f_name": "山田\u202e太郎"})
    assert r.status_code == 200 and "使用できない文字" in r.content.decode()
    assert Person.objects.count() == 0
    assert Entry.objects.filter(result="refused").count() >= before + 2
