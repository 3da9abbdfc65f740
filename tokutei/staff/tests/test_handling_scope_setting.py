"""E-04 (002 §4.4, 003 §3.10): who sets a handler's 取扱いの範囲, and where it is shown.

Only whom the profile names (002: 保護管理者, for the 職員 of their own unit; 003: 事務取扱責任者) sets or
changes it; the setting is logged (取扱いの範囲の指定) and shown on the designation page and in the operator
register. Where the regulation provides no such scope (000, 001, 004) nobody sets one, and the refusal cites
the regulation's general provisions. What the policy then does with it: tokutei/vault/tests/test_handling_scope.py.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.staff.models import RoleAssignment, Unit
from tokutei.staff.scope import parse_ranges, set_handling_scope

SHIPPED = {
    "002": ("sayama", "pm", "staff", "local_tax", "002 §4.4"),
    "003": ("inabe", "handling_mgr", "handler", None, "003 §3.10"),
}


@pytest.fixture(params=sorted(SHIPPED))
def world(request, activate, make_user, make_terminal):
    from tokutei.vault.keys import ensure_keys, reset_cache
    from tokutei.vault.models import SpecificFile

    name, setter_role, handler_role, task, article = SHIPPED[request.param]
    profile = activate(name)
    reset_cache()
    ensure_keys()
    task = task or next(iter(profile.selectable_tasks()))
    unit = Unit.objects.create(key="kazei", name_ja="課税課")
    other_unit = Unit.objects.create(key="hoken", name_ja="保険年金課")
    setter = make_user("kacho", setter_role, unit=unit,
                       tasks=[task] if profile.roles[setter_role].handles_data else None)
    stranger = make_user("tanin", setter_role, unit=other_unit,
                         tasks=[task] if profile.roles[setter_role].handles_data else None)
    handler = make_user("tanto", handler_role, tasks=[task], unit=unit)
    admin = make_user("kanri", *sorted(profile.admin_roles()))
    file = SpecificFile.objects.create(name="市民税ファイル", tasks=[task], unit=unit)
    elsewhere = SpecificFile.objects.create(name="他の事務のファイル", tasks=["__other__"], unit=unit)
    terminal, credential = make_terminal("課税課端末")
    return {"profile": profile, "article": article, "setter": setter, "stranger": stranger, "handler": handler,
            "admin": admin, "file": file, "elsewhere": elsewhere, "terminal": terminal, "credential": credential,
            "designation": RoleAssignment.objects.get(user=handler, role_key=handler_role)}


def _set(w, who, **kw):
    return set_handling_scope(actor=Actor(user=w[who], terminal=w["terminal"]), assignment=w["designation"], **kw)


def test_the_named_role_sets_the_scope_and_it_is_logged_with_the_article(world):
    w = world
    _set(w, "setter", files=[w["file"].pk], records=[[10, 19]], note="窓口分のみ")
    d = RoleAssignment.objects.get(pk=w["designation"].pk)
    assert (d.scope_files, d.scope_records, d.scope_set_by) == ([w["file"].pk], [[10, 19]], w["setter"])
    entry = Entry.objects.get(action="staff.scope_set", result=Entry.Result.OK)
    assert entry.article == w["article"] and entry.details["records"] == [[10, 19]]
    assert entry.details["previous"] == {"files": [], "records": []}


@pytest.mark.parametrize("who", ["handler", "admin", "stranger"])
def test_nobody_else_sets_it_and_each_refusal_is_logged(world, who):
    w = world
    with pytest.raises(Refused) as refused:
        _set(w, who, records=[[1, 5]])
    assert refused.value.article == w["article"]
    assert Entry.objects.filter(action="staff.scope_set", result=Entry.Result.REFUSED).count() == 1
    assert not RoleAssignment.objects.get(pk=w["designation"].pk).narrowed


def test_a_file_outside_the_designations_task_cannot_be_named(world):
    w = world
    with pytest.raises(Refused) as refused:
        _set(w, "setter", files=[w["elsewhere"].pk])
    assert refused.value.article == w["article"]
    assert not RoleAssignment.objects.get(pk=w["designation"].pk).narrowed


def test_the_designation_page_and_the_operator_register_show_the_scope(world):
    w = world
    _set(w, "setter", files=[w["file"].pk], records=[[10, 19]])
    c = Client()
    c.force_login(w["setter"])
    c.cookies[settings.TERMINAL_COOKIE_NAME] = w["credential"]
    page = c.get(f"/staff/designations/{w['designation'].pk}/").content.decode()
    assert "ファイル: 市民税ファイル／記録番号: #10〜#19" in page and "取扱いの範囲を指定する" in page
    register = c.get("/staff/register/").content.decode()
    assert "取扱いの範囲" in register and "ファイル: 市民税ファイル／記録番号: #10〜#19" in register
    changed = c.post(f"/staff/designations/{w['designation'].pk}/", {"file_ids": [str(w["file"].pk)],
                                                                     "records": "20-29, 40"})
    assert changed.status_code == 302
    d = RoleAssignment.objects.get(pk=w["designation"].pk)
    assert (d.scope_files, d.scope_records) == ([w["file"].pk], [[20, 29], [40, 40]])


def test_the_administrator_sees_the_scope_but_has_no_form_to_change_it(world):
    w = world
    c = Client()
    c.force_login(w["admin"])
    c.cookies[settings.TERMINAL_COOKIE_NAME] = w["credential"]
    page = c.get(f"/staff/designations/{w['designation'].pk}/").content.decode()
    assert "事務の範囲のすべて" in page and "取扱いの範囲を指定する" not in page


@pytest.mark.parametrize("name", ["sendai-kyosai", "kokubunji", "hyogo-kyosai"])
def test_where_the_regulation_provides_no_such_scope_nobody_sets_one(activate, make_user, name):
    profile = activate(name)
    handler_role = sorted(profile.handler_roles())[0]
    task = next(iter(profile.selectable_tasks()))
    handler = make_user("tanto", handler_role, tasks=[task])
    for role in sorted(profile.admin_roles() | profile.manager_roles()):
        boss = make_user(f"boss_{role}", role)
        with pytest.raises(Refused) as refused:
            set_handling_scope(actor=Actor.console(boss), assignment=RoleAssignment.objects.get(user=handler),
                               records=[[1, 5]])
        assert refused.value.article == profile.organisation.article
    assert profile.handling_scope is None
    assert not RoleAssignment.objects.get(user=handler).narrowed


def test_record_ranges_are_read_as_people_write_them():
    assert parse_ranges("＃100〜＃199、250") == [[100, 199], [250, 250]]
    assert parse_ranges("") == []
    with pytest.raises(ValueError, match="小さい番号から"):
        parse_ranges("20-10")
