"""The vault's holes of issue 11:

* the menu's count of entries awaiting a second person's check counts only what the clerk could open: the
  files of the declared task, within the units of their designation (E-02, E-04).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tokutei.policy import Actor
from tokutei.vault.services import create_file, intake_person

from .conftest import CARD
from .test_intake import number

# --- the menu counts only what the clerk may reach ----------------------------------------------------------


@pytest.fixture
def two_units(t98, handler, terminal):
    """Two units, two tasks: a file of each unit for 年金 (pension), and one of 年金課 for 回付 (forwarding),
    each with entries awaiting their check (entered by ``handler``, who reaches every unit)."""
    from tokutei.staff.models import Unit

    nenkin, somu = Unit.objects.create(key="nenkin", name_ja="年金課"), Unit.objects.create(key="somu", name_ja="総務課")
    files = {
        "nenkin_pension": create_file(actor=Actor(user=handler, terminal=terminal), name="年金課 年金", unit=nenkin,
                                      tasks=["pension"]),
        "somu_pension": create_file(actor=Actor(user=handler, terminal=terminal), name="総務課 年金", unit=somu,
                                    tasks=["pension"]),
        "nenkin_forwarding": create_file(actor=Actor(user=handler, terminal=terminal), name="年金課 回付",
                                         unit=nenkin, tasks=["forwarding"]),
    }
    seed = 100
    for key, n in (("nenkin_pension", 1), ("somu_pension", 3), ("nenkin_forwarding", 5)):
        purpose = files[key].tasks[0]
        for _ in range(n):
            seed += 1
            intake_person(actor=Actor(user=handler, terminal=terminal, purpose=purpose), file=files[key],
                          values={"my_number": number(seed), "name": "山田 太郎"}, channel="from_person",
                          evidence=CARD)
    return {"nenkin": nenkin, "somu": somu, **files}


def _waiting_shown(user, credential, purpose: str) -> int | None:
    c = Client()
    c.force_login(user)
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    if purpose:
        c.post("/vault/purpose/", {"purpose": purpose, "next": "/"})
    html = c.get("/").content.decode()
    found = re.search(r"入力の確認待ち（他の職員の入力）: <strong>(\d+)</strong>", html)
    return int(found.group(1)) if found else None


def test_a_unit_clerk_counts_only_their_units_entries_for_the_declared_task(make_user, make_terminal, two_units):
    clerk_a = make_user("kanai", "unit_handler", tasks=["pension", "forwarding"], unit=two_units["nenkin"])
    credential = make_terminal("年金課端末")[1]
    assert _waiting_shown(clerk_a, credential, "pension") == 1  # not 総務課's 3, not 回付's 5
    assert _waiting_shown(clerk_a, credential, "forwarding") == 5
    assert _waiting_shown(clerk_a, credential, "") is None  # no task declared: no count


def test_a_clerk_of_the_other_unit_counts_their_own(make_user, make_terminal, two_units):
    clerk_b = make_user("somuta", "unit_handler", tasks=["pension"], unit=two_units["somu"])
    assert _waiting_shown(clerk_b, make_terminal("総務課端末")[1], "pension") == 3


def test_a_clerk_not_designated_for_the_task_sees_no_count(make_user, make_terminal, two_units):
    clerk_b = make_user("somuta", "unit_handler", tasks=["pension"], unit=two_units["somu"])
    assert _waiting_shown(clerk_b, make_terminal("総務課端末")[1], "forwarding") is None


def test_a_clerk_does_not_count_their_own_entries(handler, make_terminal, two_units):
    assert _waiting_shown(handler, make_terminal("端末X")[1], "pension") == 0  # they entered all of them
