"""Incident writes: report, route, acknowledge, escalate, timeline, absences, the PPC report, notices.

Each is one keyword-only function taking ``actor: Actor``: access is decided first (``require`` /
``get_or_refuse``, a refusal logged and raised before anything changes), then one durable transaction
whose last statements are its log entries. Nothing here stores personal data: text shaped like a 個人番号
is refused (tokutei.core.mynumber), people are named by record id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.core.mynumber import looks_like_my_number
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.schema import Profile
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import role_keys

from . import routing
from .deadlines import CATEGORIES, ITEMS
from .models import Absence, Incident, PersonNotice, PpcAssessment, RouteStep, StepRecipient, TimelineEntry

AFFECTED_KINDS = ("files", "records", "media", "terminals")
MAX_IDS = 200


def _article(profile: Profile) -> str:
    return profile.incident.article if profile.incident is not None else profile.organisation.article


def _no(actor: Actor, message: str, *, action: Action, article: str, code: str = "refused",
        target_id: Any = "", details: dict[str, Any] | None = None) -> Refused:
    """Log a refusal for ``actor`` and return it (raise it)."""
    return refuse(message, action=str(action), article=article, code=code,
                  target_type="incident" if target_id != "" else "", target_id=target_id,
                  details={"channel": actor.channel.value, **(details or {})}, **actor.log_fields())


def _check_text(actor: Actor, action: Action, article: str, target_id: Any = "", **texts: str) -> None:
    """No personal data in an incident: refuse a text with something shaped like a 個人番号."""
    for name, text in texts.items():
        if looks_like_my_number(text or ""):
            raise _no(actor, _("個人番号らしき数字が含まれています。事故等の記録に個人番号を書くことはできません。"
                               "記録番号などで示してください"),
                      action=action, article=article, code="my_number_in_text", target_id=target_id,
                      details={"field": name})


def _aware(value: dt.datetime) -> dt.datetime:
    """A time given without a zone (a form, a JSON client) is Japan time."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _clean_affected(affected: dict[str, Any] | None) -> dict[str, list[int]]:
    clean: dict[str, list[int]] = {}
    for kind in AFFECTED_KINDS:
        ids = sorted({int(i) for i in (affected or {}).get(kind, []) or [] if int(i) > 0})
        if ids:
            clean[kind] = ids[:MAX_IDS]
    return clean


def _load(actor: Actor, action: Action, incident_id: Any, queryset=None) -> Incident:
    try:
        pk = int(incident_id)
    except (TypeError, ValueError):
        pk = 0
    return get_or_refuse(actor, action, queryset if queryset is not None else Incident.objects.all(), pk=pk)


# --- routing --------------------------------------------------------------------------------------------


def _open_steps(incident: Incident, start: int, profile: Profile, now: dt.datetime) -> list[dict[str, Any]]:
    """Open the route's step ``start`` — and the following ones while a step finds nobody to tell.

    Returns the log details of each opened step (the caller records them last)."""
    roles = incident.route.get("roles", [])
    hours = int(incident.route.get("escalate_after_hours") or 24)
    opened: list[dict[str, Any]] = []
    index = start
    while index < len(roles):
        if RouteStep.objects.filter(incident=incident, index=index).exists():
            break
        to_role, users, redirect = routing.recipients_for(profile, roles[index], incident.unit_id,
                                                          timezone.localdate(now))
        # A step that finds nobody to tell is passed on at once (escalated when it opens).
        step = RouteStep.objects.create(incident=incident, index=index, role_key=roles[index], to_role=to_role,
                                        redirect=redirect, opened_at=now, due_at=now + dt.timedelta(hours=hours),
                                        escalated_at=None if users else now)
        StepRecipient.objects.bulk_create([StepRecipient(step=step, user=u) for u in users])
        opened.append({"step": index, "role": roles[index], "to_role": to_role, "redirect": redirect,
                       "recipients": [u.pk for u in users]})
        index += 1
        if users and not _told_together(incident, roles[index - 1], roles[index] if index < len(roles) else None):
            break
        # nobody to tell at this step, or the next role is told at the same time (001 §9.1): open the next one too
    return opened


def _told_together(incident: Incident, role: str, following: str | None) -> bool:
    """The profile's ``incident.together``: two consecutive route roles told at once (001 §9.1 市長及び総括責任者)."""
    return following is not None and any(role in group and following in group
                                         for group in incident.route.get("together", []))


