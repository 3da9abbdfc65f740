"""E-04 (002 §4.4, 003 §3.10): the 取扱いの範囲 a 保護管理者 (003: the 事務取扱責任者) sets for a handler can be
narrower than the task — some of the unit's files, a range of record numbers — and every path honours it:
a record outside it looks exactly like a missing one on the web, in the API, in a search, an export and at
the console, and each refusal is logged citing the profile's article."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.staff.models import RoleAssignment, Unit
from tokutei.staff.scope import set_handling_scope
from tokutei.vault.models import SpecificFile
from tokutei.vault.services import create_file, create_service_account, intake_person, search_people

from .test_intake import number

# regulation → (profile, who sets the scope, the handler role, the scope's article)
SHIPPED = {
    "002": ("sayama", "pm", "staff", "002 §4.4"),
    "003": ("inabe", "handling_mgr", "handler", "003 §3.10"),
}


@pytest.fixture(params=sorted(SHIPPED))
def world(request, activate, make_user, make_terminal, confirm_in_register):
    name, setter_role, handler_role, article = SHIPPED[request.param]
    profile = activate(name)
    task = "local_tax" if name == "sayama" else next(iter(profile.selectable_tasks()))
    unit = Unit.objects.create(key="kazei", name_ja="課税課")
    setter = make_user("kacho", setter_role, unit=unit,
                       tasks=[task] if profile.roles[setter_role].handles_data else None)
    handler = make_user("tanto", handler_role, tasks=[task], unit=unit)
    terminal, credential = make_terminal("課税課端末")
    actor = Actor(user=handler, terminal=terminal, purpose=task)

    def new_file(file_name):
        made = create_file(actor=actor, name=file_name, tasks=[task], unit=unit)
        return confirm_in_register(made, setter) if made.status == SpecificFile.Status.PENDING else made

    a, b = new_file("市民税ファイル"), new_file("固定資産税ファイル")

    def intake(file, n):
        return intake_person(actor=actor, file=file, values={"my_number": number(n), "name": f"山田 {n}郎"}).person

    people = [intake(a, 1), intake(a, 2), intake(b, 3)]
    twin = intake(b, 1)  # the same person (the same 個人番号) in the other file
    designation = RoleAssignment.objects.get(user=handler, role_key=handler_role)

    def narrow(*, files=(), records=()):
        set_handling_scope(actor=Actor(user=setter, terminal=terminal), assignment=designation,
                           files=[f.pk for f in files], records=[list(r) for r in records])

    return {"profile": profile, "task": task, "article": article, "setter": setter, "handler": handler,
            "terminal": terminal, "credential": credential, "actor": actor, "files": (a, b), "people": people,
            "twin": twin, "narrow": narrow, "unit": unit}


def _page(response, pk) -> str:
    """The page as the user reads it: the form tokens and the address asked for left out."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode()).replace(f"/people/{pk}/", "/people/N/")


def _web(w) -> Client:
    c = Client()
    c.force_login(w["handler"])
    c.cookies[settings.TERMINAL_COOKIE_NAME] = w["credential"]
    c.post("/vault/purpose/", {"purpose": w["task"]})
    return c


def test_a_person_outside_the_narrowed_files_looks_missing_on_the_web_and_the_refusal_cites_the_article(world):
    w = world
    p1, _p2, p3 = w["people"]
    w["narrow"](files=[w["files"][0]])
    c = _web(w)
    assert c.get(f"/vault/people/{p1.pk}/").status_code == 200
    outside = c.get(f"/vault/people/{p3.pk}/")
    missing = c.get("/vault/people/987654/")
    assert outside.status_code == missing.status_code == 404
    assert _page(outside, p3.pk) == _page(missing, 987654)
    refused = Entry.objects.get(action="vault.view", result=Entry.Result.REFUSED, target_id=str(p3.pk))
    assert w["article"] in refused.article
    gone = Entry.objects.get(action="vault.view", result=Entry.Result.REFUSED, target_id="987654")
    assert gone.article == refused.article  # a missing record and one out of scope cite the same


