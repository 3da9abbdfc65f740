"""Vault fixtures: a fresh key store per test, a handler per task, a registered terminal, a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokutei.policy import Actor

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    """Every test gets its own key store (KEY_DIR) with master and index keys."""
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield settings.KEY_DIR
    keys.reset_cache()


@pytest.fixture
def t99(activate):
    return activate("T99")


@pytest.fixture
def t98(activate, settings):
    """A profile with 004-style intake rules (identity verification, second-person check, storage site)."""
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    profile = activate("T98")
    from tokutei.vault.services import set_installation_site

    set_installation_site(site="data_centre")
    return profile


@pytest.fixture
def terminal(make_terminal):
    return make_terminal("窓口端末1")[0]


@pytest.fixture
def clerk(make_user, t99):
    return make_user("clerk", "clerk", tasks=["payroll"])


@pytest.fixture
def clerk2(make_user, t99):
    # also the 保護管理者: the one a correction's instruction may name (correction.instructor_roles)
    return make_user("clerk2", "clerk", "manager", tasks=["payroll", "insurance"])


@pytest.fixture
def payroll_file(clerk, terminal):
    from tokutei.vault.services import create_file

    return create_file(actor=Actor(user=clerk, terminal=terminal), name="給与ファイル", tasks=["payroll"])


@pytest.fixture
def handler(make_user, t98):
    return make_user("handler", "handler", tasks=["pension", "forwarding"])


@pytest.fixture
def checker(make_user, t98):
    # also the 特定個人情報保護責任者: the one a correction's instruction may name
    return make_user("checker", "handler", "officer", tasks=["pension", "forwarding"])


@pytest.fixture
def pension_file(handler, terminal):
    from tokutei.vault.services import create_file

    return create_file(actor=Actor(user=handler, terminal=terminal), name="年金受給者ファイル", tasks=["pension", "forwarding"],
                       retention_rule="system_data")


CARD = {"route": "documents", "documents": ["my_number_card"], "presentation": "original"}
