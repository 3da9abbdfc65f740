"""Reading the committee's records: meetings, open action items, the agenda the profile offers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tokutei.profiles.selectors import get_profile

from .models import ActionItem, Meeting


def meetings() -> QuerySet[Meeting]:
    return Meeting.objects.all()


def open_items() -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(closed_at__isnull=True).select_related("meeting").order_by("due_on", "id")


def member_titles() -> list[str]:
    """The members as people read them: a role key's title (000), a post name as written (001)."""
    profile = get_profile()
    gb = profile.governance_body
    if gb is None:
        return []
    return [profile.roles[m].ja if m in profile.roles else m for m in gb.members]


def title_of(key: str) -> str:
    profile = get_profile()
    return profile.roles[key].ja if key in profile.roles else key


def presiding_title(meeting: Meeting) -> str:
    """Who presided, as people read it: the chair, or the vice-chair acting for an absent chair."""
    gb = get_profile().governance_body
    if gb is None:
        return ""
    if meeting.presiding == Meeting.Presiding.VICE_CHAIR and gb.vice_chair:
        return title_of(gb.vice_chair) + "（" + str(_("委員長が不在のため")) + "）"
    return title_of(gb.chair)


def overdue_items(today=None) -> QuerySet[ActionItem]:
    """Open action items past their due date."""
    from django.utils import timezone

    return open_items().filter(due_on__lt=today or timezone.localdate())


def open_findings():
    """Audit and inspection findings not yet closed — for the agenda (000 §8.3(2)(3), 001 §12.2(2))."""
    from tokutei.audits.models import Finding

    return Finding.objects.exclude(status=Finding.Status.CLOSED).order_by("due_on", "id")[:50]


def open_incidents():
    """Incidents with a step still unacknowledged, or reported in the last 90 days — for the agenda."""
    import datetime as dt

    from django.utils import timezone

    from tokutei.incidents.models import Incident

    since = timezone.now() - dt.timedelta(days=90)
    return Incident.objects.filter(reported_at__gte=since).order_by("-reported_at")[:50]
