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
