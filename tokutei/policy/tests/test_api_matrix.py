"""Generated API tests: every JSON endpoint × every role × every shipped profile, and every registered rule
over the API channel.

The endpoints are read from the API itself (its routers), their bodies made from its OpenAPI schema, so a new
endpoint is in the matrix as soon as it is mounted. For each call, the action the endpoint asks the policy for
(``api_actor``) is observed; the answer must be 403 exactly when the profile does not give that action to the
role — read from the profile independently of the engine — and each such refusal is logged, once. The rule
matrix (test_permissions.py) is run again for a caller of the API: allowed exactly where the rule takes the API
channel and the profile gives the role.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor, Channel, all_rules, decide, rule_for

from .test_permissions import CASES

PLACEHOLDER_ID = 999_999
# The one endpoint that only needs a signed-in caller: who am I (the caller's own roles and designations).
SIGNED_IN_ONLY = frozenset({"/api/v1/staff/me"})
# The engine's codes for "not this caller" (tokutei/policy/engine.py), as opposed to a refusal of the content.
POLICY_CODES = frozenset({"not_signed_in", "channel", "console", "terminal", "not_handler", "no_purpose",
                          "unknown_purpose", "token_scope", "out_of_scope", "no_role", "unknown_action",
                          "credentials_suspended"})


def endpoints() -> list[tuple[str, str, dict]]:
    """(method, path, OpenAPI operation) for every operation the API serves."""
    from tokutei.api import api

    schema = api.get_openapi_schema()
    return [(method.upper(), path, operation) for path, operations in schema["paths"].items()
            for method, operation in operations.items()]


def _example(schema: dict, components: dict, purpose: str) -> Any:
    """A value the schema accepts (so the endpoint reaches its decision rather than a 422)."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, purpose)
    if "anyOf" in schema:
        return _example(next(s for s in schema["anyOf"] if s.get("type") != "null"), components, purpose)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: (purpose if name == "purpose" else _example(props[name], components, purpose))
                for name in schema.get("required", props)}
    if kind == "array":
        return []
    if kind == "integer":
        return PLACEHOLDER_ID
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2020-04-01"
    if schema.get("format") == "date-time":
        return "2020-04-01T09:00:00+09:00"
    return "x"


def request_for(method: str, path: str, operation: dict, components: dict, purpose: str) -> tuple[str, dict, Any]:
    address, query = path, {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            address = address.replace("{" + name + "}", str(PLACEHOLDER_ID))
        elif name == "purpose":
            query[name] = purpose
    body = None
    if "requestBody" in operation:
        body = _example(operation["requestBody"]["content"]["application/json"]["schema"], components, purpose)
    return address, query, body


def expected(rule, profile, role: str, channel: Channel) -> bool:
    """What the profile says, read independently of the engine."""
    if channel not in rule.channels:
        return False
    if rule.task:
        allowed = set(rule.roles(profile)) if rule.roles is not None else profile.handler_roles()
        return profile.roles[role].handles_data and role in allowed
    return rule.roles is None or role in set(rule.roles(profile))


@pytest.fixture
def asked(monkeypatch):
    """The (actor, action, refused) of every decision an endpoint asks through ``api_actor``."""
    from tokutei.policy import web

    seen: list[tuple[Actor, Any, bool]] = []
    real = web.require

    def spy(actor, action, obj=None, **kwargs):
        try:
            decision = real(actor, action, obj, **kwargs)
        except Refused:
            seen.append((actor, action, True))
            raise
        seen.append((actor, action, False))
        return decision

    monkeypatch.setattr(web, "require", spy)
    return seen


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_each_endpoint_answers_exactly_as_the_profile_gives_its_action(activate, client, make_user, make_terminal,
                                                                       settings, asked, profile_name, role):
    from tokutei.api import api
    from tokutei.staff.models import Unit

    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())
    unit = Unit.objects.create(key="u1", name_ja="担当課")
    user = make_user("someone", role, tasks=tasks if profile.roles[role].handles_data else [], unit=unit)
    client.force_login(user)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = make_terminal("端末")[1]
    components = api.get_openapi_schema()["components"]["schemas"]
    operations = endpoints()
    assert len(operations) >= 20
    decided = 0
    for method, path, operation in operations:
        address, query, body = request_for(method, path, operation, components, tasks[0])
        asked.clear()
        before = Entry.objects.filter(result=Entry.Result.REFUSED).count()
        if method == "GET":
            response = client.get(address, query)
        else:
            response = client.generic(method, address + (f"?{urlencode(query)}" if query else ""),
                                      data=json.dumps(body or {}), content_type="application/json")
        assert response.status_code != 422, (method, path, response.content[:300])
        if not asked:
            assert path in SIGNED_IN_ONLY, f"{method} {path} does not ask the policy (api_actor)"
            assert response.status_code == 200, (method, path, role)
            continue
        decided += 1
        actor, action, refused = asked[0]
        assert actor.channel == Channel.API
        rule = rule_for(action)
        assert rule is not None, action
        assert refused is not expected(rule, profile, role, Channel.API), (method, path, str(action), role)
        if refused:
            assert response.status_code == 403, (method, path, role, response.status_code)
            assert response.json()["article"] == decide(actor, action).article
            assert Entry.objects.filter(result=Entry.Result.REFUSED).count() == before + 1, (method, path)
        elif rule.check is None:  # allowed: a later refusal is about the request's content, never who asks
            assert not (response.status_code == 403 and response.json().get("code") in POLICY_CODES), (
                method, path, role, response.content[:300])
        # (A rule with a per-record check may still refuse the record the call names, e.g. one ledger.)
    assert decided == len(operations) - len(SIGNED_IN_ONLY)


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_each_rule_allows_a_caller_of_the_api_exactly_what_the_profile_gives(activate, make_user, make_terminal,
                                                                              profile_name, role):
    from tokutei.staff.models import Unit

    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())
    unit = Unit.objects.create(key="u1", name_ja="担当課")
    user = make_user("someone", role, tasks=tasks if profile.roles[role].handles_data else [], unit=unit)
    actor = Actor(user=user, terminal=make_terminal("端末")[0], purpose=tasks[0], channel=Channel.API)
    for rule in all_rules():
        decision = decide(actor, rule.action)
        assert bool(decision) is expected(rule, profile, role, Channel.API), (rule.action.value, role,
                                                                              decision.reason)
        if not decision:
            assert decision.reason, rule.action.value
