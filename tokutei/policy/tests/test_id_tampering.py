"""A clerk changing ids in addresses reaches only what the policy allows (issue 11, Acceptance).

Generated over every page address with an ``<int:…>`` part and every API path with an id: a 事務取扱担当者
(000's 操作者, designated for one task) puts into it the id of a record of a colleague's or of another task —
a person and a file of another task, a colleague's approval request, carry-out and export file, an operation-log
entry — and ids that do not exist (a large one, and one beyond any database integer). Each gets the answer a
missing record gets (the same status and the same page), never the record, never a server error; and each
refusal is in the operation log, once, with the article from the profile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tokutei.approvals.tests import conftest as approvals
from tokutei.approvals.tests.conftest import TASKS
from tokutei.auditlog.models import Entry
from tokutei.policy import Actor

from .test_api_matrix import _example

# 000 (仙台): its officers, from the approvals' fixtures.
profiles_dir, org000, officers000 = approvals.profiles_dir, approvals.org000, approvals.officers000

MISSING = "987654321"
BEYOND_ANY_INTEGER = "99999999999999999999999"  # more than a 64-bit integer holds

# Which of the colleague's records an address's id names, by the address's beginning.
SECTIONS = {
    "/vault/people/": "person", "/vault/files/": "file", "/approvals/": "approval",
    "/registers/carry-outs/": "carry_out", "/registers/exports/": "copy", "/log/entries/": "entry",
    "/ledgers/files/": "file",
    "/api/v1/vault/people/": "person", "/api/v1/vault/files/": "file", "/api/v1/approvals/requests/": "approval",
}


def int_routes() -> list[str]:
    """Every page address with exactly one ``<int:…>`` part (the part written ``{id}``)."""
    found = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                parts = re.findall(r"<(?:int|id):\w+>", route)
                if len(parts) == 1 and "<" not in route.replace(parts[0], "") and not route.startswith("api/"):
                    found.append(route.replace(parts[0], "{id}"))

    walk(get_resolver().url_patterns, "")
    return found


def api_routes() -> list[tuple[str, str]]:
    """(method, path with ``{id}``) for every API operation with one id in its path."""
    from tokutei.api import api

    out = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        names = re.findall(r"\{(\w+)\}", path)
        if len(names) == 1:
            out += [(method.upper(), path.replace("{" + names[0] + "}", "{id}")) for method in operations]
    return out


def section(route: str) -> str | None:
    return next((kind for start, kind in SECTIONS.items() if route.startswith(start)), None)


@pytest.fixture
def world(officers000, make_user, make_terminal, export_dir, key_dir):
    """The clerk (operator, task p1 only) and a colleague's records of every kind."""
    from tokutei.approvals import services
    from tokutei.registers.models import TemporaryCopy
    from tokutei.registers.services import media
    from tokutei.vault.services import create_file, intake_person
    from tokutei.vault.tests.test_intake import number

    colleague = officers000["operator2"]
    terminal = make_terminal("業務端末")[0]
    other_task = TASKS[1]
    file = create_file(actor=Actor(user=colleague, terminal=terminal), name="別の事務のファイル", tasks=[other_task])
    person = intake_person(actor=Actor(user=colleague, terminal=terminal, purpose=other_task), file=file,
                           values={"my_number": number(61), "name": "別事務 花子", "birth_date": "1950-04-01",
                                   "sex": "女", "address": "仙台市青葉区一番町"}).person
    approval = services.create_request(actor=Actor.console(colleague), operation="media_carry_out")
    carry_out = media.create_carry_out(actor=Actor.console(colleague), counterparty="相手方", media_type="紙", quantity=1,
                                       record_count=1, protections=["strict_packaging"])
    copy = TemporaryCopy.objects.create(file_name="export-colleague.tkx", purpose=other_task, record_count=1,
                                        recipient="年金課", sha256=hashlib.sha256(b"x").hexdigest(),
                                        created_by=colleague, expires_at=timezone.now() + dt.timedelta(days=1))
    (export_dir / copy.file_name).write_bytes(b"x")
    entry = Entry.objects.filter(actor_id=colleague.pk).order_by("-seq").first()
    assert entry is not None  # the colleague's own intake is logged
    clerk = make_user("sosasha3", "operator", tasks=[TASKS[0]])
    ids = {"person": person.pk, "file": file.pk, "approval": approval.pk, "carry_out": carry_out.pk,
           "copy": copy.pk, "entry": entry.seq}
    return {"clerk": clerk, "ids": ids, "secrets": ["別事務 花子", number(61)]}


