"""Sign-in: password then TOTP, first-sign-in enrolment, lockout, password age, the 001 exception, idle logoff."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
import pytest
from django.utils import timezone

from tokutei.staff import crypto
from tokutei.staff.middleware import IDLE_KEY
from tokutei.staff.models import SecondFactor, User

from .conftest import entries

PASSWORD = "correct horse 42"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_it_signs_in_with_password_and_totp(client, clerk, totp_user):
    secret = totp_user(clerk)
    response = sign_in(client, "clerk")
    assert response.url == "/login/verify/"
    assert not signed_in(client)  # not signed in yet
    response = client.post("/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.url == "/"
    assert signed_in(client)
    entry = entries("staff.sign_in").get()
    assert entry.actor_id == clerk.pk and entry.details["method"] == "password+totp"


def test_a_wrong_totp_code_is_refused_and_logged(client, clerk, totp_user):
    totp_user(clerk)
    sign_in(client, "clerk")
    response = client.post("/login/verify/", {"code": "000000"})
    assert response.status_code == 200
    assert not signed_in(client)
    assert entries("staff.second_factor_failed").count() == 1


def test_the_totp_secret_is_stored_encrypted(clerk, totp_user):
    secret = totp_user(clerk)
    factor = SecondFactor.objects.get(user=clerk)
    assert secret not in factor.secret_enc
    assert crypto.decrypt(factor.secret_enc, context=f"staff.totp:{clerk.pk}") == secret
    other = User.objects.create_user(username="other", password="x" * 12)
    with pytest.raises(Exception):  # noqa: B017 - bound to its owner
        crypto.decrypt(factor.secret_enc, context=f"staff.totp:{other.pk}")


def test_a_user_without_a_second_factor_enrols_at_first_sign_in(client, clerk):
    response = sign_in(client, "clerk")
    assert response.url == "/login/enrol/"
    page = client.get("/login/enrol/").content.decode()
    assert "<svg" in page  # QR code drawn on the server
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert found is not None
    secret = found.group(1)
    response = client.post("/login/enrol/", {"code": pyotp.TOTP(secret).now()})
    assert response.url == "/"
    assert SecondFactor.objects.filter(user=clerk, kind="totp").count() == 1
    assert signed_in(client)


def test_the_enrolment_page_is_not_reachable_with_the_password_alone_once_a_factor_exists(client, clerk, totp_user):
    totp_user(clerk)
    sign_in(client, "clerk")
    assert client.get("/login/enrol/").url == "/login/verify/"


def test_it_locks_the_account_after_the_threshold_and_logs_without_the_password(client, clerk, org, monkeypatch):
    from tokutei.staff import throttle

    monkeypatch.setattr(throttle, "ACCOUNT_FREE", 100)  # the lock, not the growing delay, is under test
    threshold = org.authentication.lockout_threshold
    for _ in range(threshold):
        sign_in(client, "clerk", "wrong password!!")
    clerk.refresh_from_db()
    assert clerk.locked_until is not None and clerk.locked_until > timezone.now()
    assert entries("staff.lockout").count() == 1
    # Even the right password is refused while locked — with the message an unknown ID gets too.
    response = sign_in(client, "clerk")
    assert response.status_code == 200 and "ユーザIDまたはパスワードが正しくありません" in response.content.decode()
    assert "ロック" not in response.content.decode()
    failed = entries("staff.sign_in_failed")
    assert failed.count() == threshold + 1
    assert all("wrong" not in str(e.details) and "wrong" not in e.reason for e in failed)


def test_a_lock_expires(client, clerk, totp_user):
    totp_user(clerk)
    clerk.locked_until = timezone.now() - dt.timedelta(minutes=1)
    clerk.save()
    assert sign_in(client, "clerk").url == "/login/verify/"


def test_an_unknown_user_id_is_logged_without_the_attempted_id(client, org):
    response = sign_in(client, "my-password-typed-here")
    assert response.status_code == 200
    entry = entries("staff.sign_in_failed").get()
    assert "my-password" not in str(entry.details) and entry.actor_id is None


def test_a_password_older_than_the_maximum_age_must_be_changed(client, activate, make_user, settings):
    activate("inabe")  # 003 §15: periodic change, 90 days
    user = make_user("shokuin1", "handler", tasks=[])
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.force_login(user)
    response = client.get("/account/security/")
    assert response.status_code == 302 and response.url == "/account/password/"
    response = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Nagai-pasuwado-2026",
                                                   "new_password2": "Nagai-pasuwado-2026"})
    assert response.url == "/"
    assert client.get("/account/security/").status_code == 200
    assert entries("staff.password_change").count() == 1


def test_must_change_password_forces_a_change_at_first_sign_in(client, clerk):
    User.objects.filter(pk=clerk.pk).update(must_change_password=True)
    client.force_login(clerk)
    assert client.get("/staff/my-scope/").url == "/account/password/"
    response = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "short",
                                                   "new_password2": "short"})
    assert response.status_code == 200  # too short: nothing changes
    clerk.refresh_from_db()
    assert clerk.must_change_password and clerk.check_password(PASSWORD)


def test_idle_sessions_are_signed_out_on_the_server(client, clerk, org):
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = time.time() - org.authentication.idle_logoff_minutes * 60 - 5
    session.save()
    response = client.get("/account/security/")
    assert response.status_code == 302 and response.url.startswith("/login/?idle=1")
    assert not signed_in(client)  # the session is gone
    assert entries("staff.idle_logoff", actor_id=clerk.pk).count() == 1


def test_an_active_session_is_kept(client, clerk):
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = time.time() - 60
    session.save()
    assert client.get("/account/security/").status_code == 200
    assert signed_in(client)


def test_sign_out_is_logged(client, clerk):
    client.force_login(clerk)
    client.post("/logout/")
    assert entries("staff.sign_out", actor_id=clerk.pk).count() == 1
    assert not signed_in(client)


# --- 001: ID + password only on a recorded decision (§5.3, E-12) -------------------------------------------


@pytest.fixture
def kokubunji(activate, make_user):
    activate("kokubunji")
    officer = make_user("kacho", "sec_officer")
    operator = make_user("sousa1", "operator", tasks=["duties"])
    return officer, operator


def test_001_password_only_sign_in_is_refused_without_a_decision(client, kokubunji):
    _officer, _operator = kokubunji
    response = sign_in(client, "sousa1")
    assert response.url in {"/login/enrol/", "/login/verify/"}  # biometrics are required
    assert not signed_in(client)
    response = client.post("/login/password-only/")
    assert response.status_code == 302 and not signed_in(client)
    refusal = entries("staff.sign_in", result="refused").get()
    assert refusal.article == "001 §5.3"


def test_001_an_operator_with_a_recorded_decision_signs_in_with_id_and_password(client, kokubunji):
    from tokutei.policy import Actor
    from tokutei.staff.services import record_password_only_decision

    officer, operator = kokubunji
    record_password_only_decision(
        actor=Actor(user=officer), user=operator, reason="指の負傷により指紋の読取りが著しく困難", instruction_management="IDとパスワードを他人に知らせない",
        instruction_proper_use="操作の都度サインアウトする", instructed_on=timezone.localdate(),
    )
    response = sign_in(client, "sousa1")
    assert response.url == "/"
    assert signed_in(client)
    assert entries("staff.sign_in").get().details["method"] == "password_only_exception"


def test_001_only_the_security_officer_records_the_decision(kokubunji):
    from tokutei.core.errors import Refused
    from tokutei.policy import Actor
    from tokutei.staff.services import record_password_only_decision

    _officer, operator = kokubunji
    with pytest.raises(Refused):
        record_password_only_decision(actor=Actor(user=operator), user=operator, reason="x", instruction_management="x",
                                      instruction_proper_use="x", instructed_on=timezone.localdate())


def test_the_secret_key_file_is_created_readable_by_the_owner_only(clerk, totp_user):
    import os

    from tokutei.vault import keys

    totp_user(clerk)
    ring = keys.get_keyring()
    key_id = ring.active_data_key(crypto.SCOPE)  # the key store's staff:secrets data key (docs/keys.md)
    assert key_id is not None
    assert os.stat(ring.provider._path("data", key_id)).st_mode & 0o777 == 0o600
    assert keys.check_permissions() == []
    assert not crypto.key_path().exists()  # no key file of its own any more


def test_a_totp_code_cannot_be_used_twice(client, clerk, totp_user):
    secret = totp_user(clerk)
    code = pyotp.TOTP(secret).now()
    sign_in(client, "clerk")
    client.post("/login/verify/", {"code": code})
    assert signed_in(client)
    client.post("/logout/")
    sign_in(client, "clerk")
    client.post("/login/verify/", {"code": code})
    assert not signed_in(client)