def test_a_search_never_includes_a_person_outside_the_scope(world):
    w = world
    p1, p2, p3 = w["people"]
    w["narrow"](files=[w["files"][0]], records=[(p1.pk, p1.pk)])
    found = search_people(actor=w["actor"], by="my_number", value=number(1))
    assert [p.pk for p in found] == [p1.pk]  # not its twin in the other file
    assert search_people(actor=w["actor"], by="my_number", value=number(2)) == []
    assert search_people(actor=w["actor"], by="my_number", value=number(3)) == []
    page = _web(w).post("/vault/search/", {"by": "my_number", "value": number(2)}).content.decode()
    assert f"#{p2.pk}" not in page and f"#{p3.pk}" not in page
    entry = Entry.objects.filter(action="vault.search").latest("seq")
    assert entry.details["person_ids"] == []


def test_the_lists_and_the_export_hold_only_the_records_in_scope(world):
    from tokutei.registers.services.exports import vault_rows

    w = world
    p1, p2, p3 = w["people"]
    w["narrow"](records=[(p2.pk, p3.pk)])
    rows = vault_rows(actor=w["actor"], person_ids=None)
    assert {pk for pk, _file, _values in rows.people} == {p2.pk, p3.pk}
    queue = _web(w).get("/vault/queue/").content.decode()
    assert f"#{p1.pk}" not in queue and f"#{w['twin'].pk}" not in queue


def test_the_api_answers_404_for_a_person_outside_the_scope_exactly_as_for_a_missing_one(world, make_user,
                                                                                         make_terminal):
    w = world
    p1, _p2, p3 = w["people"]
    w["narrow"](files=[w["files"][0]])
    admin = make_user("kanri", *sorted(w["profile"].admin_roles()))
    server, cred = make_terminal("連携サーバ")
    _sa, token = create_service_account(actor=Actor.console(admin), name="税務システム", user=w["handler"],
                                        terminal=server, tasks=[w["task"]])
    headers = {"Authorization": f"Bearer {token}", "X-Tokutei-Terminal": cred}
    c = Client()
    assert c.get(f"/api/v1/vault/people/{p1.pk}?purpose={w['task']}", headers=headers).status_code == 200
    outside = c.get(f"/api/v1/vault/people/{p3.pk}?purpose={w['task']}", headers=headers)
    missing = c.get(f"/api/v1/vault/people/987654?purpose={w['task']}", headers=headers)
    assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
    assert w["article"] in outside.json()["article"]
    found = c.post("/api/v1/vault/search", {"purpose": w["task"], "by": "my_number", "value": number(3)},
                   headers=headers, content_type="application/json")
    assert found.status_code == 200 and found.json() == []


def test_a_console_import_into_a_file_outside_the_scope_is_refused_and_logged(world, tmp_path):
    w = world
    _a, b = w["files"]
    w["narrow"](files=[w["files"][0]])
    path = tmp_path / "jlis.csv"
    path.write_text(f"個人番号,氏名\r\n{number(9)},佐藤 花子\r\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_jlis", str(path), user=w["handler"].username, file_id=b.pk, purpose=w["task"],
                     no_progress=True)
    entry = Entry.objects.get(action="bulk.import", result=Entry.Result.REFUSED)
    assert entry.details["channel"] == "console" and w["article"] in entry.article
    assert b.people.count() == 2  # nothing loaded: its two people are the ones taken in before


def test_a_scope_of_record_numbers_admits_no_new_records_and_says_why(world):
    w = world
    a, _b = w["files"]
    p1 = w["people"][0]
    w["narrow"](records=[(p1.pk, p1.pk)])
    with pytest.raises(Refused) as refused:
        intake_person(actor=w["actor"], file=a, values={"my_number": number(7), "name": "田中 一郎"})
    assert "取扱いの範囲" in refused.value.message and refused.value.article == w["article"]
    assert Entry.objects.filter(action="vault.intake", result=Entry.Result.REFUSED,
                                details__code="outside_handling_scope").exists()


def test_widening_the_scope_back_to_the_task_shows_every_record_again(world):
    w = world
    p3 = w["people"][2]
    w["narrow"](files=[w["files"][0]])
    assert search_people(actor=w["actor"], by="my_number", value=number(3)) == []
    w["narrow"]()
    assert [p.pk for p in search_people(actor=w["actor"], by="my_number", value=number(3))] == [p3.pk]
