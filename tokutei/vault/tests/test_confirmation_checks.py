"""E-24 (004 §14(3)②): the second person's confirmation records which checks were made (目視, 読合せ, 再入力), the
profile says which are required, and a record awaiting confirmation is marked 確認待ち wherever it appears — its
page, the correction page, the search, the API. Only 004 has the rule among the shipped profiles; a profile
without it confirms a record at intake."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.vault.models import Person
from tokutei.vault.services import confirm_person, create_file, intake_person, set_installation_site

from .test_hyogo import _intake
from .test_intake import number

DOCUMENTS = {"route": "documents", "documents": ["my_number_card"]}


@pytest.fixture
def nenkin(make_user, activate):
    """Two handlers of 004's pension task (the one who enters and the one who checks)."""
    activate("hyogo-kyosai")
    return (make_user("nenkin1", "handler", tasks=["p1_ha", "p2_i"]),
            make_user("nenkin2", "handler", tasks=["p1_ha", "p2_i"]))


@pytest.fixture
def pension(nenkin, terminal, confirm_in_register):
    set_installation_site(site="data_centre")
    file = create_file(actor=Actor(user=nenkin[0], terminal=terminal), name="個人番号管理システム", tasks=["p1_ha", "p2_i"],
                       retention_rule="number_system_data")
    return confirm_in_register(file, nenkin[0])


@pytest.fixture
def at_the_terminal(make_terminal):
    """A signed-in browser at a registered terminal, with 004's pension task chosen."""
    terminal, credential = make_terminal("年金課端末")

    def _client(user) -> Client:
        c = Client()
        c.force_login(user)
        c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
        c.post("/vault/purpose/", {"purpose": "p1_ha", "next": "/vault/"})
        return c
    return terminal, _client


def test_004_the_checks_made_are_kept_with_the_record_and_shown_on_its_page_and_in_the_api(nenkin, pension,
                                                                                          at_the_terminal):
    terminal, browser = at_the_terminal
    person = _intake(nenkin[0], terminal, pension, number(11), DOCUMENTS).person
    confirm_person(actor=Actor(user=nenkin[1], terminal=terminal, purpose="p1_ha"), person=person,
                   checks=["visual", "read_back"], matched=True)
    person.refresh_from_db()
    assert person.checks_made == ["visual", "read_back"] and person.confirmed_by == nenkin[1]
    c = browser(nenkin[0])
    page = c.get(f"/vault/people/{person.pk}/").content.decode()
    assert "目視チェック・読合せチェック" in page and nenkin[1].display_name in page
    body = c.get(f"/api/v1/vault/people/{person.pk}?purpose=p1_ha").json()
    assert body["awaiting_confirmation"] is False and body["confirmation_checks"] == ["visual", "read_back"]


def test_004_a_record_awaiting_confirmation_is_marked_on_its_page_the_correction_the_search_and_the_api(
        nenkin, pension, at_the_terminal):
    terminal, browser = at_the_terminal
    person = _intake(nenkin[0], terminal, pension, number(12), DOCUMENTS).person
    c = browser(nenkin[1])
    assert "確認待ち" in c.get(f"/vault/people/{person.pk}/").content.decode()
    assert "確認待ち" in c.get(f"/vault/people/{person.pk}/correct/").content.decode()
    found = c.post("/vault/search/", {"by": "my_number", "value": number(12)}).content.decode()
    assert "確認待ち" in found
    body = c.get(f"/api/v1/vault/people/{person.pk}?purpose=p1_ha").json()
    assert body["awaiting_confirmation"] is True and body["confirmation_checks"] == []


def test_004_a_confirmation_without_a_required_check_is_refused_citing_the_profile_and_logged(nenkin, pension,
                                                                                             terminal):
    person = _intake(nenkin[0], terminal, pension, number(13), DOCUMENTS).person
    checker = Actor(user=nenkin[1], terminal=terminal, purpose="p1_ha")
    with pytest.raises(Refused) as info:
        confirm_person(actor=checker, person=person, checks=["visual", "re_entry"], my_number=number(13),
                       matched=True)
    assert info.value.article == "004 §14(3)②" and "読合せチェック" in info.value.message
    entry = Entry.objects.get(action="vault.confirm", result=Entry.Result.REFUSED)
    assert entry.details["missing"] == ["read_back"]
    person.refresh_from_db()
    assert person.awaiting_confirmation and person.checks_made == []


def test_004_re_entry_must_match_and_the_number_typed_is_never_shown_or_logged(nenkin, pension, at_the_terminal):
    terminal, browser = at_the_terminal
    person = _intake(nenkin[0], terminal, pension, number(14), DOCUMENTS).person
    c = browser(nenkin[1])
    wrong = number(15)
    page = c.post(f"/vault/people/{person.pk}/confirm/",
                  {"checks": ["visual", "read_back", "re_entry"], "my_number": wrong, "matched": "on"}).content.decode()
    assert "一致しません" in page and wrong not in page and number(14) not in page
    refused = Entry.objects.get(action="vault.confirm", result=Entry.Result.REFUSED)
    assert refused.details["code"] == "mismatch" and wrong not in str(refused.details)
    person.refresh_from_db()
    assert person.awaiting_confirmation
    c.post(f"/vault/people/{person.pk}/confirm/",
           {"checks": ["visual", "read_back", "re_entry"], "my_number": number(14), "matched": "on"})
    person.refresh_from_db()
    assert not person.awaiting_confirmation and person.checks_made == ["visual", "read_back", "re_entry"]
    assert "目視チェック・読合せチェック・再入力" in c.get(f"/vault/people/{person.pk}/").content.decode()


def test_a_profile_without_the_rule_confirms_at_intake_and_nothing_is_marked(clerk, terminal, payroll_file):
    person = intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=payroll_file,
                           values={"my_number": number(16), "name": "山田 花子"}).person
    assert person.status == Person.Status.CONFIRMED and not person.awaiting_confirmation


def test_004_an_approvals_scope_naming_the_file_shows_its_records_awaiting_confirmation(nenkin, pension, terminal):
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.approvals.selectors import particulars_display

    scope = ApprovalRequest(particulars={"file_id": pension.pk})
    assert dict(particulars_display(scope))["特定個人情報ファイル"] == pension.name
    _intake(nenkin[0], terminal, pension, number(17), DOCUMENTS)
    assert dict(particulars_display(scope))["特定個人情報ファイル"] == f"{pension.name}（確認待ち 1 件）"
