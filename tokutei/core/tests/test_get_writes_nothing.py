"""No writes on GET (issue 11, item 4): opening a page changes nothing in the database.

Generated: every page of the home screen, the approvals, the ledgers and the registers, for every role of every
shipped profile, with records behind the ids of its address — an approval past its expiry (written as expired
only by ``tokutei approvals expire``), operation-log entries that have no handling-status row yet (caught up
only by ``tokutei ledgers sync``), a medium and a carry-out. What a GET may write is the operation log itself
(a read or a refusal is logged by rule) and the session (its idle-logoff clock); the health probe's row is
inserted in a transaction that is rolled back and must leave nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tokutei.policy.tests.test_pages import CASES

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
PREFIXES = ("", "approvals/", "ledgers/", "registers/")
ALLOWED_TABLES = ("auditlog_", "django_session", "ops_probe")  # the log, the idle clock, a rolled-back probe


def page_routes() -> list[tuple[str, dict[str, str]]]:
    """(route, {parameter: converter kind}) of every page under the prefixes above."""
    routes: list[tuple[str, dict[str, str]]] = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                top = route.split("/")[0] + "/" if "/" in route else ""
                if top not in PREFIXES or route.startswith("api/"):
                    continue
                kinds = {name: type(conv).__name__.replace("Converter", "").lower()
                         for name, conv in getattr(pattern.pattern, "converters", {}).items()}
                routes.append((route, kinds))

    walk(get_resolver().url_patterns, "")
    return routes


def _address(route: str, kinds: dict[str, str], ids: dict[str, int], profile) -> str:
    address = route
    section = route.split("/")[0]
    for name, kind in kinds.items():
        if kind == "int":
            value = str(ids.get(section, ids["any"]))
        else:
            value = next(iter(profile.registers), "none") if profile.registers else "none"
        address = address.replace(f"<{kind}:{name}>", value).replace(f"<{name}>", value)
    return "/" + address


@pytest.fixture
def records(make_user, monkeypatch):
    """An overdue approval, unfollowed log entries, a medium and a carry-out (ids by the section that shows them)."""
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.auditlog import services as log_services
    from tokutei.auditlog.services import record
    from tokutei.registers.models import CarryOut, Medium

    requester = make_user("shinsei")
    past = timezone.now() - dt.timedelta(days=1)
    overdue = ApprovalRequest.objects.create(operation="copy", requester=requester, status="approved",
                                             approved_at=past - dt.timedelta(days=30), expires_at=past)
    with monkeypatch.context() as m:
        m.setattr(log_services, "_FOLLOWERS", [])  # entries with no handling-status row yet
        record(action="vault.view", actor=requester, purpose="x", target_type="person", target_id=1)
    medium = Medium.objects.create(label="M-1", kind="usb", storage_place="金庫", created_by=requester)
    carry_out = CarryOut.objects.create(counterparty="相手方", media_type="USB", quantity=1, record_count=1,
                                        requested_by=requester, medium=medium)
    return {"approvals": overdue.pk, "registers": carry_out.pk, "ledgers": medium.pk, "any": medium.pk,
            "overdue": overdue}


def _writes(ctx) -> set[str]:
    return {m.group(1) for q in ctx.captured_queries if (m := WRITE.match(q["sql"]))}


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_opening_a_page_writes_nothing_but_the_log(activate, client, make_user, make_terminal, settings, records,
                                                   profile_name, role):
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.ledgers.models import HandlingRecord
    from tokutei.ops.models import Probe
    from tokutei.staff.models import Unit

    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())
    unit = Unit.objects.create(key="u1", name_ja="担当課")
    user = make_user("someone", role, tasks=tasks if profile.roles[role].handles_data else [], unit=unit)
    client.force_login(user)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = make_terminal("端末")[1]
    client.get("/")  # the session's idle clock starts
    units_before, handling_before = Unit.objects.count(), HandlingRecord.objects.count()
    routes = page_routes()
    assert len(routes) > 20
    for route, kinds in routes:
        address = _address(route, kinds, records, profile)
        with CaptureQueriesContext(connection) as ctx:
            client.get(address)
        written = {t for t in _writes(ctx) if not t.startswith(ALLOWED_TABLES)}
        assert not written, (address, written)
    assert ApprovalRequest.objects.get(pk=records["approvals"]).status == "approved"  # read as expired only
    assert HandlingRecord.objects.count() == handling_before  # no catch-up on a read
    assert Unit.objects.count() == units_before  # no organisation structure written on a read
    assert not Probe.objects.exists()