@pytest.fixture
def key_dir(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield settings.KEY_DIR
    keys.reset_cache()


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_DIR.mkdir()
    return settings.EXPORT_DIR


def _shape(response, asked: str) -> tuple[int, str]:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    # The printout's header gives the time of the request to the minute: two answers a minute apart differ there.
    text = re.sub(r'<p class="print-only print-head">.*?</p>', "", text, flags=re.S)
    return response.status_code, text.replace(f"/{asked}/", "/{id}/")


def _signed_in(client, settings, clerk, make_terminal):
    client.force_login(clerk)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = make_terminal("窓口端末")[1]
    session = client.session
    session["vault_purpose"] = TASKS[0]
    session.save()
    client.raise_request_exception = False  # a server error is an answer too (and a failure here)


def _refusals() -> int:
    return Entry.objects.filter(result=Entry.Result.REFUSED).count()


def _api_body(method: str, route: str):
    """A body the API's schema accepts for ``route`` (so the call reaches its decision, not a 422)."""
    from tokutei.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if re.sub(r"\{\w+\}", "{id}", path) == route and method.lower() in operations:
            operation = operations[method.lower()]
            if "requestBody" in operation:
                return _example(operation["requestBody"]["content"]["application/json"]["schema"],
                                schema["components"]["schemas"], TASKS[0])
    return {}


def _call(client, method: str, address: str, api: bool, route: str = ""):
    if method == "GET":
        return client.get(address, {"purpose": TASKS[0]} if api else {})
    if api:
        return client.generic(method, f"{address}?purpose={TASKS[0]}", data=json.dumps(_api_body(method, route)),
                              content_type="application/json")
    return client.post(address)


def _check(client, method: str, route: str, world, *, api: bool) -> None:
    kind = section(route)
    asked = [MISSING, BEYOND_ANY_INTEGER] + ([str(world["ids"][kind])] if kind else [])
    answers = {}
    for value in asked:
        before = _refusals()
        response = _call(client, method, route.replace("{id}", value), api, route)
        address = route.replace("{id}", value)
        assert response.status_code in (403, 404), (method, address, response.status_code)
        body = response.content.decode()
        assert not any(secret in body for secret in world["secrets"]), address
        assert _refusals() == before + 1, (method, address, "the refusal is logged, once")
        refusal = Entry.objects.filter(result=Entry.Result.REFUSED).order_by("-seq").first()
        assert refusal is not None and refusal.article, (method, address, "with the profile's article")
        answers[value] = (response.status_code, json.loads(body) if api else _shape(response, value)[1])
    colleague = answers.get(str(world["ids"][kind])) if kind else None
    if colleague is not None:
        assert colleague == answers[MISSING], (method, route, "a colleague's record looks missing")


def test_every_page_with_an_id_answers_a_foreign_or_missing_id_like_a_missing_record(
        client, settings, make_terminal, world):
    _signed_in(client, settings, world["clerk"], make_terminal)
    routes = int_routes()
    assert len(routes) >= 10 and any(r.startswith("registers/carry-outs/") for r in routes)
    for route in routes:
        for method in ("GET", "POST"):
            response = _call(client, method, "/" + route.replace("{id}", MISSING), False)
            if response.status_code == 405:
                continue
            _check(client, method, "/" + route, world, api=False)


def test_every_api_path_with_an_id_answers_a_foreign_or_missing_id_like_a_missing_record(
        client, settings, make_terminal, world):
    _signed_in(client, settings, world["clerk"], make_terminal)
    routes = api_routes()
    assert len(routes) >= 5
    for method, route in routes:
        _check(client, method, route, world, api=True)


def test_an_address_no_page_answers_is_a_logged_not_found_for_a_signed_in_user(client, settings, make_terminal,
                                                                              world):
    _signed_in(client, settings, world["clerk"], make_terminal)
    before = _refusals()
    response = client.get("/registers/carry-outs/nothing-here/")
    assert response.status_code == 404
    assert _refusals() == before + 1
