"""The audit programme from the profile's ``schedules`` (R-AUD-1, R-AUD-2, R-LOG-4): for each periodic duty,
who does it, who receives its report, when it was last done and when it is due.

What counts as done: a reported engagement of that schedule (audit, inspection, review), a signed-off log
review (tokutei.auditlog ``LogReview``: the existing review, folded into the same schedule), a training
session held. A duty never done is due at once. The regulations never quantify 定期 (requirements §6-1):
``every`` is the organisation's setting, marked open in the profile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from tokutei.profiles.schema import Schedule
from tokutei.profiles.selectors import get_profile

DUE_SOON_DAYS = 30
TRACKED = ("audit", "inspection", "review", "log_review", "training")


@dataclass(frozen=True)
class Duty:
    key: str
    schedule: Schedule
    last: dt.date | None
    due: dt.date | None
    recipients: tuple[str, ...]  # role names
    body: str  # the governance body that also receives it ("" for none)

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()

    @property
    def due_soon(self) -> bool:
        return (self.due is not None and not self.overdue
                and self.due <= timezone.localdate() + dt.timedelta(days=DUE_SOON_DAYS))

    @property
    def tracked(self) -> bool:
        return self.schedule.kind in TRACKED


def last_done(key: str, schedule) -> dt.date | None:
    from tokutei.auditlog.models import LogReview

    from .models import Engagement, TrainingSession

    if schedule.kind in ("audit", "inspection", "review"):
        at = (Engagement.objects.filter(schedule_key=key, status=Engagement.Status.REPORTED)
              .aggregate(d=Max("reported_at"))["d"])
        return timezone.localdate(at) if at else None
    if schedule.kind == "log_review":
        at = LogReview.objects.aggregate(d=Max("signed_at"))["d"]
        return timezone.localdate(at) if at else None
    if schedule.kind == "training":
        day: dt.date | None = (TrainingSession.objects.filter(held_on__lte=timezone.localdate())
                               .aggregate(d=Max("held_on"))["d"])
        return day
    return None


def report_roles(schedule, profile=None) -> list[str]:
    """The role keys the report of ``schedule`` goes to: ``report_to`` and, with ``report_to_body``, the body's
    chair (000 会議: 統括責任者; 001 委員会: its chair is named by post, so ``report_to`` names the role)."""
    profile = profile or get_profile()
    roles = list(schedule.report_to)
    gb = profile.governance_body
    if schedule.report_to_body and gb is not None and gb.chair in profile.roles and gb.chair not in roles:
        roles.append(gb.chair)
    return roles


def duties(profile=None) -> list[Duty]:
    profile = profile or get_profile()
    today = timezone.localdate()
    found = []
    for key, schedule in profile.schedules.items():
        last = last_done(key, schedule) if schedule.kind in TRACKED else None
        if schedule.kind not in TRACKED:
            due = None
        elif last is None:
            due = today
        else:
            due = schedule.every.add_to(last) if schedule.every is not None else None
        gb = profile.governance_body
        found.append(Duty(key, schedule, last, due,
                          tuple(profile.roles[r].ja for r in report_roles(schedule, profile)),
                          gb.ja if schedule.report_to_body and gb is not None else ""))
    return found


def duties_for(user) -> list[Duty]:
    """The due or overdue duties ``user`` carries out (their dashboard)."""
    from tokutei.staff.selectors import role_keys

    held = role_keys(user)
    return [d for d in duties() if d.tracked and (d.overdue or d.due_soon) and held & set(d.schedule.roles)]
