"""Who is told of an incident, in which order — read from the profile's ``incident`` (R-INC-2, R-INC-3).

``incident.route`` lists the roles in reporting order. When ``incident.reporter`` names the route's first
role, that role reports and is not itself told (000 システム操作者 → システム管理者). A reporter who holds a
role of the route reports from there: the roles after it are told (a 保護管理者 reporting in 002 goes
straight to the 総括保護管理者). Each step goes to the holders of its role in force — in the reporter's unit
when the role is unit-scoped — who are not absent; when none is available, the profile's ``fallback`` role
takes the step (003 §8: 保護管理者が不在の場合は総括保護管理者, E-42).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from tokutei.core.inforce import in_force_q
from tokutei.profiles.schema import Profile


def route_roles(profile: Profile) -> list[str]:
    """The roles that are told, in order (the reporting role itself excluded)."""
    inc = profile.incident
    if inc is None:
        return []
    roles = [r for r in inc.route if r in profile.roles]
    if inc.reporter and roles and roles[0] == inc.reporter:
        roles = roles[1:]
    return roles


def recipient_roles(profile: Profile) -> set[str]:
    """Every role that may be told of an incident: the route's and the fallbacks'."""
    inc = profile.incident
    return set(route_roles(profile)) | (set(inc.fallback.values()) if inc is not None else set())


def overseer_roles(profile: Profile) -> set[str]:
    """Roles that see every incident: the auditors, and the managers and route roles that are not unit-scoped."""
    wide = profile.manager_roles() | recipient_roles(profile)
    return profile.auditor_roles() | {r for r in wide if r in profile.roles and not profile.roles[r].unit_scoped}


def unit_overseer_roles(profile: Profile) -> set[str]:
    """Unit-scoped roles of the route (保護管理者, 事務取扱責任者): every incident reported in their unit."""
    return {r for r in recipient_roles(profile) if profile.roles[r].unit_scoped}


def steps_for(profile: Profile, reporter_roles: set[str]) -> list[str]:
    """The route of one report: the roles after the highest route role the reporter holds."""
    roles = route_roles(profile)
    held = [i for i, r in enumerate(roles) if r in reporter_roles]
    return roles[max(held) + 1:] if held else roles


def holders(profile: Profile, role_key: str, unit_id: int | None, day: dt.date | None = None):
    """Users holding ``role_key`` in force on ``day`` — in ``unit_id`` when the role is unit-scoped."""
    from tokutei.staff.models import RoleAssignment, User

    day = day or timezone.localdate()
    rows = RoleAssignment.objects.filter(in_force_q(day), role_key=role_key, user__is_active=True)
    role = profile.roles.get(role_key)
    if role is not None and role.unit_scoped and unit_id is not None:
        rows = rows.filter(Q(unit_id=unit_id) | Q(unit__isnull=True, user__unit_id=unit_id))
    return User.objects.filter(pk__in=rows.values("user_id")).order_by("id")


def absent_user_ids(user_ids, day: dt.date | None = None) -> set[int]:
    from .models import Absence

    day = day or timezone.localdate()
    return set(Absence.objects.filter(in_force_q(day), user_id__in=list(user_ids)).values_list("user_id", flat=True))


def recipients_for(profile: Profile, role_key: str, unit_id: int | None, day: dt.date | None = None):
    """(to_role, [users], redirect): who takes the step of ``role_key`` now.

    redirect is "" (the role's holders), "absent" (all of them absent: the fallback's holders) or
    "no_holder" (nobody holds the role: the fallback's). With no fallback, or nobody available there
    either, the list is empty.
    """
    users = list(holders(profile, role_key, unit_id, day))
    absent = absent_user_ids([u.pk for u in users], day)
    available = [u for u in users if u.pk not in absent]
    if available:
        return role_key, available, ""
    redirect = "absent" if users else "no_holder"
    inc = profile.incident
    fallback = inc.fallback.get(role_key) if inc is not None else None
    if fallback:
        others = list(holders(profile, fallback, unit_id, day))
        gone = absent_user_ids([u.pk for u in others], day)
        return fallback, [u for u in others if u.pk not in gone], redirect
    return role_key, [], redirect
