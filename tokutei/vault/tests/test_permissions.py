"""Generated permission tests: every role of every shipped profile × every vault action (E-01, E-02),
asked of the one access decision (tokutei.policy).

Only roles with ``handles_data`` reach personal data, and only for a purpose inside their task scope.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tokutei.policy import Actor, decide
from tokutei.vault.rules import VAULT_ACTIONS

DATA = Path(__file__).resolve().parents[2] / "profiles" / "data"
CASES = []
for path in sorted(DATA.glob("*.yaml")):
    roles = yaml.safe_load(path.read_text(encoding="utf-8"))["roles"]
    CASES += [(path.stem, role) for role in roles]


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_only_designated_handlers_reach_people_for_their_tasks(activate, make_user, make_terminal, profile_name,
                                                               role):
    from tokutei.staff.models import Unit
    from tokutei.vault.models import SpecificFile

    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())
    inside, outside = tasks[0], (tasks[1] if len(tasks) > 1 else None)
    unit = Unit.objects.create(key="u1", name_ja="課")
    user = make_user("someone", role, tasks=[inside], unit=unit)
    terminal = make_terminal("端末")[0]
    file = SpecificFile.objects.create(name="F", tasks=tasks, unit=unit)
    handles = profile.roles[role].handles_data
    for action in VAULT_ACTIONS:
        assert bool(decide(Actor(user=user, terminal=terminal, purpose=inside), action, file)) is handles
        if outside:
            assert not decide(Actor(user=user, terminal=terminal, purpose=outside), action, file)
        assert not decide(Actor(user=user, terminal=None, purpose=inside), action, file) or (
            not profile.authentication.terminals_required)
        assert not decide(Actor(user=user, terminal=terminal, purpose=""), action, file)
