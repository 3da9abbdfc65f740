"""Reads of the audit programme: engagements, findings, reports awaiting receipt, handovers, the separation
of duties as it stands today, and the management-review pack's figures — querysets already restricted by
the policy where they are lists a person browses."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import QuerySet
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile

from .models import Answer, Engagement, Finding, Handover


def engagements() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("lead", "unit")


def findings(actor: Actor) -> QuerySet[Finding]:
    return restrict(Finding.objects.select_related("owner", "engagement"), actor, Action.AUDITS_CORRECTIVE)


def open_findings(actor: Actor) -> QuerySet[Finding]:
    return findings(actor).exclude(status=Finding.Status.CLOSED)


def overdue_findings_for(user) -> list[Finding]:
    """Overdue corrective actions the user owns, or that were escalated to a role they hold."""
    from tokutei.staff.selectors import role_keys

    held = role_keys(user)
    rows = (Finding.objects.exclude(status=Finding.Status.CLOSED).filter(due_on__lt=timezone.localdate())
            .select_related("owner").order_by("due_on", "id"))
    return [f for f in rows if f.owner_id == user.pk or held & set(f.escalated_to)]


def awaiting_receipt(user) -> list[Engagement]:
    """Reports that went to a role the user holds and that they have not acknowledged."""
    from tokutei.staff.selectors import role_keys

    held = role_keys(user)
    rows = (Engagement.objects.filter(status=Engagement.Status.REPORTED).exclude(receipts__user=user)
            .order_by("-reported_at"))
    return [e for e in rows if held & set(e.recipients)]


def handovers(actor: Actor) -> QuerySet[Handover]:
    return restrict(Handover.objects.select_related("outgoing", "successor", "unit", "confirmed_by"), actor,
                    Action.AUDITS_HANDOVER)


def handovers_to_confirm(user) -> list[Handover]:
    from tokutei.staff.selectors import active_assignments

    rule = get_profile().audits.handover
    if rule is None:
        return []
    units = {a.unit_id for a in active_assignments(user).filter(role_key__in=rule.confirmed_by)}
    if not units:
        return []
    rows = Handover.objects.filter(status=Handover.Status.SUBMITTED).select_related("outgoing", "successor")
    return [h for h in rows if h.unit_id in units or None in units]


def answers_of(engagement: Engagement) -> dict[str, Answer]:
    return {a.item_id: a for a in engagement.answers.select_related("answered_by")}


def conflicts() -> list[dict]:
    """People holding today roles the profile's separation of duties keeps apart (refused or warned)."""
    from tokutei.core.inforce import in_force_q
    from tokutei.staff.models import RoleAssignment

    profile = get_profile()
    held: dict = {}
    for a in RoleAssignment.objects.filter(in_force_q()).select_related("user"):
        held.setdefault(a.user, set()).add(a.role_key)
    found = []
    for rule in profile.audits.separation:
        for user, roles in held.items():
            together = [r for r in rule.roles if r in roles]
            if len(together) >= 2:
                found.append({"user": user, "rule": rule, "roles": [profile.roles[r].ja for r in together]})
    return found


def review_pack(period_from: dt.date, period_to: dt.date) -> dict:
    """The figures of the management review (002 §43, 004 §11-2), pre-filled from the period."""
    from tokutei.auditlog.models import LogReview
    from tokutei.incidents.models import Incident

    from . import training
    from .evidence import period_bounds

    start, end = period_bounds(period_from, period_to)
    done = list(Engagement.objects.filter(opened_at__gte=start, opened_at__lt=end).select_related("lead"))
    answers = Counter(Answer.objects.filter(engagement__in=done).values_list("result", flat=True))
    period_findings = list(Finding.objects.filter(created_at__gte=start, created_at__lt=end).select_related("owner"))
    still_open = list(Finding.objects.exclude(status=Finding.Status.CLOSED).select_related("owner"))
    incidents = list(Incident.objects.filter(reported_at__gte=start, reported_at__lt=end))
    reviews = list(LogReview.objects.filter(signed_at__gte=start, signed_at__lt=end).select_related("reviewer"))
    return {
        "engagements": done,
        "answers": {k: answers.get(k, 0) for k in ("compliant", "finding", "na")},
        "findings": period_findings,
        "findings_by_severity": Counter(f.severity for f in period_findings),
        "findings_by_source": Counter(f.source for f in period_findings),
        "open_findings": still_open,
        "overdue_findings": [f for f in still_open if f.is_overdue],
        "incidents": incidents,
        "incidents_by_category": Counter(i.category for i in incidents),
        "log_reviews": reviews,
        "log_reviews_with_issues": sum(1 for r in reviews if r.issues_found),
        "training": training.summary(),
    }
