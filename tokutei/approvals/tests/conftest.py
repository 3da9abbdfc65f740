"""Approvals fixtures: the 000 organisation (shipped profile when present, else a stand-in) and its officers."""

from __future__ import annotations

from pathlib import Path

import pytest

TASKS = ["p1", "p2", "p3", "p4", "survival_check"]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def profiles_dir(settings):
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    return FIXTURES


def _shipped(name: str) -> bool:
    from tokutei.profiles.loader import profile_sources

    return any(s.name == name for s in profile_sources())


@pytest.fixture
def org000(activate, profiles_dir):
    """The 000 profile: the shipped ``sendai-kyosai`` once it exists and has a bulk threshold, else the stand-in."""
    if _shipped("sendai-kyosai"):
        profile = activate("sendai-kyosai")
        if profile.bulk.threshold is not None and "media_carry_out" in profile.approvals:
            return profile
    return activate("sendai-standin")


@pytest.fixture
def t97(activate, profiles_dir):
    return activate("engine-t97")


@pytest.fixture
def officers000(org000, make_user):
    """000's officers: 本人確認情報管理責任者, システム管理者, 統括責任者, two operators, a 拠点管理者."""
    return {
        "id_manager": make_user("jikyoku_jicho", "id_manager"),
        "sys_admin": make_user("somu_kakaricho", "sys_admin"),
        "chief": make_user("jikyoku_cho", "chief"),
        "operator": make_user("sosasha1", "operator", tasks=TASKS),
        "operator2": make_user("sosasha2", "operator", tasks=TASKS),
        "site_admin": make_user("kyoten1", "operator", "site_admin", tasks=TASKS),
        "both": make_user("kenmu", "id_manager", "sys_admin"),
    }


def a_unit(key: str = "zeimu", name: str = "税務課"):
    """One unit of the organisation: a unit-scoped 保護管理者 (002) approves the requests of their own unit."""
    from tokutei.staff.models import Unit

    return Unit.objects.get_or_create(key=key, defaults={"name_ja": name})[0]
