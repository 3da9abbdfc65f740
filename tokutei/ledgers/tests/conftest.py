"""Fixtures for the ledgers: a profile with a handling-status form (T97), people per role."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def org(activate, settings):
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    return activate("T97")


@pytest.fixture
def clerk(org, make_user):
    return make_user("clerk", "clerk", tasks=["payroll"])


@pytest.fixture
def manager(org, make_user):
    return make_user("manager", "manager")


@pytest.fixture
def sysadmin(org, make_user):
    return make_user("sysadmin", "sysadmin")


@pytest.fixture
def auditor(org, make_user):
    return make_user("auditor", "auditor")


@pytest.fixture
def terminal(make_terminal):
    return make_terminal("窓口端末1")[0]
