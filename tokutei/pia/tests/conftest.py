"""PIA fixtures: the T95 test profile, a key store, files of many people made fast, and the named people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tokutei.policy import Actor

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_DIR.mkdir()
    keys.reset_cache()
    keys.ensure_keys()
    yield settings.KEY_DIR
    keys.reset_cache()


@pytest.fixture
def org(activate, settings):
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    return activate("T95")


@pytest.fixture
def unit(db):
    from tokutei.staff.models import Unit

    return Unit.objects.create(key="nenkin", name_ja="年金課")


@pytest.fixture
def clerk(org, make_user, unit):
    return make_user("clerk", "clerk", tasks=["pension"], unit=unit)


@pytest.fixture
def manager(org, make_user, unit):
    return make_user("manager", "manager", unit=unit)


@pytest.fixture
def terminal(make_terminal):
    return make_terminal("窓口端末1")[0]


@pytest.fixture
def at_desk(clerk, terminal):
    return Actor(user=clerk, terminal=terminal, purpose="pension")


@pytest.fixture
def pension_file(at_desk, unit):
    from tokutei.vault.models import SpecificFile
    from tokutei.vault.services import create_file

    f = create_file(actor=at_desk, name="年金受給者ファイル", tasks=["pension"])
    SpecificFile.objects.filter(pk=f.pk).update(unit=unit)
    f.refresh_from_db()
    return f


@pytest.fixture
def fill(org, clerk):
    """fill(file, n, start=0) → n people bulk-created in the file (distinct numbers), as a loader would."""
    from tokutei.core.synthetic import batches
    from tokutei.vault.codec import PersonCodec
    from tokutei.vault.models import Person

    def _fill(file, n: int, start: int = 0) -> None:
        codec = PersonCodec.for_file(file.pk, profile=org)
        now = timezone.now() - dt.timedelta(minutes=1)
        for batch in batches(n, size=5000, seed=95, start=start):
            rows = []
            for raw in batch:
                values = codec.clean({"my_number": raw["my_number"], "name": raw["name"]}, require=False)
                key_id, blob = codec.encrypt(values)
                rows.append(Person(file=file, task="pension", data=blob, key_id=key_id, **codec.indexes(values),
                                   status=Person.Status.CONFIRMED, entered_by=clerk, entered_at=now))
            Person.objects.bulk_create(rows, batch_size=2000)

    return _fill


@pytest.fixture
def handlers(org, unit):
    """handlers(n, start=0, dispatched=0) → n more clerks designated for pension (no password hashing)."""
    from tokutei.staff.models import RoleAssignment, User

    def _make(n: int, start: int = 0, dispatched: int = 0) -> list:
        users = User.objects.bulk_create([
            User(username=f"h{start + i:04d}", full_name=f"担当 {i}", unit=unit, password="!",
                 employment=User.Employment.DISPATCHED if i < dispatched else User.Employment.REGULAR)
            for i in range(n)])
        RoleAssignment.objects.bulk_create([
            RoleAssignment(user=u, role_key="clerk", tasks=["pension"], unit=unit,
                           start_date=timezone.localdate() - dt.timedelta(days=1)) for u in users])
        return users

    return _make