def _redirect_if_absent(step: RouteStep, profile: Profile, now: dt.datetime) -> dict[str, Any] | None:
    """An open step whose every recipient is absent today goes to the profile's fallback for its role
    (003 §8, E-42): the fallback's available holders are added to the step. Returns the log details."""
    if step.acknowledged_at is not None or step.redirect or step.to_role != step.role_key:
        return None
    recipients = list(step.recipients.values_list("user_id", flat=True))
    day = timezone.localdate(now)
    if not recipients or routing.absent_user_ids(recipients, day) != set(recipients):
        return None
    to_role, users, redirect = routing.recipients_for(profile, step.role_key, step.incident.unit_id, day)
    if to_role == step.role_key or not users:
        return None
    step.to_role, step.redirect = to_role, redirect
    step.due_at = now + dt.timedelta(hours=int(step.incident.route.get("escalate_after_hours") or 24))
    step.save(update_fields=["to_role", "redirect", "due_at"])
    StepRecipient.objects.bulk_create([StepRecipient(step=step, user=u) for u in users], ignore_conflicts=True)
    return {"step": step.index, "role": step.role_key, "to_role": to_role, "redirect": redirect,
            "recipients": [u.pk for u in users]}


def _redirect_open_steps_of(user_id: int, profile: Profile, now: dt.datetime) -> list[tuple[RouteStep, dict]]:
    waiting = StepRecipient.objects.filter(user_id=user_id, step__acknowledged_at__isnull=True).values("step_id")
    # FOR UPDATE cannot go with DISTINCT (PostgreSQL): the steps are chosen by a subquery instead of a join.
    steps = RouteStep.objects.select_for_update().select_related("incident").filter(pk__in=waiting).order_by("pk")
    found = []
    for step in steps:
        details = _redirect_if_absent(step, profile, now)
        if details is not None:
            found.append((step, details))
    return found


def _record_routes(actor: Actor, incident: Incident, opened: list[dict[str, Any]]) -> None:
    for details in opened:
        record(action=Action.INCIDENTS_ROUTE, target_type="incident", target_id=incident.pk,
               article=incident.article, details=details, **actor.log_fields())


# --- reporting ------------------------------------------------------------------------------------------


def report_incident(*, actor: Actor, category: str, summary: str, found_at: dt.datetime, found_by: str,
                    affected: dict[str, Any] | None = None, suspected_cause: str = "") -> Incident:
    """事故等の報告 (R-INC-1): by anyone signed in; routed at once along the profile's route (R-INC-2)."""
    require(actor, Action.INCIDENTS_REPORT, details={"category": category})
    profile = get_profile()
    article = _article(profile)
    now = timezone.now()
    found_at = _aware(found_at)
    summary, found_by, suspected_cause = (summary or "").strip(), (found_by or "").strip(), (suspected_cause or "").strip()
    if category not in Incident.Category.values:
        raise _no(actor, _("事故等の区分を選択してください"), action=Action.INCIDENTS_REPORT, article=article,
                  code="invalid")
    if not summary or not found_by:
        raise _no(actor, _("何が起きたかと発見者を記入してください"), action=Action.INCIDENTS_REPORT,
                  article=article, code="invalid")
    if found_at > now + dt.timedelta(minutes=5):
        raise _no(actor, _("発見日時が未来になっています"), action=Action.INCIDENTS_REPORT, article=article,
                  code="invalid")
    _check_text(actor, Action.INCIDENTS_REPORT, article, summary=summary, found_by=found_by,
                suspected_cause=suspected_cause)
    clean = _clean_affected(affected)
    user = actor.user
    steps = routing.steps_for(profile, role_keys(user))
    inc = profile.incident
    snapshot = {"roles": steps, "fallback": dict(inc.fallback) if inc else {},
                "escalate_after_hours": inc.escalate_after_hours if inc else 24,
                "route": list(inc.route) if inc else [], "together": [list(g) for g in inc.together] if inc else []}
    with transaction.atomic(durable=True):
        incident = Incident.objects.create(
            category=category, summary=summary[:2000], found_at=found_at, found_by=found_by[:100], affected=clean,
            suspected_cause=suspected_cause[:2000], reported_by=user, reported_at=now,
            unit_id=getattr(user, "unit_id", None), route=snapshot, article=article)
        opened = _open_steps(incident, 0, profile, now)
        record(action=Action.INCIDENTS_REPORT, target_type="incident", target_id=incident.pk, article=article,
               details={"category": category, "affected": {k: len(v) for k, v in clean.items()},
                        "route": steps}, **actor.log_fields())
        _record_routes(actor, incident, opened)
    return incident


