"""異動等 (001 §5.5, 002 §10.1, E-13): a transfer or an end of designation suspends the person's credentials for
personal data at once — the live session ends, the API token stops, the second factor cannot sign in — and
the provisioning task stays open until it is closed as set or cancelled. In every shipped profile."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.policy import Actor
from tokutei.staff import services
from tokutei.staff.models import ProvisioningTask, SecondFactor, Unit
from tokutei.vault.models import ServiceAccount

PROFILES = ["hyogo-kyosai", "inabe", "kokubunji", "sayama", "sendai-kyosai"]  # the five shipped profiles


@pytest.fixture
def world(request, activate, make_user, make_terminal):
    """An operator designated for the profile's first task, who has a live web session and an API token
    that both reach personal data, and the system administrator who will transfer them."""
    profile = activate(request.param)
    task = next(iter(profile.selectable_tasks()))
    role = sorted(profile.handler_roles())[0]
    admin_role = sorted(profile.admin_roles())[0]
    home = Unit.objects.create(key="home", name_ja="元の課")
    other = Unit.objects.create(key="other", name_ja="異動先の課")
    operator = make_user("operator", role, tasks=[task], unit=home)
    admin = make_user("admin", admin_role)
    terminal, credential = make_terminal("窓口端末1")
    link, link_credential = make_terminal("連携サーバ")
    token = "tkv_" + secrets.token_urlsafe(32)
    account = ServiceAccount.objects.create(name="連携", user=operator, terminal=link, tasks=[task],
                                            token_digest=hashlib.sha256(token.encode()).hexdigest())
    web = Client()
    web.force_login(operator)
    web.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    return {"profile": profile, "task": task, "operator": operator, "admin": admin, "terminal": terminal,
            "web": web, "token": token, "link_credential": link_credential, "account": account, "other": other}


def _screen(w):
    return w["web"].get(f"/vault/?purpose={w['task']}")


def _api(w):
    return Client().get(f"/api/v1/vault/files?purpose={w['task']}",
                        headers={"Authorization": f"Bearer {w['token']}", "X-Tokutei-Terminal": w["link_credential"]})


def _transfer(w):
    return services.transfer_user(actor=Actor(user=w["admin"], terminal=w["terminal"]), user=w["operator"],
                                  unit=w["other"], reason="4月異動")


@pytest.mark.parametrize("world", PROFILES, indirect=True)
def test_a_transferred_operator_cannot_reach_a_personal_data_screen_or_api_call_at_once(world):
    w = world
    assert _screen(w).status_code == 200  # just before: the live session and the token work
    assert _api(w).status_code == 200

    _transfer(w)

    page = _screen(w)  # the same session, the next request
    assert page.status_code == 302 and page["Location"].startswith(settings.LOGIN_URL_PATH)
    assert w["web"].get("/api/v1/staff/me").status_code == 401
    answer = _api(w)
    assert answer.status_code == 403
    assert answer.json()["code"] == "credentials_suspended"
    assert answer.json()["article"] == w["profile"].authentication.on_change_article
    refused = Entry.objects.get(action="staff.access", result=Entry.Result.REFUSED,
                                details__code="credentials_suspended")
    assert refused.actor_id == w["operator"].pk
    assert refused.article == w["profile"].authentication.on_change_article
    assert Entry.objects.get(action="staff.transfer").details["credentials_suspended"] is True
    assert ProvisioningTask.objects.filter(user=w["operator"], kind="deprovision", closed_at=None).exists()


@pytest.mark.parametrize("world", PROFILES, indirect=True)
def test_an_ended_designation_suspends_the_other_designations_credentials_too(world, make_user):
    """Ending one designation of two: the person keeps the other, but a new session still gets no personal
    data until the provisioning task is closed — refused with the profile's article and logged."""
    from tokutei.staff.models import RoleAssignment

    w = world
    first = RoleAssignment.objects.get(user=w["operator"])
    RoleAssignment.objects.create(user=w["operator"], role_key=first.role_key, tasks=[w["task"]], unit=first.unit,
                                  start_date=first.start_date)
    services.end_designation(actor=Actor(user=w["admin"], terminal=w["terminal"]), assignment=first, reason="終了")
    assert _screen(w).status_code == 302  # the live session ended
    fresh = Client()
    w["operator"].refresh_from_db()
    fresh.force_login(w["operator"])  # signed in again (a profile where the password suffices)
    fresh.cookies[settings.TERMINAL_COOKIE_NAME] = w["web"].cookies[settings.TERMINAL_COOKIE_NAME].value
    page = fresh.get(f"/vault/?purpose={w['task']}")
    assert page.status_code == 403
    assert "認証情報が停止されています" in page.content.decode()
    entry = Entry.objects.get(action="vault.open", result=Entry.Result.REFUSED)
    assert entry.details["code"] == "credentials_suspended"
    assert entry.article == w["profile"].authentication.on_change_article
    assert _api(w).status_code == 403


