"""Training coverage (R-TRN-1, R-TRN-3, R-TRN-5): who must attend, who did, who is overdue.

The audience is live: the people holding an audience role today (designations and posts). An attendance
counts from its session's date; a training with ``every`` must be attended again after that long. In 001
the recorded instructions of an ID + password decision (001 §5.3) count as the attendance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from tokutei.profiles.selectors import get_profile


def attended_on(user, key: str, requirement) -> dt.date | None:
    """The last day ``user`` attended training ``key`` (or received 001's recorded instructions)."""
    from tokutei.staff.models import PasswordOnlyDecision

    from .models import Attendance

    day = Attendance.objects.filter(user=user, session__requirement_key=key).aggregate(d=Max("session__held_on"))["d"]
    if requirement.password_only_instructions:
        instructed = (PasswordOnlyDecision.objects.filter(user=user, revoked_at__isnull=True)
                      .exclude(instruction_management="").exclude(instruction_proper_use="")
                      .aggregate(d=Max("instructed_on"))["d"])
        if instructed is not None and (day is None or instructed > day):
            day = instructed
    return day


@dataclass(frozen=True)
class Coverage:
    user: Any
    role_keys: tuple[str, ...]
    last: dt.date | None
    due: dt.date | None  # when the next attendance is due (None: attended, once is enough)
    overdue: bool


def _audience(requirement) -> dict:
    from tokutei.core.inforce import in_force_q
    from tokutei.staff.models import RoleAssignment

    people: dict = {}
    for a in (RoleAssignment.objects.filter(in_force_q(), role_key__in=requirement.audience, user__is_active=True)
              .select_related("user").order_by("user__username")):
        people.setdefault(a.user, set()).add(a.role_key)
    return people


def coverage(key: str, requirement=None, *, today: dt.date | None = None) -> list[Coverage]:
    today = today or timezone.localdate()
    requirement = requirement or get_profile().audits.training[key]
    rows = []
    for user, roles in _audience(requirement).items():
        last = attended_on(user, key, requirement)
        if last is None:
            due, overdue = today, True
        elif requirement.every is not None:
            due = requirement.every.add_to(last)
            overdue = due < today
        else:
            due, overdue = None, False
        rows.append(Coverage(user, tuple(sorted(roles)), last, due, overdue))
    return rows


def overdue_for(user) -> list[tuple[str, Any]]:
    """The trainings ``user`` has to attend and has not (their own dashboard)."""
    from tokutei.staff.selectors import role_keys

    profile = get_profile()
    held = role_keys(user)
    found: list[tuple[str, Any]] = []
    for key, req in profile.audits.training.items():
        if not held & set(req.audience):
            continue
        last = attended_on(user, key, req)
        if last is None or (req.every is not None and req.every.add_to(last) < timezone.localdate()):
            found.append((key, req))
    return found


def summary() -> list[dict]:
    """Per training: audience size, attended in time, overdue."""
    profile = get_profile()
    out = []
    for key, req in profile.audits.training.items():
        rows = coverage(key, req)
        out.append({"key": key, "requirement": req, "audience": len(rows),
                    "overdue": sum(1 for r in rows if r.overdue), "rows": rows})
    return out
