"""The demo loader works for every shipped profile and designates through the rules (no refusals)."""

from __future__ import annotations

import pytest

from tokutei.profiles.selectors import get_profile
from tokutei.staff import demo
from tokutei.staff.models import RoleAssignment, Terminal, User

from .conftest import entries


@pytest.mark.parametrize("name", ["hyogo-kyosai", "sendai-kyosai", "kokubunji", "sayama", "inabe"])
def test_demo_staff_fill_every_role_of_the_profile(activate, name):
    profile = activate(name)
    admin = User.objects.create_user(username="admin", password="x" * 16)
    for key in profile.admin_roles():
        RoleAssignment.objects.create(user=admin, role_key=key, basis="bootstrap", start_date="2020-04-01")
    lines = demo.load()
    held = set(RoleAssignment.objects.filter(revoked_at__isnull=True).exclude(user=admin)
               .values_list("role_key", flat=True))
    assert set(get_profile().roles) <= held | profile.admin_roles()
    assert not entries("staff.designate", result="refused").exists()
    assert any("/terminal/enrol/?code=" in line for line in lines)
    assert Terminal.objects.count() == 1
    assert User.objects.get(username=lines[2].split()[0]).check_password(demo.DEMO_PASSWORD)
    for role in profile.roles.values():
        if role.exact_holders:
            assert RoleAssignment.objects.filter(role_key=next(k for k, r in profile.roles.items() if r is role),
                                                 revoked_at__isnull=True).count() == role.exact_holders
