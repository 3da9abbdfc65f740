"""Fixtures for the ledgers: a profile with a handling-status form (T97); the named people
(clerk, manager, sysadmin, auditor) and the terminal come from the root conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def org(activate, settings):
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    return activate("T97")
