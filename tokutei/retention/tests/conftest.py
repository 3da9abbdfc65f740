"""Retention fixtures: the T96 test profile, its people, a key store, a file of people and a clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from stdnum.jp import in_

from tokutei.policy import Actor

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield settings.KEY_DIR
    keys.reset_cache()


@pytest.fixture
def org(activate, settings):
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    return activate("T96")


@pytest.fixture
def clerk(org, make_user):
    return make_user("clerk", "clerk", tasks=["pension", "payroll"])


@pytest.fixture
def clerk2(org, make_user):
    return make_user("clerk2", "clerk", tasks=["pension", "payroll"])


@pytest.fixture
def clerk3(org, make_user):
    return make_user("clerk3", "clerk", tasks=["pension", "payroll"])


@pytest.fixture
def manager(org, make_user):
    return make_user("manager", "manager")


@pytest.fixture
def terminal(make_terminal):
    return make_terminal("窓口端末1")[0]


@pytest.fixture
def clock(monkeypatch):
    """clock(date): today, for the retention services and selectors."""
    from tokutei.retention import schedule

    def _set(day: dt.date) -> None:
        monkeypatch.setattr(schedule, "today", lambda: day)
        for module in ("tokutei.retention.services.disposal", "tokutei.retention.selectors"):
            monkeypatch.setattr(f"{module}.today", lambda: day)

    return _set


def number(seed: int) -> str:
    base = f"{seed:011d}"
    return base + in_.calc_check_digit(base)


@pytest.fixture
def pension_file(clerk, terminal):
    from tokutei.vault.services import create_file

    return create_file(actor=Actor(user=clerk, terminal=terminal), name="年金受給者ファイル", tasks=["pension"])


@pytest.fixture
def person_in(clerk, terminal):
    """person_in(file, seed, lost=date) → a Person whose 失権日 is ``lost``."""
    from tokutei.vault.models import Person
    from tokutei.vault.services import intake_person

    def _make(file, seed: int, lost: dt.date | None = None, purpose: str = "pension"):
        result = intake_person(actor=Actor(user=clerk, terminal=terminal, purpose=purpose), file=file,
                               values={"my_number": number(seed), "name": "山田 太郎"})
        if lost is not None:
            Person.objects.filter(pk=result.person.pk).update(retention_trigger_date=lost)
        return Person.objects.get(pk=result.person.pk)

    return _make