@pytest.mark.parametrize("world", PROFILES, indirect=True)
def test_the_task_stays_open_until_set_and_then_the_credentials_work_again(world):
    w = world
    assert _api(w).status_code == 200
    first = w["operator"].assignments.get()
    services.end_designation(actor=Actor(user=w["admin"], terminal=w["terminal"]), assignment=first, reason="x")
    from tokutei.staff.models import RoleAssignment

    RoleAssignment.objects.create(user=w["operator"], role_key=first.role_key, tasks=[w["task"]], unit=first.unit,
                                  start_date=first.start_date)  # designated anew for the new duties
    assert _api(w).status_code == 403
    task = ProvisioningTask.objects.get(user=w["operator"], kind="deprovision")
    with pytest.raises(Exception, match="選択"):
        services.close_provisioning_task(actor=Actor(user=w["admin"]), task=task, outcome="")
    task.refresh_from_db()
    assert task.closed_at is None and _api(w).status_code == 403  # no outcome: still open, still suspended
    services.close_provisioning_task(actor=Actor(user=w["admin"]), task=task, outcome="set")
    assert _api(w).status_code == 200
    assert Entry.objects.get(action="staff.provisioning_close").details["suspension_lifted"] is True


# --- in one profile: sign-in, cancellation, the page and the API for closing ------------------------------


@pytest.mark.parametrize("world", ["sayama"], indirect=True)
def test_a_suspended_second_factor_cannot_sign_in_nor_be_enrolled_anew(world):
    from tokutei.staff import factors

    w = world
    secret = factors.new_totp_secret()
    factors.enrol_totp(user=w["operator"], secret=secret, code=pyotp.TOTP(secret).now())
    _transfer(w)
    c = Client()
    c.cookies[settings.TERMINAL_COOKIE_NAME] = w["web"].cookies[settings.TERMINAL_COOKIE_NAME].value
    page = c.post("/login/", {"username": "operator", "password": "correct horse 42"})
    assert page.status_code == 200 and "認証情報が停止されています" in page.content.decode()
    assert "_auth_user_id" not in c.session
    assert c.get("/login/enrol/").status_code != 200  # no enrolment of a new factor either
    assert Entry.objects.filter(action="staff.sign_in_failed", details__reason="credentials_suspended").count() == 1


@pytest.mark.parametrize("world", ["sayama"], indirect=True)
def test_closing_as_cancelled_revokes_the_factors_and_tokens_on_the_page(world):
    from tokutei.staff import factors

    w = world
    secret = factors.new_totp_secret()
    factors.enrol_totp(user=w["operator"], secret=secret, code=pyotp.TOTP(secret).now())
    _transfer(w)
    admin = Client()
    admin.force_login(w["admin"])
    admin.cookies[settings.TERMINAL_COOKIE_NAME] = w["web"].cookies[settings.TERMINAL_COOKIE_NAME].value
    task = ProvisioningTask.objects.get(user=w["operator"])
    listing = admin.get("/staff/provisioning/").content.decode()
    assert "認証情報の停止中" in listing and "取り消した" in listing
    admin.post("/staff/provisioning/", {"task": task.pk})  # neither set nor cancelled: stays open
    task.refresh_from_db()
    assert task.closed_at is None
    admin.post("/staff/provisioning/", {"task": task.pk, "outcome": "cancelled"})
    task.refresh_from_db()
    w["operator"].refresh_from_db()
    assert task.outcome == "cancelled" and w["operator"].credentials_suspended_at is None
    assert not SecondFactor.objects.filter(user=w["operator"], revoked_at=None).exists()
    assert ServiceAccount.objects.get().revoked_at is not None
    assert _api(w).status_code in (401, 403)


@pytest.mark.parametrize("world", ["sayama"], indirect=True)
def test_the_api_closes_a_task_as_set(world):
    w = world
    _transfer(w)
    admin = Client(enforce_csrf_checks=False)
    admin.force_login(w["admin"])
    task = ProvisioningTask.objects.get(user=w["operator"])
    r = admin.post(f"/api/v1/staff/provisioning/{task.pk}/close", data={"outcome": "maybe"},
                   content_type="application/json")
    assert r.status_code in (400, 422)
    r = admin.post(f"/api/v1/staff/provisioning/{task.pk}/close", data={"outcome": "set"},
                   content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["outcome"] == "set" and r.json()["credentials_suspended"] is False
    clerk = Client()
    clerk.force_login(w["operator"])
    r = clerk.post(f"/api/v1/staff/provisioning/{task.pk}/close", data={"outcome": "set"},
                   content_type="application/json")
    assert r.status_code == 403
