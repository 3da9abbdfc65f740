"""Fixtures for the profile tests: the shipped profiles and a way to write a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

SHIPPED = {
    "sendai-kyosai": "000",
    "kokubunji": "001",
    "sayama": "002",
    "inabe": "003",
    "hyogo-kyosai": "004",
}
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.yaml"


@pytest.fixture
def shipped():
    """name → validated Profile, for every shipped profile."""
    from tokutei.profiles.loader import load_profile_file

    return {name: load_profile_file(DATA_DIR / f"{name}.yaml") for name in SHIPPED}


@pytest.fixture
def broken_profile(tmp_path, settings):
    """A profile directory holding ``broken.yaml`` (code B01): the minimal profile with three mistakes —
    a typo key, an approval naming an unknown role, and a wrong type."""
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace('code: "T99"', 'code: "B01"')
    text = text.replace("designated_by: [manager]", "designated_by: [manager], desgnated_by: [manager]")
    text = text.replace("  idle_logoff_minutes: 15", "  idle_logoff_minutes: fifteen")
    text += (
        "approvals:\n"
        "  copy: {ja: 複製, steps: [{roles: [boss]}], article: \"B01 §9\"}\n"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, tmp_path]
    return path


BROKEN_PATHS = {
    "roles.clerk.desgnated_by",
    "authentication.idle_logoff_minutes",
    "approvals.copy.steps.0.roles",
}
