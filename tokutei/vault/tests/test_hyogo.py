"""Intake rules on the shipped profile of 兵庫県市町村職員共済組合 (004 §8, §14(3), §14(4), §14(6))."""

from __future__ import annotations

import pytest

from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.vault.models import Person
from tokutei.vault.services import confirm_person, create_file, intake_person, set_installation_site

from .test_intake import full_width, number, wrong


@pytest.fixture
def hyogo(activate):
    return activate("hyogo-kyosai")


@pytest.fixture
def nenkin(make_user, hyogo):
    return (make_user("nenkin1", "handler", tasks=["p1_ha", "p2_i"]),
            make_user("nenkin2", "handler", tasks=["p1_ha", "p2_i"]))


@pytest.fixture
def pension(nenkin, terminal, confirm_in_register):
    set_installation_site(site="data_centre")
    file = create_file(actor=Actor(user=nenkin[0], terminal=terminal), name="個人番号管理システム", tasks=["p1_ha", "p2_i"],
                       retention_rule="number_system_data")
    return confirm_in_register(file, nenkin[0])


def _intake(actor, terminal, file, mn, evidence, channel="person"):
    return intake_person(actor=Actor(user=actor, terminal=terminal, purpose="p1_ha"), file=file, channel=channel,
                         evidence=evidence, values={"my_number": mn, "name": "山田 太郎",
                                                    "birth_date": "昭和30年4月1日"})


def test_004_refuses_writes_until_the_data_centre_is_declared(nenkin, terminal, confirm_in_register):
    file = confirm_in_register(create_file(actor=Actor(user=nenkin[0], terminal=terminal), name="F", tasks=["p1_ha"]),
                               nenkin[0])
    set_installation_site(site="own_server")
    with pytest.raises(Refused) as info:
        _intake(nenkin[0], terminal, file, number(1), {"route": "documents", "documents": ["my_number_card"]})
    assert "004 §14(4)" in info.value.article


def test_004_check_digit_is_refused_citing_the_input_stage(nenkin, terminal, pension):
    with pytest.raises(Refused) as info:
        _intake(nenkin[0], terminal, pension, full_width(wrong(2)),
                {"route": "documents", "documents": ["my_number_card"]})
    assert "チェックデジット" in info.value.message and "§14(3)" in info.value.article


@pytest.mark.parametrize(("evidence", "channel", "ok"), [
    ({"route": "documents", "documents": ["my_number_card"], "presentation": "original"}, "person", True),
    ({"route": "documents", "documents": ["notification_card"], "presentation": "original"}, "person", False),
    ({"route": "documents", "documents": ["resident_record_copy", "identity_document"],
      "presentation": "copy_by_post"}, "person", True),
    ({"route": "documents", "documents": ["my_number_card"], "presentation": "original"}, "agent", False),
    ({"route": "preprinted", "documents": ["notification_card"], "preprinted_match": True}, "person", True),
    ({"route": "preprinted", "documents": ["identity_document"], "preprinted_match": True}, "person", False),
    ({"route": "jlis"}, "jlis_individual", True),
    ({"route": "jlis"}, "person", False),
    ({"route": "agent", "agent_documents": ["authority_document", "agent_identity",
                                           "principal_number_document"]}, "agent", True),
    ({"route": "agent", "agent_documents": ["authority_document", "agent_identity"]}, "agent", False),
])
def test_004_article_8_routes(nenkin, terminal, pension, evidence, channel, ok):
    if ok:
        assert _intake(nenkin[0], terminal, pension, number(3), evidence, channel).person.pk
    else:
        with pytest.raises(Refused) as info:
            _intake(nenkin[0], terminal, pension, number(3), evidence, channel)
        assert info.value.article.startswith("004 §8")


def test_004_manual_entry_waits_for_a_different_handler(nenkin, terminal, pension):
    person = _intake(nenkin[0], terminal, pension, number(4),
                     {"route": "documents", "documents": ["my_number_card"]}).person
    assert person.status == Person.Status.UNCONFIRMED
    with pytest.raises(Refused) as info:
        confirm_person(actor=Actor(user=nenkin[0], terminal=terminal, purpose="p1_ha"), person=person, method="read_back",
                       matched=True)
    assert info.value.article == "004 §14(3)②"
    assert confirm_person(actor=Actor(user=nenkin[1], terminal=terminal, purpose="p1_ha"), person=person,
                          checks=["visual", "read_back"], matched=True).status == Person.Status.CONFIRMED


def test_004_the_confirmation_records_both_the_visual_and_the_read_back_check(nenkin, terminal, pension):
    """E-24 (004 §14(3)②): 目視チェック及び読合せチェック — the profile requires both; the checks made are recorded
    (log entry, 別紙1 row); a record awaiting them is marked on its page and in the API."""
    from tokutei.auditlog.models import Entry
    from tokutei.ledgers.models import HandlingRecord

    person = _intake(nenkin[0], terminal, pension, number(5),
                     {"route": "documents", "documents": ["my_number_card"]}).person
    checker = Actor(user=nenkin[1], terminal=terminal, purpose="p1_ha")
    with pytest.raises(Refused) as info:
        confirm_person(actor=checker, person=person, method="read_back", matched=True)
    assert "目視チェック" in info.value.message and info.value.article == "004 §14(3)②"
    refused = Entry.objects.get(action="vault.confirm", result=Entry.Result.REFUSED)
    assert refused.details["code"] == "checks_missing" and refused.details["missing"] == ["visual"]
    person.refresh_from_db()
    assert person.status == Person.Status.UNCONFIRMED
    confirm_person(actor=checker, person=person, checks=["visual", "read_back"], matched=True)
    entry = Entry.objects.get(action="vault.confirm", result=Entry.Result.OK)
    assert entry.details["checks"] == ["visual", "read_back"]
    row = HandlingRecord.objects.get(action="vault.confirm", result="ok")
    assert row.method == "目視チェック・読合せチェック" and row.checker == nenkin[1].username


def test_004_the_confirm_page_asks_for_every_required_check_and_marks_the_record_until_then(nenkin, pension,
                                                                                           make_terminal):
    from django.conf import settings
    from django.test import Client

    terminal, credential = make_terminal("年金課端末")
    person = _intake(nenkin[0], terminal, pension, number(6),
                     {"route": "documents", "documents": ["my_number_card"]}).person
    c = Client()
    c.force_login(nenkin[1])
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    c.post("/vault/purpose/", {"purpose": "p1_ha", "next": "/vault/queue/"})
    page = c.get(f"/vault/people/{person.pk}/confirm/").content.decode()
    assert "必要な確認: 目視チェック、読合せチェック" in page
    assert "確認待ち" in c.get(f"/vault/people/{person.pk}/").content.decode()
    refused = c.post(f"/vault/people/{person.pk}/confirm/", {"checks": ["visual"], "matched": "on"})
    assert "読合せチェック" in refused.content.decode()
    person.refresh_from_db()
    assert person.status == Person.Status.UNCONFIRMED
    c.post(f"/vault/people/{person.pk}/confirm/", {"checks": ["visual", "read_back"], "matched": "on"})
    person.refresh_from_db()
    assert person.status == Person.Status.CONFIRMED
    assert "確認済" in c.get(f"/vault/people/{person.pk}/").content.decode()
