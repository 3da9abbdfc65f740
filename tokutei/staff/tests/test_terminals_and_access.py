"""Registered terminals (002 §31, 004 §14(7)) and the personal-data guard (E-01, E-16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.core.errors import Refused
from tokutei.policy import Actor, require
from tokutei.staff import services
from tokutei.staff.models import Terminal
from tokutei.staff.selectors import credential_digest, terminal_for_credential

from .conftest import entries

COOKIE = settings.TERMINAL_COOKIE_NAME


def test_it_registers_a_terminal_with_a_one_time_code_stored_as_a_digest(sysadmin):
    terminal, code = services.register_terminal(actor=Actor(user=sysadmin), name="年金課1", location="2階", asset_tag="PC-001")
    assert code.replace("-", "") not in (terminal.enrolment_digest or "")
    assert terminal.credential_digest is None and not terminal.is_usable
    assert entries("staff.terminal_register").count() == 1


def test_only_an_administrator_registers_terminals(clerk):
    with pytest.raises(Refused):
        services.register_terminal(actor=Actor(user=clerk), name="勝手な端末")
    assert not Terminal.objects.exists()


def test_enrolment_sets_a_long_lived_httponly_strict_cookie_and_the_code_works_once(client, sysadmin):
    terminal, code = services.register_terminal(actor=Actor(user=sysadmin), name="年金課1")
    response = client.post("/terminal/enrol/", {"code": code.lower()})
    assert response.status_code == 200
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and int(cookie["max-age"]) > 365 * 24 * 3600
    terminal.refresh_from_db()
    assert terminal.credential_digest == credential_digest(cookie.value)
    assert terminal_for_credential(cookie.value) == terminal
    # The code is spent.
    other = client.post("/terminal/enrol/", {"code": code})
    assert COOKIE not in other.cookies and "正しくない" in other.content.decode()
    assert entries("staff.terminal_enrol", result="refused").count() == 1


def test_an_expired_code_is_refused(client, sysadmin):
    terminal, code = services.register_terminal(actor=Actor(user=sysadmin), name="年金課1")
    Terminal.objects.filter(pk=terminal.pk).update(enrolment_expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post("/terminal/enrol/", {"code": code})
    assert COOKIE not in response.cookies


def test_a_revoked_terminal_is_no_longer_recognised(client, sysadmin, clerk):
    terminal, code = services.register_terminal(actor=Actor(user=sysadmin), name="年金課1")
    credential = client.post("/terminal/enrol/", {"code": code}).cookies[COOKIE].value
    services.revoke_terminal(actor=Actor(user=sysadmin), target=terminal, reason="故障")
    assert terminal_for_credential(credential) is None
    client.force_login(clerk)
    client.cookies[COOKIE] = credential
    response = client.get("/staff/my-scope/")
    assert response.status_code == 403
    assert entries("staff.access", result="refused").count() == 1


def test_the_api_header_identifies_the_terminal(client, clerk, make_terminal):
    _terminal, credential = make_terminal()
    client.force_login(clerk)
    assert client.get("/staff/my-scope/", headers={"X-Tokutei-Terminal": credential}).status_code == 200


# --- the guard ----------------------------------------------------------------------------------------------


def _request(user, terminal):
    request = RequestFactory().get("/vault/person/1/")
    request.user = user
    request.terminal = terminal  # type: ignore[attr-defined]  # what TerminalMiddleware sets
    return request


def test_a_designated_clerk_on_a_registered_terminal_passes(clerk, make_terminal):
    terminal, _ = make_terminal()
    require(Actor.from_request(_request(clerk, terminal)), Action.STAFF_ACCESS)
    assert not entries("staff.access").exists()


def test_an_unregistered_terminal_is_refused_with_the_terminal_article(clerk, org):
    with pytest.raises(Refused) as exc:
        require(Actor.from_request(_request(clerk, None)), Action.STAFF_ACCESS)
    assert exc.value.article == org.authentication.article
    entry = entries("staff.access", result="refused").get()
    assert entry.actor_id == clerk.pk and entry.details["code"] == "terminal"


def test_an_undesignated_user_is_refused(sysadmin, make_terminal):
    terminal, _ = make_terminal()
    with pytest.raises(Refused) as exc:
        require(Actor.from_request(_request(sysadmin, terminal)), Action.STAFF_ACCESS)
    assert exc.value.article == "T99 §5"
    assert entries("staff.access", result="refused", terminal_id=terminal.pk).count() == 1


def test_a_designation_that_ended_yesterday_is_refused(org, make_user, make_terminal):
    terminal, _ = make_terminal()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    former = make_user("former", "clerk", tasks=["payroll"], end=yesterday)
    with pytest.raises(Refused):
        require(Actor.from_request(_request(former, terminal)), Action.STAFF_ACCESS)
    assert entries("staff.access", result="refused").count() == 1


def test_the_decorated_page_shows_the_refusal_with_its_article(client, clerk, org):
    client.force_login(clerk)
    response = client.get("/staff/my-scope/")
    assert response.status_code == 403
    assert "テスト規程第15条" in response.content.decode()  # org.authentication.article, as the profile cites it


def test_the_decorated_page_works_for_a_clerk_on_a_registered_terminal(client, clerk, make_terminal):
    _terminal, credential = make_terminal()
    client.force_login(clerk)
    client.cookies[COOKIE] = credential
    response = client.get("/staff/my-scope/")
    assert response.status_code == 200 and "給与所得の源泉徴収票作成事務" in response.content.decode()
