"""Generated page tests: every page guarded by ``action_required`` × every role × every shipped profile.

A page answers 403 — the one refusal page, logged — exactly when ``decide`` refuses its action to the role;
a page without ids in its address opens for every role the decision allows. The menu, the page and the
API ask the same rule, so they cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.urls import URLPattern, URLResolver, get_resolver

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, decide, rule_for

DATA = Path(__file__).resolve().parents[2] / "profiles" / "data"
CASES = []
for _path in sorted(DATA.glob("*.yaml")):
    _roles = yaml.safe_load(_path.read_text(encoding="utf-8"))["roles"]
    CASES += [(_path.stem, _role) for _role in _roles]

PLACEHOLDER = {"int": "999999", "id": "999999", "str": "no-such-key", "slug": "no-such-key", "path": "no-such-key",
               "uuid": "00000000-0000-0000-0000-000000000000"}


def guarded_pages() -> list[tuple[str, Action, bool]]:
    """(address, action, has ids) for every URL pattern whose view is guarded by ``action_required``."""
    pages = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                action = getattr(pattern.callback, "policy_action", None)
                if action is None:
                    continue
                route = prefix + str(pattern.pattern)
                converters = getattr(pattern.pattern, "converters", {})
                address = route
                for name, converter in converters.items():
                    kind = type(converter).__name__.replace("Converter", "").lower()
                    address = address.replace(f"<{kind}:{name}>", PLACEHOLDER.get(kind, "x")).replace(
                        f"<{name}>", PLACEHOLDER["str"])
                pages.append(("/" + address.lstrip("^").rstrip("$"), action, bool(converters)))

    walk(get_resolver().url_patterns, "")
    return pages


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_each_page_opens_exactly_for_the_roles_its_action_allows(activate, client, make_user, make_terminal,
                                                                  settings, profile_name, role):
    from tokutei.auditlog.models import Entry
    from tokutei.staff.models import Unit

    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())
    unit = Unit.objects.create(key="u1", name_ja="担当課")
    user = make_user("someone", role, tasks=tasks if profile.roles[role].handles_data else [], unit=unit)
    terminal, credential = make_terminal("端末")
    client.force_login(user)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    session = client.session
    session["vault_purpose"] = tasks[0]
    session.save()
    actor = Actor(user=user, terminal=terminal, purpose=tasks[0])
    pages = guarded_pages()
    assert len(pages) > 20, "the pages are guarded by action_required"
    for address, action, has_ids in pages:
        allowed = bool(decide(actor, action))
        before = Entry.objects.filter(result=Entry.Result.REFUSED).count()
        status = client.get(address).status_code
        if status == 405:  # a form's target: the decision is the same for the POST it takes
            status = client.post(address).status_code
        if not allowed:
            assert status == 403, (address, action, role, status)
            assert Entry.objects.filter(result=Entry.Result.REFUSED).count() == before + 1, address
        elif not has_ids and getattr(rule_for(action), "check", None) is None:
            # (A rule with a per-record check may still refuse the record a page implies, e.g. one ledger.)
            assert status != 403, (address, action, role)
