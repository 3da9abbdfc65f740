"""Per-request cost of the middleware: the profile is read once per request, and the idle-logoff time is
not rewritten (a session UPDATE and a second commit) on every request."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokutei.profiles.selectors import get_profile
from tokutei.staff.middleware import IDLE_KEY


def _profile_reads(queries) -> int:
    return sum("profiles_activeprofile" in q["sql"] for q in queries)


def test_a_page_reads_the_profile_in_force_once(client, clerk):
    client.force_login(clerk)
    client.get("/account/security/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/account/security/").status_code == 200
    assert _profile_reads(ctx.captured_queries) == 1


def test_outside_a_request_a_newly_activated_profile_is_seen_at_once(activate):
    activate("T99")
    assert get_profile().organisation.code != "002"
    activate("sayama")
    assert get_profile().organisation.code == "002"


def _stored_activity(client) -> float:
    return Session.objects.get(session_key=client.session.session_key).get_decoded()[IDLE_KEY]


def test_a_quick_second_request_does_not_rewrite_the_session(client, clerk):
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = stamp = time.time() - 1
    session.save()
    assert client.get("/account/security/").status_code == 200
    assert _stored_activity(client) == stamp


def test_activity_after_a_pause_is_stored(client, clerk):
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = stamp = time.time() - 60
    session.save()
    assert client.get("/account/security/").status_code == 200
    assert _stored_activity(client) > stamp + 55


# --- the profile in force: read once per request, a change applies from the next request on -------------

def test_a_profile_activated_between_requests_applies_to_the_next_one(client, clerk, activate):
    """T99 logs off after 15 idle minutes, hyogo-kyosai after 10: 12 minutes idle is fine, then not."""
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = time.time() - 12 * 60
    session.save()
    assert client.get("/account/security/").status_code == 200  # T99: 15 minutes
    session = client.session
    session[IDLE_KEY] = time.time() - 12 * 60
    session.save()
    activate("hyogo-kyosai")
    response = client.get("/account/security/")
    assert response.status_code == 302 and response.url.startswith("/login/?idle=1")


def test_a_profile_activated_during_a_request_applies_to_the_rest_of_it(activate):
    from tokutei.core.memo import request_scope

    activate("T99")
    with request_scope():
        assert get_profile().authentication.idle_logoff_minutes == 15
        activate("hyogo-kyosai")
        assert get_profile().authentication.idle_logoff_minutes == 10


def test_only_the_digest_of_the_profile_is_read_once_it_is_known(client, clerk):
    client.force_login(clerk)
    client.get("/account/security/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/account/security/")
    assert not any("source_yaml" in q["sql"] for q in ctx.captured_queries)


# --- idle logoff: the stored time is not rewritten on every request, and the logoff is never late --------

def test_requests_that_did_not_store_their_time_never_postpone_the_logoff(client, clerk, org):
    """The stored time moves only after a few seconds; the logoff counts from the stored time, so it is
    never later than the profile's timeout (at most those few seconds earlier)."""
    limit = org.authentication.idle_logoff_minutes * 60
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = stamp = time.time() - limit + 3  # 3 s before the timeout
    session.save()
    assert client.get("/account/security/").status_code == 200
    assert _stored_activity(client) > stamp  # moved by more than the slack: stored
    session = client.session
    session[IDLE_KEY] = time.time() - limit - 1  # one second past the timeout
    session.save()
    response = client.get("/account/security/")
    assert response.status_code == 302 and response.url.startswith("/login/?idle=1")


def test_background_polling_is_not_activity(client, clerk):
    client.force_login(clerk)
    session = client.session
    session[IDLE_KEY] = stamp = time.time() - 120
    session.save()
    assert client.get("/account/security/", HTTP_X_TOKUTEI_PASSIVE="1").status_code == 200
    assert _stored_activity(client) == stamp


# --- role assignments: one fixed statement, the same rule as the QuerySet ---------------------------------

def test_the_assignments_in_force_are_exactly_those_of_the_queryset(clerk, make_user, org):
    import datetime as dt

    from django.utils import timezone

    from tokutei.staff.models import RoleAssignment
    from tokutei.staff.selectors import active_assignments, assignments_in_force

    today = timezone.localdate()
    day = dt.timedelta(days=1)
    user = make_user("mixed")
    for start, end, revoked in [(today - 9 * day, None, False), (today, today, False), (today + day, None, False),
                                (today - 9 * day, today - day, False), (today - 9 * day, None, True),
                                (today - 9 * day, today + 9 * day, False)]:
        RoleAssignment.objects.create(user=user, role_key="clerk", tasks=["payroll"], start_date=start, end_date=end,
                                      revoked_at=timezone.now() if revoked else None)
    for on in (today - 10 * day, today - day, today, today + day, today + 20 * day):
        expected = list(active_assignments(user, on=on))
        got = assignments_in_force(user, on=on)
        assert [a.pk for a in got] == [a.pk for a in expected]
        assert [(a.start_date, a.end_date, a.tasks, a.revoked_at) for a in got] == [
            (a.start_date, a.end_date, a.tasks, a.revoked_at) for a in expected]
    user.is_active = False
    assert assignments_in_force(user) == []


def test_an_expired_or_unknown_session_is_not_signed_in(client, clerk):
    import datetime as dt

    from django.utils import timezone

    client.force_login(clerk)
    assert client.get("/account/security/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/account/security/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    client.cookies["sessionid"] = "no-such-session-key-0123456789abcdef"
    assert client.get("/account/security/").status_code == 302
