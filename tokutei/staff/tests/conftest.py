"""Staff-app fixtures: the T99 organisation with a system administrator, a protection manager who holds
the 総務課長 post, and a designated clerk; helpers to sign in through the real pages."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.utils import timezone

from tokutei.staff.models import Post, RoleAssignment, Unit


@pytest.fixture
def org(activate):
    from tokutei.staff.services import ensure_org_structure

    profile = activate("T99")
    ensure_org_structure()
    return profile


@pytest.fixture
def somu(org):
    return Unit.objects.get(key="somu")


@pytest.fixture
def sysadmin(org, make_user):
    return make_user("sysadmin", "sysadmin")


@pytest.fixture
def manager(org, make_user, somu):
    user = make_user("manager", unit=somu)
    RoleAssignment.objects.create(user=user, role_key="manager", unit=somu, basis=RoleAssignment.Basis.EX_OFFICIO,
                                  post=Post.objects.get(key="somu_kacho"),
                                  start_date=timezone.localdate() - dt.timedelta(days=30))
    return user


@pytest.fixture
def clerk(org, make_user, somu):
    return make_user("clerk", "clerk", tasks=["payroll"], unit=somu)


@pytest.fixture
def totp_user(org):
    """enrol(user) → the TOTP secret, stored encrypted like a real enrolment."""
    from tokutei.staff import factors

    def _enrol(user):
        secret = factors.new_totp_secret()
        assert factors.enrol_totp(user=user, secret=secret, code=pyotp.TOTP(secret).now()) is not None
        # Allow the same time step to be used again by the sign-in under test (no replay otherwise).
        user.second_factors.update(last_counter=0)
        return secret

    return _enrol


def entries(action: str, **filters):
    from tokutei.auditlog.models import Entry

    return Entry.objects.filter(action=action, **filters)
