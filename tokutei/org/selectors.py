"""Reads of the organisation records: the rules version in force, who has acknowledged what, the chart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, restrict
from tokutei.profiles.models import ActiveProfile
from tokutei.profiles.schema import Acknowledgement as Duty
from tokutei.profiles.schema import Profile, Version
from tokutei.profiles.selectors import get_profile, in_force_rows, pending_rows

from .models import Acknowledgement, DisciplinaryMeasure


def version_in_force(profile: Profile, day: dt.date | None = None) -> Version:
    """The regulation's version (``organisation.versions``) in force on ``day``: the latest one in force by
    then, or the first when ``day`` is before all of them."""
    day = day or timezone.localdate()
    versions = sorted(profile.organisation.versions, key=lambda v: v.in_force)
    found = [v for v in versions if v.in_force <= day]
    return found[-1] if found else versions[0]


def profile_loaded_on(day: dt.date) -> ActiveProfile | None:
    """The profile text in force on ``day``: applied by the end of that day, with the latest 施行日 on or
    before it (a profile applied ahead of its 施行日 counts from that day only)."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return in_force_rows(day).filter(loaded_at__lt=end).first()


def pending_profiles() -> list[ActiveProfile]:
    """Profiles applied ahead of their 施行日, not yet in force (the soonest first)."""
    return pending_rows()


def profile_history() -> list[ActiveProfile]:
    return list(ActiveProfile.objects.select_related("loaded_by").order_by("-id")[:200])


@dataclass
class AckRow:
    user: Any  # tokutei.staff.models.User
    cells: list[tuple[str, Acknowledgement | None, bool]] = field(default_factory=list)  # (duty, latest, current)


def audience(profile: Profile, duty_key: str, users) -> list:
    """The users a duty applies to: holders of its audience roles, or everyone when it names none."""
    from tokutei.staff.selectors import role_keys

    duty = profile.org.acknowledgements[duty_key]
    return [u for u in users if not duty.audience or set(duty.audience) & role_keys(u)]


def register_rows(actor: Actor, action: Action = Action.ORG_ACK_REGISTER) -> tuple[dict, Version, list[AckRow]]:
    """The acknowledgement register: each member of staff the actor may see, for each duty, their latest
    acknowledgement and whether it is for the rules version in force."""
    from tokutei.staff.models import User

    profile = get_profile()
    version = version_in_force(profile)
    users = list(restrict(User.objects.filter(is_active=True), actor, action).select_related("unit").order_by("id"))
    acks: dict[tuple[int, str], Acknowledgement] = {}
    for a in Acknowledgement.objects.filter(user__in=users).order_by("rules_in_force", "id"):
        acks[(a.user_id, a.duty_key)] = a  # the latest version wins
    rows = []
    for user in users:
        row = AckRow(user)
        for key in profile.org.acknowledgements:
            if user not in audience(profile, key, [user]):
                row.cells.append((key, None, True))  # not concerned: shown as —
                continue
            latest = acks.get((user.pk, key))
            row.cells.append((key, latest, latest is not None and latest.rules_in_force == version.in_force))
        rows.append(row)
    return dict(profile.org.acknowledgements), version, rows


def my_duties(user) -> list[tuple[str, Duty, Acknowledgement | None]]:
    """The duties that apply to ``user`` with their acknowledgement under the version in force (or None)."""
    profile = get_profile()
    version = version_in_force(profile)
    out: list[tuple[str, Duty, Acknowledgement | None]] = []
    for key, duty in profile.org.acknowledgements.items():
        if audience(profile, key, [user]):
            ack = Acknowledgement.objects.filter(user=user, duty_key=key, rules_in_force=version.in_force).first()
            out.append((key, duty, ack))
    return out


def measures(actor: Actor):
    return restrict(DisciplinaryMeasure.objects.select_related("user", "recorded_by"), actor,
                    Action.ORG_DISCIPLINE_VIEW)


@dataclass
class ChartRole:
    key: str
    role: object
    holders: list = field(default_factory=list)
    children: list = field(default_factory=list)
    designators: list[str] = field(default_factory=list)  # who designates its holders (R-ORG-3)


def chart(profile: Profile) -> list[ChartRole]:
    """The roles as a tree of supervision (``supervises``), each with its holders in force; roles nobody
    supervises are the roots (R-ORG-5)."""
    from tokutei.incidents.routing import holders

    nodes = {k: ChartRole(k, r, list(holders(profile, k, None)),
                          designators=[profile.roles[d].ja for d in r.designated_by if d in profile.roles])
             for k, r in profile.roles.items()}
    supervised: set[str] = set()
    for key, role in profile.roles.items():
        for child in role.supervises:
            if child in nodes and child != key:
                nodes[key].children.append(nodes[child])
                supervised.add(child)
    roots = [n for k, n in nodes.items() if k not in supervised]
    return roots