def add_timeline_entry(*, actor: Actor, incident_id: int, kind: str, text: str,
                       occurred_at: dt.datetime | None = None) -> TimelineEntry:
    """A later fact (detection, containment, investigation, decision, notification, prevention)."""
    incident = _load(actor, Action.INCIDENTS_TIMELINE, incident_id)
    text = (text or "").strip()
    occurred_at = _aware(occurred_at) if occurred_at else timezone.now()
    if kind not in TimelineEntry.Kind.values or not text:
        raise _no(actor, _("経過の種類と内容を記入してください"), action=Action.INCIDENTS_TIMELINE,
                  article=incident.article, code="invalid", target_id=incident.pk)
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise _no(actor, _("日時が未来になっています"), action=Action.INCIDENTS_TIMELINE, article=incident.article,
                  code="invalid", target_id=incident.pk)
    _check_text(actor, Action.INCIDENTS_TIMELINE, incident.article, incident.pk, text=text)
    with transaction.atomic(durable=True):
        entry = TimelineEntry.objects.create(incident=incident, kind=kind, text=text[:2000], occurred_at=occurred_at,
                                             recorded_by=actor.user)
        record(action=Action.INCIDENTS_TIMELINE, target_type="incident", target_id=incident.pk,
               article=incident.article, details={"kind": kind, "entry": entry.pk}, **actor.log_fields())
    return entry


def acknowledge(*, actor: Actor, incident_id: int) -> RouteStep:
    """受領: a recipient of an open step acknowledges it; the next step of the route is told."""
    incident = _load(actor, Action.INCIDENTS_ACKNOWLEDGE, incident_id)
    user = actor.user
    now = timezone.now()
    step = (RouteStep.objects.filter(incident=incident, acknowledged_at__isnull=True, recipients__user=user)
            .order_by("index").first())
    if step is None:
        raise _no(actor, _("受領できる報告がありません（あなたへの未受領の報告ではありません）"),
                  action=Action.INCIDENTS_ACKNOWLEDGE, article=incident.article, code="not_recipient",
                  target_id=incident.pk)
    with transaction.atomic(durable=True):
        step = RouteStep.objects.select_for_update().get(pk=step.pk)
        if step.acknowledged_at is not None:  # someone of the same step was faster: nothing more to do
            return step
        step.acknowledged_at, step.acknowledged_by = now, user
        step.save(update_fields=["acknowledged_at", "acknowledged_by"])
        opened = _open_steps(incident, step.index + 1, get_profile(), now) if step.escalated_at is None else []
        record(action=Action.INCIDENTS_ACKNOWLEDGE, target_type="incident", target_id=incident.pk,
               article=incident.article, details={"step": step.index, "role": step.to_role}, **actor.log_fields())
        _record_routes(actor, incident, opened)
    return step


def report_serious(*, actor: Actor, incident_id: int, reason: str) -> TimelineEntry:
    """特に重大な事案 (002 §39.3; 001 §9.1 重大な障害等): a person the report reached tells every remaining
    step of the route at once, instead of one after the other. Recorded as a decision on the timeline."""
    incident = _load(actor, Action.INCIDENTS_SERIOUS, incident_id)
    reason = (reason or "").strip()
    reached = RouteStep.objects.filter(incident=incident, recipients__user=actor.user).exists()
    if not reached:
        raise _no(actor, _("特に重大な事案として報告できるのは、この報告を受けた人です"), action=Action.INCIDENTS_SERIOUS,
                  article=incident.article, code="not_recipient", target_id=incident.pk)
    if not reason:
        raise _no(actor, _("特に重大と判断した理由を記入してください"), action=Action.INCIDENTS_SERIOUS,
                  article=incident.article, code="invalid", target_id=incident.pk)
    _check_text(actor, Action.INCIDENTS_SERIOUS, incident.article, incident.pk, reason=reason)
    profile = get_profile()
    now = timezone.now()
    with transaction.atomic(durable=True):
        entry = TimelineEntry.objects.create(incident=incident, kind=TimelineEntry.Kind.DECISION,
                                             text=_("特に重大な事案と判断し、報告経路のすべての報告先に直ちに報告: %(r)s")
                                             % {"r": reason[:1500]}, occurred_at=now, recorded_by=actor.user)
        opened: list[dict[str, Any]] = []
        for index in range(len(incident.route.get("roles", []))):
            opened += _open_steps(incident, index, profile, now)
        record(action=Action.INCIDENTS_SERIOUS, target_type="incident", target_id=incident.pk,
               article=incident.article, details={"entry": entry.pk, "opened": [o["step"] for o in opened]},
               **actor.log_fields())
        _record_routes(actor, incident, opened)
    return entry


