"""Sign-in abuse (issue 19): 30 attempts in 0.3 s went through; five wrong passwords from anywhere locked a
real user out on every terminal; the lock message appeared only for IDs that exist."""

from __future__ import annotations

import datetime as dt

import pyotp
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tokutei.auditlog.models import Entry

from .test_sign_in import PASSWORD, sign_in


def failures(reason: str) -> int:
    return Entry.objects.filter(action="staff.sign_in_failed", details__reason=reason).count()


def test_rapid_attempts_from_one_client_meet_growing_delays_and_are_logged(client, clerk):
    answers = [sign_in(client, f"guess{i}", "wrong password!!").content.decode() for i in range(30)]
    throttled = [a for a in answers if "秒後に再度お試しください" in a]
    assert len(throttled) >= 19  # after the client's free attempts every quick retry waits
    assert failures("throttled_client") == len(throttled)
    # and the right password does not get through while the client must wait
    assert "_auth_user_id" not in client.session
    sign_in(client, "clerk")
    assert "_auth_user_id" not in client.session


def test_an_unknown_id_and_a_real_one_get_the_same_answer(org, clerk):
    real = sign_in(Client(REMOTE_ADDR="10.0.0.1"), "clerk", "wrong password!!").content.decode()
    unknown = sign_in(Client(REMOTE_ADDR="10.0.0.2"), "nobody-here", "wrong password!!").content.decode()
    for page in (real, unknown):
        assert "ユーザIDまたはパスワードが正しくありません" in page
    for i in range(3):  # the same number of tries on each ID, each from its own client
        real = sign_in(Client(REMOTE_ADDR=f"10.0.1.{i}"), "clerk", "wrong password!!").content.decode()
        unknown = sign_in(Client(REMOTE_ADDR=f"10.0.2.{i}"), "nobody-here", "wrong password!!").content.decode()
    assert ("秒後に再度" in real) == ("秒後に再度" in unknown)


def test_a_stranger_cannot_lock_a_colleague_out_of_a_registered_terminal(org, clerk, make_terminal, totp_user,
                                                                       monkeypatch):
    from tokutei.staff import throttle

    monkeypatch.setattr(throttle, "ACCOUNT_FREE", 100)
    secret = totp_user(clerk)
    for i in range(org.authentication.lockout_threshold):  # from outside, from several addresses
        sign_in(Client(REMOTE_ADDR=f"192.0.2.{i}"), "clerk", "wrong password!!")
    clerk.refresh_from_db()
    assert clerk.locked_until is not None and clerk.locked_until > timezone.now()
    assert Entry.objects.filter(action="staff.lockout").count() == 1
    # The colleague at a registered terminal still signs in with password and second factor …
    _terminal, credential = make_terminal("窓口端末S")
    c = Client()
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    assert sign_in(c, "clerk").url == "/login/verify/"
    c.post("/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert "_auth_user_id" in c.session
    # … which lifts the lock.
    clerk.refresh_from_db()
    assert clerk.locked_until is None


def test_a_strangers_failures_outside_do_not_delay_the_colleague_at_a_registered_terminal(org, clerk,
                                                                                        make_terminal):
    for i in range(8):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{i}"), "clerk", "wrong password!!")
    assert sign_in(Client(REMOTE_ADDR="198.51.100.99"), "clerk").status_code == 200  # outside: delayed
    _terminal, credential = make_terminal("窓口端末T")
    c = Client()
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    assert sign_in(c, "clerk", PASSWORD).status_code == 302


def test_the_delay_ends(org, clerk, monkeypatch):
    for i in range(5):
        sign_in(Client(REMOTE_ADDR=f"203.0.113.{i}"), "nobody", "x")
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = sign_in(Client(REMOTE_ADDR="203.0.113.50"), "nobody", "x").content.decode()
    assert "秒後に再度" not in page
