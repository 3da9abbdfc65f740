"""In a real browser: sign-in with password + TOTP, idle logoff, registered terminals, WebAuthn."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.conf import settings
from playwright.sync_api import expect

from .office import look

pytestmark = pytest.mark.browser


def _entries(action: str, **filters):
    from tokutei.auditlog.models import Entry

    return Entry.objects.filter(action=action, **filters)


def test_it_signs_in_with_password_and_totp_and_reaches_the_dashboard(page, clerk):
    from tokutei.staff import factors

    secret = factors.new_totp_secret()
    factors.enrol_totp(user=clerk, secret=secret, code=pyotp.TOTP(secret).now())
    clerk.second_factors.update(last_counter=0)  # the test may sign in within the same 30-second step

    page.goto("/login/")
    page.get_by_label("ユーザID").fill("clerk")
    page.get_by_label("パスワード").fill("correct horse 42")
    page.get_by_role("button", name="次へ").click()
    page.wait_for_url(re.compile(r"/login/verify/$"))
    page.get_by_label("認証アプリに表示された6桁の数字").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("heading", name="ダッシュボード", level=1)).to_be_visible()
    expect(page.get_by_text("この端末は未登録端末です")).to_be_visible()
    assert _entries("staff.sign_in", actor_id=clerk.pk).count() == 1


def test_a_wrong_password_keeps_the_user_out(page, clerk):
    page.goto("/login/")
    page.get_by_label("ユーザID").fill("clerk")
    page.get_by_label("パスワード").fill("wrong password 1")
    page.get_by_role("button", name="次へ").click()
    expect(page.get_by_role("alert").filter(has_text="正しくありません")).to_be_visible()


@pytest.fixture
def short_idle(org):
    """Make the profile's idle timeout 3 seconds for this test (server and page read the same value)."""
    from tokutei.profiles import selectors

    row = selectors.active_profile_row()
    assert row is not None
    profile = selectors.get_profile()
    auth = profile.authentication.model_copy(update={"idle_logoff_minutes": 0.05})
    selectors._cache[row.sha256] = profile.model_copy(update={"authentication": auth})
    yield
    selectors._cache.clear()


def test_an_idle_page_signs_itself_out(page, clerk, signed_in, short_idle):
    signed_in(page, clerk)
    page.goto("/account/security/")
    expect(page.get_by_role("heading", name="サインイン方法")).to_be_visible()
    assert page.locator("body").get_attribute("data-idle-logoff") == "3.0"
    started = time.monotonic()
    page.wait_for_url(re.compile(r"/login/\?idle=1"), timeout=9_000)
    assert time.monotonic() - started < 9
    expect(page.get_by_text("自動的にサインアウトしました")).to_be_visible()
    assert _entries("staff.idle_logoff", actor_id=clerk.pk).count() == 1
    page.goto("/account/security/")
    assert "/login/" in page.url  # the server session is gone too


def test_an_unregistered_terminal_is_refused_until_it_is_enrolled(page, clerk, signed_in, make_user):
    from tokutei.policy import Actor
    from tokutei.staff import services

    signed_in(page, clerk)
    response = page.goto("/staff/my-scope/")
    assert response.status == 403
    expect(page.get_by_role("alert").filter(has_text="登録された端末からのみ")).to_be_visible()
    assert _entries("staff.access", result="refused", actor_id=clerk.pk).count() == 1

    admin = make_user("sysadmin", "sysadmin")
    _terminal, code = services.register_terminal(actor=Actor(user=admin), name="総務課1", location="本庁舎2階")
    page.goto(f"/terminal/enrol/?code={code}")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_text("登録端末「総務課1」になりました")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.TERMINAL_COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    response = page.goto("/staff/my-scope/")
    assert response.status == 200
    expect(page.get_by_text("給与所得の源泉徴収票作成事務")).to_be_visible()
    page.goto("/")
    expect(page.get_by_text("この端末は登録端末です")).to_be_visible()


def test_webauthn_with_a_virtual_authenticator(page, live_server, activate, make_user, settings):
    """004 (ID + 生体認証): enrol at first sign-in and sign in again, with Chromium's virtual authenticator."""
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [live_server.url]
    activate("hyogo-kyosai")
    make_user("nenkin1", "handler", tasks=[])
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})

    def password_step(shot=None):
        page.goto("/login/")
        page.get_by_label("ユーザID").fill("nenkin1")
        page.get_by_label("パスワード").fill("correct horse 42")
        look(page, shot)
        page.get_by_role("button", name="次へ").click()

    password_step("common-sign-in")
    page.wait_for_url(re.compile(r"/login/enrol/$"))
    look(page, "common-sign-in-enrol")
    page.get_by_role("button", name="この端末の生体認証を登録する").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("heading", name="ダッシュボード", level=1)).to_be_visible()

    page.locator("header").get_by_role("button", name="サインアウト").click()
    page.wait_for_url(re.compile(r"/login/"))
    password_step()
    page.wait_for_url(re.compile(r"/login/verify/$"))
    look(page, "common-sign-in-verify")
    page.get_by_role("button", name="生体認証で確認する").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    methods = list(_entries("staff.sign_in").values_list("details", flat=True))
    assert [m["method"] for m in methods] == ["password+webauthn", "password+webauthn"]
