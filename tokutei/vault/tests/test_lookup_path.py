"""The lookup path (search, then open the person) does its reads once per request, and every rule still
holds: a designation ended or a file closed during a request applies at once, unit scope and the file's
purposes limit what a search finds."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokutei.auditlog.actions import Action
from tokutei.core.memo import request_scope
from tokutei.policy import Actor, decide
from tokutei.staff import services as staff_services
from tokutei.staff.models import RoleAssignment
from tokutei.vault.models import SpecificFile
from tokutei.vault.services import intake_person, search_people, view_person

from .test_intake import number
from .test_web import signed_in


def _count(queries, table: str) -> int:
    return sum(bool(re.search(rf'FROM "?{table}"?', q["sql"])) for q in queries)


def _person(actor, terminal, file, seed: int):
    return intake_person(actor=Actor(user=actor, terminal=terminal, purpose="payroll"), file=file,
                         values={"my_number": number(seed), "name": "山田 太郎", "birth_date": "1960-01-01"}).person


def test_a_person_page_reads_roles_terminal_and_profile_once(clerk, make_terminal, payroll_file):
    terminal, credential = make_terminal("窓口端末Q")
    person = _person(clerk, terminal, payroll_file, 51)
    c = signed_in(clerk, credential)
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/vault/search/"})
    c.get(f"/vault/people/{person.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        page = c.get(f"/vault/people/{person.pk}/")  # get_person and view_person: two policy decisions
    assert page.status_code == 200
    queries = ctx.captured_queries
    assert _count(queries, "staff_roleassignment") == 1
    assert _count(queries, "staff_terminal") == 1
    assert _count(queries, "profiles_activeprofile") == 1
    assert not any("source_yaml" in q["sql"] for q in queries)  # the digest is checked, not the YAML read


def test_search_then_view_in_one_request_reads_the_roles_once(clerk, terminal, payroll_file):
    person = _person(clerk, terminal, payroll_file, 52)
    with request_scope(), CaptureQueriesContext(connection) as ctx:
        found = search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(52))
        shown = view_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=found[0], reveal=True)
    assert [p.pk for p in found] == [person.pk] and shown.person.pk == person.pk
    assert _count(ctx.captured_queries, "staff_roleassignment") == 1
    assert _count(ctx.captured_queries, "vault_specificfile") == 1  # the person's file comes with the search


def test_a_designation_ended_during_a_request_applies_to_the_rest_of_it(clerk, terminal, payroll_file, make_user):
    person = _person(clerk, terminal, payroll_file, 53)
    admin = make_user("admin", "sysadmin")
    with request_scope():
        assert decide(Actor(user=clerk, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)
        staff_services.end_designation(actor=Actor(user=admin), assignment=RoleAssignment.objects.get(user=clerk),
                                       reason="異動")
        assert not decide(Actor(user=clerk, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)


def test_a_user_deactivated_during_a_request_loses_every_role_at_once(clerk, terminal, payroll_file, make_user):
    person = _person(clerk, terminal, payroll_file, 54)
    admin = make_user("admin", "sysadmin")
    with request_scope():
        assert decide(Actor(user=clerk, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)
        # Revoked with a bulk UPDATE (no post_save): the request's memo must forget the roles anyway.
        staff_services._revoke_all(clerk, actor=admin, reason="退職", now=person.entered_at)
        assert not decide(Actor(user=clerk, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)


def test_a_designation_rolled_back_during_a_request_is_not_remembered(make_user, terminal, payroll_file, clerk):
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    person = _person(clerk, terminal, payroll_file, 59)
    newcomer = make_user("newcomer")
    with request_scope():
        assert not decide(Actor(user=newcomer, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)
        try:
            with transaction.atomic():
                RoleAssignment.objects.create(user=newcomer, role_key="clerk", tasks=["payroll"],
                                              start_date=timezone.localdate() - dt.timedelta(days=1))
                # Seen inside the transaction that made it...
                assert decide(Actor(user=newcomer, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)
                raise RuntimeError("the designation fails later")
        except RuntimeError:
            pass
        # ...and gone with it: the request does not keep what the rolled-back transaction read.
        assert not decide(Actor(user=newcomer, terminal=terminal, purpose="payroll"), Action.VAULT_VIEW, person)


def test_a_closed_file_is_not_searched(clerk, terminal, payroll_file):
    _person(clerk, terminal, payroll_file, 55)
    SpecificFile.objects.filter(pk=payroll_file.pk).update(status=SpecificFile.Status.DELETED)
    assert search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(55)) == []


def test_a_file_that_does_not_serve_the_purpose_is_not_searched(clerk2, terminal, payroll_file, clerk):
    _person(clerk, terminal, payroll_file, 56)  # the payroll file does not serve "insurance"
    assert search_people(actor=Actor(user=clerk2, terminal=terminal, purpose="insurance"), by="my_number",
                         value=number(56)) == []
    assert len(search_people(actor=Actor(user=clerk2, terminal=terminal, purpose="payroll"), by="my_number",
                             value=number(56))) == 1


def test_a_unit_scoped_search_finds_only_its_units_people(make_user, terminal, t98):
    from tokutei.staff.models import Unit
    from tokutei.vault.services import create_file

    from .conftest import CARD

    nenkin, somu = Unit.objects.create(key="nenkin", name_ja="年金課"), Unit.objects.create(key="somu", name_ja="総務課")
    boss = make_user("boss", "handler", tasks=["pension"])
    local = make_user("local", "unit_handler", tasks=["pension"], unit=nenkin)
    for unit, seed in ((nenkin, 57), (somu, 58)):
        file = create_file(actor=Actor(user=boss, terminal=terminal), name=unit.name_ja, tasks=["pension"], unit=unit,
                           retention_rule="system_data")
        intake_person(actor=Actor(user=boss, terminal=terminal, purpose="pension"), file=file, evidence=CARD,
                      channel="from_person", values={"my_number": number(seed), "name": "年金 次郎"})
    mine = search_people(actor=Actor(user=local, terminal=terminal, purpose="pension"), by="my_number", value=number(57))
    assert [p.file.unit_id for p in mine] == [nenkin.pk]
    assert search_people(actor=Actor(user=local, terminal=terminal, purpose="pension"), by="my_number", value=number(58)) == []
    assert len(search_people(actor=Actor(user=boss, terminal=terminal, purpose="pension"), by="my_number", value=number(58))) == 1
