"""Shared test fixtures: an organisation with named users per role, and a registered terminal.

Tests read like the rules: ``clerk``, ``manager``, ``auditor``, ``sysadmin`` are people of the
organisation whose profile the test activates (``org``), each with their role assignment in force.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest
from django.utils import timezone

MINIMAL_PROFILE = Path(__file__).parent / "tokutei" / "profiles" / "tests" / "fixtures" / "minimal.yaml"

# Lifts the operation log's append-only triggers for the teardown flush of transactional tests only.
pytest_plugins = ["tokutei.auditlog.testing"]


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """Each test starts in the default language (Japanese), as a fresh request would.

    A request made in English by an earlier test leaves English active in the worker's thread; without
    this reset, messages would depend on which tests ran before.
    """
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _own_witness(settings, tmp_path):
    """Each test its own checkpoint witness (auditlog/witness.py): a transactional test that signs
    checkpoints must not leave witness lines that a later test's log would contradict."""
    settings.AUDIT_WITNESS_FILE = str(tmp_path / "witness" / "audit_checkpoints.witness")


@pytest.fixture
def activate(db, settings):
    """activate("000") → the Profile, made the organisation's profile in force for this test."""
    from tokutei.profiles.services import activate_profile

    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, MINIMAL_PROFILE.parent]

    def _activate(name: str):
        _row, profile = activate_profile(name=name)
        return profile

    return _activate


@pytest.fixture
def make_user(db):
    from tokutei.staff.models import RoleAssignment, User

    def _make(username: str, *roles: str, tasks: list[str] | None = None, unit=None,
              start: dt.date | None = None, end: dt.date | None = None, password: str = "correct horse 42"):
        user = User.objects.create_user(username=username, password=password, full_name=f"{username} 太郎",
                                        unit=unit)
        for role in roles:
            RoleAssignment.objects.create(
                user=user, role_key=role, tasks=list(tasks or []), unit=unit,
                start_date=start or timezone.localdate() - dt.timedelta(days=30), end_date=end,
            )
        return user

    return _make


@pytest.fixture
def make_terminal(db):
    """make_terminal("窓口端末1") → (terminal, credential): a registered, enrolled terminal."""
    from tokutei.staff.models import Terminal
    from tokutei.staff.selectors import credential_digest

    def _make(name: str = "窓口端末1"):
        credential = secrets.token_urlsafe(32)
        terminal = Terminal.objects.create(
            name=name, location="本庁舎2階", credential_digest=credential_digest(credential),
            enrolled_at=timezone.now(),
        )
        return terminal, credential

    return _make


# --- the named people of the organisation (tests read like the rules) ---------------------------------------
# ``org`` is the profile in force; an app's tests override it with their own test profile (every test profile
# names its roles clerk, manager, sysadmin and auditor). The people below are who the rules speak of.


@pytest.fixture
def org(activate):
    return activate("T99")


def first_task(profile) -> str:
    return next(iter(profile.selectable_tasks()))


@pytest.fixture
def clerk(org, make_user):
    """事務取扱担当者, designated for the profile's first task."""
    return make_user("clerk", "clerk", tasks=[first_task(org)])


@pytest.fixture
def manager(org, make_user):
    """保護管理者 (or the profile's manager role)."""
    return make_user("manager", "manager")


@pytest.fixture
def sysadmin(org, make_user):
    """システム管理者."""
    return make_user("sysadmin", "sysadmin")


@pytest.fixture
def auditor(org, make_user):
    """監査責任者: reads the whole operation log."""
    return make_user("auditor", "auditor")


@pytest.fixture
def terminal(make_terminal):
    """A registered, enrolled terminal (窓口端末1)."""
    return make_terminal("窓口端末1")[0]


@pytest.fixture
def confirm_in_register(db):
    """confirm_in_register(file, user) → the file's register entry confirmed by ``user`` (ledgers' sign-off):
    in 004 and 002 a new file is used only once it is (E-43)."""
    from tokutei.ledgers.services import sign_off_file
    from tokutei.policy import Actor

    def _confirm(file, user):
        sign_off_file(actor=Actor.console(user), file_id=file.pk)
        file.refresh_from_db()
        return file

    return _confirm
