"""A bounded property-based fuzz of the whole JSON API (schemathesis, from its OpenAPI schema), with a valid
session from a registered terminal: no answer is a 5xx, every answer matches the documented schema, and
every refusal (4xx) is in the operation log (issue 19, acceptance)."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = 15  # per operation: bounded in time (about a minute for the whole API)
CSRF = "f" * 32  # a CSRF secret, sent as cookie and header (the session API enforces CSRF)


@pytest.fixture
def api_schema(db, org, key_dir_for_fuzz):
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def key_dir_for_fuzz(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield
    keys.reset_cache()


@pytest.fixture
def session_cookies(org, clerk, make_terminal):
    from django.test import Client

    from tokutei.policy import Actor
    from tokutei.vault.services import create_file

    terminal, credential = make_terminal("窓口端末F")
    from conftest import first_task

    task = first_task(org)
    create_file(actor=Actor(user=clerk, terminal=terminal), name="給与ファイル", tasks=[task])
    c = Client()
    c.force_login(clerk)
    return {settings.SESSION_COOKIE_NAME: c.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.TERMINAL_COOKIE_NAME: credential, settings.CSRF_COOKIE_NAME: CSRF}


def test_the_api_never_fails_and_never_breaks_its_schema(api_schema, session_cookies):
    from tokutei.auditlog.models import Entry

    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15

    statuses: list[int] = []

    def exercise(case) -> None:
        before = Entry.objects.filter(result="refused").count()
        response = case.call(cookies=session_cookies, headers={"X-CSRFToken": CSRF})
        statuses.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        if response.status_code in (400, 403, 404, 422):
            assert Entry.objects.filter(result="refused").count() > before, (
                f"{case.method} {case.formatted_path} answered {response.status_code} without a log entry")
        assert (response.headers.get("content-type") or [""])[0].startswith("application/json")

    for operation in operations:
        run = hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                                  suppress_health_check=list(HealthCheck))(given(operation.as_strategy())(exercise))
        run()
    assert len(statuses) > 5 * len(operations)
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)  # both kinds were reached
    # and the pages everybody uses still work after all of it
    from django.test import Client

    c = Client()
    c.cookies.load(session_cookies)
    for path in ("/", "/ledgers/"):
        assert c.get(path).status_code < 500
