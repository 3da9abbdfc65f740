"""The JSON API applies the same policy: token bound to a terminal and tasks, sessions with CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.policy import Actor
from tokutei.vault.models import Person
from tokutei.vault.services import create_service_account

from .test_intake import full_width, number


@pytest.fixture
def account(clerk, make_terminal, make_user, payroll_file):
    terminal, credential = make_terminal("連携サーバ")
    admin = make_user("sysadmin", "sysadmin")
    sa, token = create_service_account(actor=Actor.console(admin), name="給与システム", user=clerk, terminal=terminal,
                                       tasks=["payroll"])
    return sa, token, credential


def api(client, method, path, token=None, credential=None, **kwargs):
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if credential:
        headers["X-Tokutei-Terminal"] = credential
    return getattr(client, method)(f"/api/v1/vault{path}", headers=headers, content_type="application/json",
                                   **kwargs)


def test_a_token_can_intake_search_and_view_with_masking(account, payroll_file):
    _sa, token, cred = account
    c = Client()
    r = api(c, "post", f"/files/{payroll_file.pk}/people", token, cred,
            data={"purpose": "payroll", "values": {"my_number": full_width(number(77)), "name": "山田 太郎"}})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api(c, "post", "/search", token, cred, data={"purpose": "payroll", "by": "my_number", "value": number(77)})
    assert [p["id"] for p in r.json()] == [pk]
    r = api(c, "get", f"/people/{pk}?purpose=payroll", token, cred)
    fields = {f["key"]: f for f in r.json()["fields"]}
    assert fields["my_number"]["masked"] and number(77) not in r.content.decode()
    r = api(c, "get", f"/people/{pk}?purpose=payroll&reveal=true", token, cred)
    assert number(77) in r.content.decode()


def test_a_wrong_check_digit_is_refused_with_the_japanese_message(account, payroll_file):
    _sa, token, cred = account
    bad = number(5)[:11] + str((int(number(5)[11]) + 1) % 10)
    r = api(Client(), "post", f"/files/{payroll_file.pk}/people", token, cred,
            data={"purpose": "payroll", "values": {"my_number": bad, "name": "山田 太郎"}})
    assert r.status_code == 403
    assert "個人番号のチェックデジットが正しくありません" in r.json()["detail"]
    assert bad not in r.content.decode()
    assert Person.objects.count() == 0


def test_a_token_from_another_terminal_is_refused_and_logged(account, make_terminal, payroll_file):
    _sa, token, _cred = account
    _other, other_cred = make_terminal("別の端末")
    r = api(Client(), "post", "/search", token, other_cred, data={"purpose": "payroll", "by": "my_number",
                                                                  "value": number(1)})
    assert r.status_code == 403
    assert Entry.objects.filter(action="staff.access", result="refused", details__code="token_terminal").exists()
    r = api(Client(), "post", "/search", token, None, data={"purpose": "payroll", "by": "my_number",
                                                            "value": number(1)})
    assert r.status_code == 403


def test_a_token_outside_its_tasks_or_without_purpose_gets_nothing(account, clerk, payroll_file):
    _sa, token, cred = account
    for purpose in ("insurance", ""):
        r = api(Client(), "post", "/search", token, cred, data={"purpose": purpose, "by": "my_number",
                                                                 "value": number(1)})
        assert r.status_code == 403
    assert Entry.objects.filter(action="vault.search", result="refused").count() == 2


def test_missing_and_forbidden_people_both_answer_404(account, clerk2, terminal, payroll_file):
    from tokutei.vault.services import create_file, intake_person

    _sa, token, cred = account
    other = create_file(actor=Actor(user=clerk2, terminal=terminal), name="保険", tasks=["insurance"])
    hidden = intake_person(actor=Actor(user=clerk2, terminal=terminal, purpose="insurance"), file=other,
                           values={"my_number": number(88), "name": "佐藤 花子"}).person
    a = api(Client(), "get", f"/people/{hidden.pk}?purpose=payroll", token, cred)
    b = api(Client(), "get", "/people/987654?purpose=payroll", token, cred)
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()


def test_no_credentials_means_401(payroll_file):
    assert api(Client(), "post", "/search", data={"purpose": "payroll", "by": "my_number"}).status_code == 401


def test_a_session_needs_the_csrf_token(clerk, terminal, make_terminal, payroll_file):
    _t, cred = make_terminal("窓口端末2")
    c = Client(enforce_csrf_checks=True)
    c.force_login(clerk)
    r = api(c, "post", "/search", None, cred, data={"purpose": "payroll", "by": "my_number", "value": number(1)})
    assert r.status_code == 403
    c.get("/api/v1/vault/files?purpose=payroll", headers={"X-Tokutei-Terminal": cred})
    csrf = c.cookies.get("csrftoken")
    if csrf is None:
        from django.middleware.csrf import _get_new_csrf_string

        csrf_value = _get_new_csrf_string()
        c.cookies["csrftoken"] = csrf_value
    else:
        csrf_value = csrf.value
    r = c.post("/api/v1/vault/search", data={"purpose": "payroll", "by": "my_number", "value": number(1)},
               content_type="application/json", headers={"X-Tokutei-Terminal": cred, "X-CSRFToken": csrf_value})
    assert r.status_code == 200, r.content
    assert r.json() == []


def test_the_openapi_schema_lists_the_vault_endpoints(client, t99):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/vault/search" in paths and "/api/v1/vault/people/{person_id}" in paths


def test_bad_input_answers_400_with_field_messages(account, payroll_file):
    _sa, token, cred = account
    r = api(Client(), "post", f"/files/{payroll_file.pk}/people", token, cred,
            data={"purpose": "payroll", "values": {"my_number": "12", "name": ""}})
    assert r.status_code == 400
    body = r.json()
    assert "12桁" in body["errors"]["my_number"] and body["errors"]["name"] == "必須項目です"


def test_a_number_sent_as_a_json_number_is_rejected_without_echo(account, payroll_file):
    _sa, token, cred = account
    r = api(Client(), "post", "/search", token, cred,
            data={"purpose": "payroll", "by": "my_number", "value": 123456789018})
    assert r.status_code == 422  # leading zeros would be lost: 個人番号 travel as strings
    assert "123456789018" not in r.content.decode()


def test_one_lookup_call_finds_and_opens_the_person_logged_as_a_search_and_a_view(account, payroll_file):
    """``/lookup`` is ``/search`` then ``/people/{id}`` in one request: the same answer, the same entries."""
    _sa, token, cred = account
    c = Client()
    r = api(c, "post", f"/files/{payroll_file.pk}/people", token, cred,
            data={"purpose": "payroll", "values": {"my_number": number(78), "name": "山田 花子"}})
    pk = r.json()["id"]
    before = Entry.objects.count()
    r = api(c, "post", "/lookup", token, cred, data={"purpose": "payroll", "by": "my_number", "value": number(78)})
    assert r.status_code == 200, r.content
    [found] = r.json()
    fields = {f["key"]: f for f in found["fields"]}
    assert found["id"] == pk and fields["name"]["value"] == "山田 花子"
    assert fields["my_number"]["masked"] and number(78) not in r.content.decode()
    logged = list(Entry.objects.filter(pk__gt=Entry.objects.order_by("pk")[before - 1].pk).order_by("pk")
                  .values_list("action", "target_id"))
    assert logged == [("vault.search", str(pk)), ("vault.view", str(pk))]

    r = api(c, "post", "/lookup", token, cred,
            data={"purpose": "payroll", "by": "my_number", "value": number(78), "reveal": True})
    assert number(78) in r.content.decode()
    assert Entry.objects.order_by("-pk").values_list("action", flat=True).first() == "vault.reveal"


def test_a_lookup_that_finds_nobody_is_an_empty_list_and_one_search_entry(account, payroll_file):
    _sa, token, cred = account
    before = Entry.objects.count()
    r = api(Client(), "post", "/lookup", token, cred, data={"purpose": "payroll", "by": "my_number",
                                                           "value": number(79), "reveal": True})
    assert r.status_code == 200 and r.json() == []
    assert list(Entry.objects.order_by("pk").values_list("action", flat=True)[before:]) == ["vault.search"]


def test_a_lookup_outside_the_tokens_tasks_opens_nobody(account, payroll_file):
    _sa, token, cred = account
    r = api(Client(), "post", "/lookup", token, cred, data={"purpose": "welfare", "by": "my_number",
                                                           "value": number(78), "reveal": True})
    assert r.status_code in (403, 404) and number(78) not in r.content.decode()
    assert Entry.objects.order_by("-pk").values_list("result", flat=True).first() == "refused"