def escalate_overdue(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Tell the next step of every route whose open step was not acknowledged in time (scheduler)."""
    require(actor, Action.INCIDENTS_ESCALATE)
    now = now or timezone.now()
    profile = get_profile()
    count = 0
    overdue = list(RouteStep.objects.filter(acknowledged_at__isnull=True, escalated_at__isnull=True,
                                            due_at__lte=now).values_list("pk", flat=True))
    waiting = list(RouteStep.objects.filter(acknowledged_at__isnull=True, escalated_at__isnull=True, redirect="")
                   .values_list("pk", flat=True))
    for pk in waiting:  # an absence that began since the step opened: the fallback takes it (E-42)
        with transaction.atomic(durable=True):
            step = RouteStep.objects.select_for_update().select_related("incident").get(pk=pk)
            details = _redirect_if_absent(step, profile, now)
            if details is not None:
                _record_routes(actor, step.incident, [details])
                overdue = [p for p in overdue if p != pk]
    for pk in overdue:
        with transaction.atomic(durable=True):
            step = RouteStep.objects.select_for_update().select_related("incident").get(pk=pk)
            if step.acknowledged_at is not None or step.escalated_at is not None:
                continue
            step.escalated_at = now
            step.save(update_fields=["escalated_at"])
            opened = _open_steps(step.incident, step.index + 1, profile, now)
            record(action=Action.INCIDENTS_ESCALATE, target_type="incident", target_id=step.incident_id,
                   article=step.incident.article,
                   details={"step": step.index, "role": step.to_role, "next": [o["step"] for o in opened]},
                   **actor.log_fields())
            _record_routes(actor, step.incident, opened)
        count += 1
    return count


# --- absences -------------------------------------------------------------------------------------------


def record_absence(*, actor: Actor, user_id: int, start_date: dt.date, end_date: dt.date,
                   reason: str = "") -> Absence:
    """不在の登録 (003 §8): by the person or a manager; while absent, the route's fallback takes their steps."""
    from tokutei.staff.models import User

    profile = get_profile()
    article = _article(profile)
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        raise _no(actor, _("その職員はいません"), action=Action.INCIDENTS_ABSENCE, article=article, code="not_found",
                  details={"user_id": user_id})
    require(actor, Action.INCIDENTS_ABSENCE, person, target=("user", person.pk))
    reason = (reason or "").strip()
    if end_date < start_date:
        raise _no(actor, _("終了日が開始日より前です"), action=Action.INCIDENTS_ABSENCE, article=article,
                  code="invalid", details={"user_id": person.pk})
    _check_text(actor, Action.INCIDENTS_ABSENCE, article, reason=reason)
    with transaction.atomic(durable=True):
        absence = Absence.objects.create(user=person, start_date=start_date, end_date=end_date, reason=reason[:100],
                                         recorded_by=actor.user)
        now = timezone.now()
        # Reports already waiting for this person go to the fallback at once when they are away today.
        redirected = _redirect_open_steps_of(person.pk, profile, now) if absence.is_active_on(
            timezone.localdate(now)) else []
        record(action=Action.INCIDENTS_ABSENCE, target_type="user", target_id=person.pk, article=article,
               details={"absence": absence.pk, "from": start_date.isoformat(), "to": end_date.isoformat()},
               **actor.log_fields())
        for step, details in redirected:
            _record_routes(actor, step.incident, [details])
    return absence


def cancel_absence(*, actor: Actor, absence_id: int) -> Absence:
    profile = get_profile()
    article = _article(profile)
    absence = Absence.objects.filter(pk=absence_id, revoked_at__isnull=True).select_related("user").first()
    if absence is None:
        raise _no(actor, _("該当する不在の登録がありません"), action=Action.INCIDENTS_ABSENCE, article=article,
                  code="not_found", details={"absence": absence_id})
    require(actor, Action.INCIDENTS_ABSENCE, absence.user, target=("user", absence.user_id))
    with transaction.atomic(durable=True):
        absence.revoked_at = timezone.now()
        absence.save(update_fields=["revoked_at"])
        record(action=Action.INCIDENTS_ABSENCE, target_type="user", target_id=absence.user_id, article=article,
               details={"absence": absence.pk, "cancelled": True}, **actor.log_fields())
    return absence


# --- the report to the 個人情報保護委員会 ---------------------------------------------------------------


def assess_ppc(*, actor: Actor, incident_id: int, learned_at: dt.datetime, categories: list[str],
               affected_people: int | None = None, items: dict[str, str] | None = None) -> PpcAssessment:
    """Record whether the incident is reportable (its categories), when the organisation learned of it,
    the number of people and the report's items. Recording 不正の目的 moves the 確報 to 60 days."""
    incident = _load(actor, Action.INCIDENTS_PPC_ASSESS, incident_id)
    learned_at = _aware(learned_at)
    unknown = [c for c in categories if c not in CATEGORIES]
    clean_items = {k: (v or "").strip()[:2000] for k, v in (items or {}).items() if k in ITEMS and (v or "").strip()}
    if unknown:
        raise _no(actor, _("報告対象の区分が正しくありません"), action=Action.INCIDENTS_PPC_ASSESS,
                  article=incident.article, code="invalid", target_id=incident.pk)
    if learned_at > timezone.now() + dt.timedelta(minutes=5):
        raise _no(actor, _("日時が未来になっています"), action=Action.INCIDENTS_PPC_ASSESS, article=incident.article,
                  code="invalid", target_id=incident.pk)
    _check_text(actor, Action.INCIDENTS_PPC_ASSESS, incident.article, incident.pk, **clean_items)
    with transaction.atomic(durable=True):
        ppc = PpcAssessment.objects.select_for_update().filter(incident=incident).first()
        before = sorted(ppc.categories) if ppc is not None else None
        if ppc is None:
            ppc = PpcAssessment(incident=incident)
        ppc.learned_at, ppc.categories = learned_at, [c for c in CATEGORIES if c in set(categories)]
        ppc.affected_people, ppc.items = affected_people, clean_items
        ppc.updated_by, ppc.updated_at = actor.user, timezone.now()
        ppc.save()
        record(action=Action.INCIDENTS_PPC_ASSESS, target_type="incident", target_id=incident.pk,
               article=incident.article,
               details={"categories": ppc.categories, "before": before, "reportable": ppc.reportable,
                        "learned_at": learned_at.isoformat(), "people": affected_people, "items": sorted(clean_items)},
               **actor.log_fields())
    return ppc


def record_ppc_submission(*, actor: Actor, incident_id: int, kind: str, on: dt.date) -> PpcAssessment:
    """The 速報 (``preliminary``) or 確報 (``final``) was submitted on ``on``."""
    incident = _load(actor, Action.INCIDENTS_PPC_SUBMIT, incident_id)
    ppc = PpcAssessment.objects.filter(incident=incident).first()
    if ppc is None or not ppc.reportable:
        raise _no(actor, _("報告対象と判断されていません。先に報告の判断を記録してください"),
                  action=Action.INCIDENTS_PPC_SUBMIT, article=incident.article, code="not_assessed",
                  target_id=incident.pk)
    if kind not in ("preliminary", "final") or on > timezone.localdate():
        raise _no(actor, _("報告の種類と提出日を正しく指定してください"), action=Action.INCIDENTS_PPC_SUBMIT,
                  article=incident.article, code="invalid", target_id=incident.pk)
    with transaction.atomic(durable=True):
        ppc = PpcAssessment.objects.select_for_update().get(pk=ppc.pk)
        setattr(ppc, f"{kind}_reported_on", on)
        ppc.updated_by, ppc.updated_at = actor.user, timezone.now()
        ppc.save(update_fields=[f"{kind}_reported_on", "updated_by", "updated_at"])
        record(action=Action.INCIDENTS_PPC_SUBMIT, target_type="incident", target_id=incident.pk,
               article=incident.article, details={"kind": kind, "on": on.isoformat()}, **actor.log_fields())
    return ppc


def record_person_notice(*, actor: Actor, incident_id: int, record_id: int, method: str, notified_on: dt.date,
                         note: str = "") -> PersonNotice:
    """本人への通知: one person, by record id (never their number), how and when."""
    incident = _load(actor, Action.INCIDENTS_NOTIFY_PERSON, incident_id)
    note = (note or "").strip()
    if record_id <= 0 or method not in PersonNotice.Method.values or notified_on > timezone.localdate():
        raise _no(actor, _("記録番号・方法・通知日を正しく指定してください"), action=Action.INCIDENTS_NOTIFY_PERSON,
                  article=incident.article, code="invalid", target_id=incident.pk)
    _check_text(actor, Action.INCIDENTS_NOTIFY_PERSON, incident.article, incident.pk, note=note,
                record_id=str(record_id))
    with transaction.atomic(durable=True):
        notice = PersonNotice.objects.create(incident=incident, record_id=record_id, method=method,
                                             notified_on=notified_on, note=note[:200], recorded_by=actor.user)
        record(action=Action.INCIDENTS_NOTIFY_PERSON, target_type="incident", target_id=incident.pk,
               article=incident.article, details={"notice": notice.pk, "record_id": record_id, "method": method},
               **actor.log_fields())
    return notice
