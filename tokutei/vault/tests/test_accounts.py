"""API clients (service accounts): registered and revoked by a system administrator only — on the console too,
where the command names the administrator (``--by``) and the policy decides as for the web; and a token's use
on a GET writes nothing (``last_used_at`` only moves on a call that changes something)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tokutei.auditlog.models import Entry
from tokutei.vault.models import ServiceAccount

from .test_api import api


@pytest.fixture
def sysadmin(make_user, t99):
    return make_user("sysadmin", "sysadmin")


@pytest.fixture
def link_terminal(make_terminal):
    return make_terminal("連携サーバ")


def _create(by: str, name: str = "給与システム") -> str:
    from io import StringIO

    out = StringIO()
    call_command("vault_account", "create", "--by", by, "--name", name, "--user", "clerk", "--terminal", "連携サーバ",
                 "--tasks", "payroll", stdout=out)
    return out.getvalue()


def test_a_system_administrator_registers_an_api_client_at_the_console(sysadmin, clerk, link_terminal):
    shown = _create("sysadmin")
    account = ServiceAccount.objects.get()
    assert "tkv_" in shown and account.created_by == sysadmin and account.user == clerk
    entry = Entry.objects.get(action="vault.service_account_create", result=Entry.Result.OK)
    assert entry.actor_id == sysadmin.pk  # the administrator named, not "the system"


def test_the_console_refuses_a_staff_member_who_is_not_a_system_administrator(t99, clerk, link_terminal):
    with pytest.raises(CommandError, match="システム管理者"):
        _create("clerk")
    assert not ServiceAccount.objects.exists()
    refused = Entry.objects.get(action="vault.service_account_create", result=Entry.Result.REFUSED)
    assert refused.actor_id == clerk.pk and refused.article == t99.authentication.article
    assert refused.details["channel"] == "console"


def test_the_command_names_its_administrator(t99, clerk, link_terminal):
    with pytest.raises(CommandError):
        call_command("vault_account", "create", "--name", "x", "--user", "clerk", "--terminal", "連携サーバ",
                     "--tasks", "payroll")
    with pytest.raises(CommandError, match="見つかりません"):
        _create("nobody")
    assert not ServiceAccount.objects.exists()


def test_revoking_is_the_administrators_too_and_logged(sysadmin, clerk, link_terminal):
    _create("sysadmin")
    with pytest.raises(CommandError, match="システム管理者"):
        call_command("vault_account", "revoke", "--by", "clerk", "--name", "給与システム")
    assert ServiceAccount.objects.get().revoked_at is None
    assert Entry.objects.filter(action="vault.service_account_revoke", result=Entry.Result.REFUSED,
                                actor_id=clerk.pk).count() == 1
    call_command("vault_account", "revoke", "--by", "sysadmin", "--name", "給与システム")
    assert ServiceAccount.objects.get().revoked_at is not None
    assert Entry.objects.get(action="vault.service_account_revoke", result=Entry.Result.OK).actor_id == sysadmin.pk


# --- a token's use on a GET writes nothing ------------------------------------------------------------------


@pytest.fixture
def token(sysadmin, clerk, link_terminal, payroll_file):
    text = _create("sysadmin")
    return text.strip().splitlines()[-1], link_terminal[1]


def test_a_get_with_a_token_does_not_touch_the_account(token):
    from django.db import connection

    bearer, credential = token
    with CaptureQueriesContext(connection) as ctx:
        response = api(Client(), "get", "/files?purpose=payroll", bearer, credential)
    assert response.status_code == 200
    assert ServiceAccount.objects.get().last_used_at is None
    assert not [q["sql"] for q in ctx.captured_queries if "vault_serviceaccount" in q["sql"]
                and q["sql"].lstrip().upper().startswith("UPDATE")]


def test_a_call_that_changes_something_records_the_accounts_last_use(token):
    bearer, credential = token
    response = api(Client(), "post", "/search", bearer, credential,
                   data={"purpose": "payroll", "by": "my_number", "value": "123456789018"})
    assert response.status_code == 200
    assert ServiceAccount.objects.get().last_used_at is not None
