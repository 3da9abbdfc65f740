"""Generated permission tests: every registered action × every role × every shipped profile.

For each role of each profile, a staff member holding only that role (in a unit, designated for every task
of the profile when the role handles data, on a registered terminal, with a task declared) is allowed an
action exactly when the profile gives that action to the role — and every refusal cites an article.
The matrix grows by itself: a new app's rules are in it as soon as they are registered.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tokutei.policy import Actor, Channel, all_rules, decide

DATA = Path(__file__).resolve().parents[2] / "profiles" / "data"
CASES = []
for _path in sorted(DATA.glob("*.yaml")):
    _roles = yaml.safe_load(_path.read_text(encoding="utf-8"))["roles"]
    CASES += [(_path.stem, _role) for _role in _roles]


def expected(rule, profile, role: str) -> bool:
    """What the profile says, read independently of the engine (for a request from the browser)."""
    if Channel.WEB not in rule.channels:
        return False
    if rule.task:
        allowed = set(rule.roles(profile)) if rule.roles is not None else profile.handler_roles()
        return profile.roles[role].handles_data and role in allowed
    if rule.roles is None:
        return True
    return role in set(rule.roles(profile))


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_each_role_may_do_exactly_what_its_profile_gives_it(activate, make_user, make_terminal, profile_name,
                                                             role):
    from tokutei.staff.models import Unit

    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())
    unit = Unit.objects.create(key="u1", name_ja="担当課")
    user = make_user("someone", role, tasks=tasks if profile.roles[role].handles_data else [], unit=unit)
    terminal = make_terminal("端末")[0]
    actor = Actor(user=user, terminal=terminal, purpose=tasks[0])
    rules = all_rules()
    assert rules, "no action is registered"
    for rule in rules:
        decision = decide(actor, rule.action)
        assert bool(decision) is expected(rule, profile, role), (rule.action.value, role, decision.reason)
        if not decision:
            assert decision.reason, rule.action.value
            assert decision.article or not (set(rule.roles(profile)) if rule.roles else True), rule.action.value


@pytest.mark.parametrize("profile_name", sorted({name for name, _ in CASES}))
def test_nobody_signed_out_or_without_a_role_may_do_anything(activate, make_user, make_terminal, profile_name):
    activate(profile_name)
    nobody = make_user("nobody")  # a staff account with no role in force
    terminal = make_terminal("端末")[0]
    for rule in all_rules():
        assert not decide(Actor(user=None, terminal=terminal), rule.action), rule.action.value
        if rule.roles is not None or rule.task:
            assert not decide(Actor(user=nobody, terminal=terminal), rule.action), rule.action.value


@pytest.mark.parametrize("profile_name", sorted({name for name, _ in CASES}))
def test_personal_data_needs_a_registered_terminal_wherever_the_profile_says_so(activate, make_user,
                                                                                   profile_name):
    profile = activate(profile_name)
    handler = next(k for k, r in profile.roles.items() if r.handles_data)
    tasks = list(profile.selectable_tasks())
    user = make_user("tanto", handler, tasks=tasks)
    for rule in all_rules():
        if rule.needs_terminal and profile.authentication.terminals_required:
            decision = decide(Actor(user=user, terminal=None, purpose=tasks[0]), rule.action)
            assert not decision and decision.code == "terminal", rule.action.value
