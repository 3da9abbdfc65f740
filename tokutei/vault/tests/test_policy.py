"""Access policy: deny by default (E-01, E-02, E-04, E-16), only the task's fields (E-03), all logged."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.policy import Actor, decide, restrict
from tokutei.vault.models import Person
from tokutei.vault.services import MASK, get_person, intake_person, search_people, view_person

from .test_intake import number


@pytest.fixture
def person(clerk2, terminal, make_user):
    from tokutei.vault.services import create_file

    file = create_file(actor=Actor(user=clerk2, terminal=terminal), name="共用ファイル", tasks=["payroll", "insurance"])
    return intake_person(actor=Actor(user=clerk2, terminal=terminal, purpose="insurance"), file=file,
                         values={"my_number": number(42), "name": "佐藤 花子", "sex": "女",
                                 "birth_date": "昭和50年1月2日"}).person


def test_a_clerk_sees_only_the_fields_of_the_chosen_task(clerk, clerk2, terminal, person):
    shown = view_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=person)
    assert {f.key for f in shown.fields} == {"my_number", "name", "birth_date"}  # payroll: no sex
    shown = view_person(actor=Actor(user=clerk2, terminal=terminal, purpose="insurance"), person=person)
    assert {f.key for f in shown.fields} == {"my_number", "name", "birth_date", "sex"}


def test_the_number_is_masked_until_revealed_and_each_reveal_is_logged(clerk, terminal, person):
    shown = view_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=person)
    assert dict((f.key, f.value) for f in shown.fields)["my_number"] == MASK
    revealed = view_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=person, reveal=True)
    assert dict((f.key, f.value) for f in revealed.fields)["my_number"] == number(42)
    entry = Entry.objects.filter(action="vault.reveal").get()
    assert (entry.actor_id, entry.terminal_id, entry.purpose, entry.target_id) == (
        clerk.pk, terminal.pk, "payroll", str(person.pk))


@pytest.mark.parametrize(("purpose", "code"), [("", "no_purpose"), ("insurance", "out_of_scope"),
                                               ("nonexistent", "unknown_purpose")])
def test_it_refuses_without_a_permitted_purpose_and_logs_it(clerk, terminal, person, purpose, code):
    with pytest.raises(Refused):
        view_person(actor=Actor(user=clerk, terminal=terminal, purpose=purpose), person=person)
    entry = Entry.objects.filter(action="vault.view", result="refused").get()
    assert entry.details["code"] == code and entry.actor_id == clerk.pk
    assert not restrict(Person.objects.all(), Actor(user=clerk, terminal=terminal, purpose=purpose), Action.VAULT_SEARCH).exists()


def test_it_refuses_an_unregistered_or_revoked_terminal(clerk, terminal, person):
    with pytest.raises(Refused, match="登録された端末"):
        view_person(actor=Actor(user=clerk, terminal=None, purpose="payroll"), person=person)
    terminal.revoked_at = timezone.now()
    terminal.save()
    with pytest.raises(Refused, match="登録された端末"):
        search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(42))
    assert Entry.objects.filter(result="refused", details__code="terminal").count() == 2


def test_someone_who_is_not_a_handler_gets_nothing(make_user, terminal, person, t99):
    auditor = make_user("auditor", "auditor", tasks=["payroll"])
    assert not decide(Actor(user=auditor, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)
    assert not restrict(Person.objects.all(), Actor(user=auditor, terminal=terminal, purpose="payroll"), Action.VAULT_SEARCH).exists()
    with pytest.raises(Refused, match="事務取扱担当者"):
        search_people(actor=Actor(user=auditor, terminal=terminal, purpose="payroll"), by="my_number", value=number(42))


def test_an_expired_designation_gets_nothing(make_user, terminal, person, t99):
    import datetime as dt

    old = make_user("old", "clerk", tasks=["payroll"], end=timezone.localdate() - dt.timedelta(days=1))
    assert decide(Actor(user=old, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person).code == "not_handler"


def test_missing_and_forbidden_records_look_the_same(clerk, terminal, person, payroll_file):
    from tokutei.vault.services import create_file

    other = create_file(actor=Actor(user=clerk, terminal=terminal), name="別", tasks=["payroll"])
    with pytest.raises(NotFoundOrForbidden) as missing:
        get_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), pk=999999)
    person.file.tasks = ["insurance"]
    person.file.save()
    with pytest.raises(NotFoundOrForbidden) as forbidden:
        get_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), pk=person.pk)
    assert str(missing.value) == str(forbidden.value)
    assert other.pk


def test_search_finds_by_number_resident_code_and_kana_with_birth_date(clerk2, terminal, person):
    by_number = search_people(actor=Actor(user=clerk2, terminal=terminal, purpose="insurance"), by="my_number",
                              value="  " + number(42)[:4] + "-" + number(42)[4:])
    assert [p.pk for p in by_number] == [person.pk]
    entry = Entry.objects.filter(action="vault.search").last()
    assert entry is not None
    assert number(42) not in str(entry.details) and entry.count == 1


def test_unit_scoped_roles_reach_only_their_units_files(make_user, terminal, t98):
    from tokutei.staff.models import Unit
    from tokutei.vault.services import create_file

    nenkin, somu = Unit.objects.create(key="nenkin", name_ja="年金課"), Unit.objects.create(key="somu", name_ja="総務課")
    boss = make_user("boss", "handler", tasks=["pension"])
    mine = create_file(actor=Actor(user=boss, terminal=terminal), name="年金課", tasks=["pension"], unit=nenkin)
    theirs = create_file(actor=Actor(user=boss, terminal=terminal), name="総務課", tasks=["pension"], unit=somu)
    local = make_user("local", "unit_handler", tasks=["pension"], unit=nenkin)
    assert decide(Actor(user=local, terminal=terminal, purpose="pension"), Action.VAULT_VIEW, mine)
    assert not decide(Actor(user=local, terminal=terminal, purpose="pension"), Action.VAULT_VIEW, theirs)
