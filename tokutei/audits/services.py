"""Audit writes: engagements (監査・点検・見直し) and their answers and reports, findings and corrective actions,
training sessions and attendance, the 業務引継簿.

Each takes ``actor: Actor``; access is decided first (``require`` / ``get_or_refuse``), then one durable
transaction whose last statement is its log entry. Text is about the organisation's measures, never the
people in the files: text shaped like a 個人番号 is refused.
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
from tokutei.profiles.selectors import get_profile

from . import evidence, rules, schedule
from .models import Answer, Attendance, Engagement, Finding, Handover, Receipt, TrainingSession


def _no(actor: Actor, message: str, *, action: Action, article: str = "", code: str = "refused",
        target_type: str = "", target_id: Any = "") -> Refused:
    return refuse(message, action=str(action), article=article or rules.programme_article(get_profile()), code=code,
                  target_type=target_type, target_id=target_id, details={"channel": actor.channel.value},
                  **actor.log_fields())


def _clean(actor: Actor, action: Action, target_type: str = "", target_id: Any = "", **texts: str) -> None:
    for text in texts.values():
        if looks_like_my_number(text or ""):
            raise _no(actor, _("個人番号らしき数字が含まれています。監査・点検の記録に個人番号を書くことはできません"),
                      action=action, code="my_number_in_text", target_type=target_type, target_id=target_id)


# --- engagements (R-AUD-1, R-AUD-2, R-AUD-3) -------------------------------------------------------------


def open_engagement(*, actor: Actor, kind: str, title: str, period_from: dt.date, period_to: dt.date,
                    schedule_key: str = "", scope: str = "", external: bool = False,
                    unit_id: int | None = None) -> Engagement:
    """Open an audit, inspection or review for a period; its checklist is the regulation's (evidence.checklist)."""
    require(actor, Action.AUDITS_ENGAGEMENT, rules.KindTarget(kind), details={"kind": kind})
    profile = get_profile()
    title = (title or "").strip()
    sched = profile.schedules.get(schedule_key) if schedule_key else None
    if kind not in Engagement.Kind.values or not title:
        raise _no(actor, _("種類と件名を記入してください"), action=Action.AUDITS_ENGAGEMENT, code="invalid")
    if schedule_key and (sched is None or sched.kind != kind):
        raise _no(actor, _("この種類の予定ではありません"), action=Action.AUDITS_ENGAGEMENT, code="wrong_schedule")
    if period_to < period_from:
        raise _no(actor, _("対象期間の終わりが始まりより前です"), action=Action.AUDITS_ENGAGEMENT, code="bad_dates")
    _clean(actor, Action.AUDITS_ENGAGEMENT, title=title, scope=scope)
    article = sched.article if sched is not None else rules.programme_article(profile)
    with transaction.atomic(durable=True):
        engagement = Engagement.objects.create(
            kind=kind, schedule_key=schedule_key, title=title[:200], scope=scope[:2000], external=external,
            unit_id=unit_id, period_from=period_from, period_to=period_to, lead=actor.user, article=article)
        record(action=Action.AUDITS_ENGAGEMENT, target_type="engagement", target_id=engagement.pk, article=article,
               details={"kind": kind, "schedule": schedule_key, "external": external}, **actor.log_fields())
    return engagement


def _open(actor: Actor, action: Action, engagement_id: int) -> Engagement:
    engagement = get_or_refuse(actor, action, Engagement.objects.all(), pk=engagement_id)
    if engagement.status != Engagement.Status.OPEN:
        raise _no(actor, _("報告済みの監査・点検は変更できません"), action=action, article=engagement.article,
                  code="reported", target_type="engagement", target_id=engagement.pk)
    return engagement


def answer(*, actor: Actor, engagement_id: int, item_id: str, result: str, evidence_text: str = "") -> Answer:
    """Answer one checklist item: 適合 / 指摘あり / 該当なし, with its evidence (text or a reference)."""
    engagement = _open(actor, Action.AUDITS_ANSWER, engagement_id)
    rows = {r.id: r for r in evidence.checklist(get_profile(), engagement.kind, engagement.period_from,
                                                engagement.period_to)}
    row = rows.get(item_id)
    if row is None or result not in Answer.Result.values:
        raise _no(actor, _("チェックリストにない項目か、結果が正しくありません"), action=Action.AUDITS_ANSWER,
                  code="invalid", target_type="engagement", target_id=engagement.pk)
    _clean(actor, Action.AUDITS_ANSWER, "engagement", engagement.pk, evidence=evidence_text)
    with transaction.atomic(durable=True):
        ans, _created = Answer.objects.update_or_create(
            engagement=engagement, item_id=item_id,
            defaults={"article": row.article, "result": result, "evidence": evidence_text[:2000],
                      "answered_by": actor.user, "answered_at": timezone.now()})
        record(action=Action.AUDITS_ANSWER, target_type="engagement", target_id=engagement.pk, article=row.article,
               details={"item": item_id, "result": result}, **actor.log_fields())
    return ans


def report(*, actor: Actor, engagement_id: int, summary: str) -> Engagement:
    """Report the engagement to the recipients the profile names (002: 総括保護管理者・CISO; 003: 総括責任者;
    000: the 会議; 001: the 委員会; 004: 保護責任者). Every checklist item must have been answered."""
    engagement = _open(actor, Action.AUDITS_REPORT, engagement_id)
    profile = get_profile()
    ids = {r.id for r in evidence.checklist(profile, engagement.kind, engagement.period_from, engagement.period_to)}
    answered = set(engagement.answers.values_list("item_id", flat=True))
    missing = ids - answered
    if missing:
        raise _no(actor, _("未回答の項目が%(n)s件あります。すべての項目に回答してから報告してください")
                  % {"n": len(missing)}, action=Action.AUDITS_REPORT, article=engagement.article,
                  code="unanswered", target_type="engagement", target_id=engagement.pk)
    _clean(actor, Action.AUDITS_REPORT, "engagement", engagement.pk, summary=summary)
    sched = profile.schedules.get(engagement.schedule_key) if engagement.schedule_key else None
    if sched is None:  # an ad-hoc engagement goes where the scheduled ones of its kind go
        sched = next((s for s in profile.schedules.values() if s.kind == engagement.kind), None)
    recipients = schedule.report_roles(sched, profile) if sched is not None else []
    gb = profile.governance_body
    with transaction.atomic(durable=True):
        engagement.status = Engagement.Status.REPORTED
        engagement.summary = (summary or "")[:4000]
        engagement.reported_at = timezone.now()
        engagement.recipients = recipients
        engagement.to_body = gb.ja if sched is not None and sched.report_to_body and gb is not None else ""
        engagement.save(update_fields=["status", "summary", "reported_at", "recipients", "to_body"])
        record(action=Action.AUDITS_REPORT, target_type="engagement", target_id=engagement.pk,
               article=engagement.article, count=len(answered),
               details={"recipients": recipients, "body": bool(engagement.to_body),
                        "findings": engagement.answers.filter(result=Answer.Result.FINDING).count()},
               **actor.log_fields())
    return engagement


def receive(*, actor: Actor, engagement_id: int, comment: str = "") -> Receipt:
    """A recipient acknowledges the report (and may add their view)."""
    engagement = get_or_refuse(actor, Action.AUDITS_RECEIVE, Engagement.objects.all(), pk=engagement_id)
    from tokutei.staff.selectors import role_keys

    role = next((r for r in engagement.recipients if r in role_keys(actor.user)), "")
    if Receipt.objects.filter(engagement=engagement, user=actor.user).exists():
        raise _no(actor, _("既に受領しています"), action=Action.AUDITS_RECEIVE, code="already",
                  target_type="engagement", target_id=engagement.pk)
    _clean(actor, Action.AUDITS_RECEIVE, "engagement", engagement.pk, comment=comment)
    with transaction.atomic(durable=True):
        receipt = Receipt.objects.create(engagement=engagement, user=actor.user, role_key=role,
                                         comment=(comment or "")[:2000])
        record(action=Action.AUDITS_RECEIVE, target_type="engagement", target_id=engagement.pk,
               article=engagement.article, details={"role": role}, **actor.log_fields())
    return receipt


# --- findings and corrective actions (R-AUD-4) --------------------------------------------------------------


def raise_finding(*, actor: Actor, source: str, title: str, severity: str, owner: Any,
                  due_on: dt.date | None = None, engagement_id: int | None = None, item_id: str = "",
                  incident_id: int | None = None, log_review_id: int | None = None, detail: str = "",
                  root_cause: str = "") -> Finding:
    """A finding from an audit, an inspection, an incident or the log analysis, with its owner and due date."""
    require(actor, Action.AUDITS_FINDING, details={"source": source})
    profile = get_profile()
    article = ""
    engagement = None
    if source not in Finding.Source.values or severity not in Finding.Severity.values or not (title or "").strip():
        raise _no(actor, _("経緯・重要度・指摘事項を記入してください"), action=Action.AUDITS_FINDING, code="invalid")
    if source in (Finding.Source.AUDIT, Finding.Source.INSPECTION):
        engagement = Engagement.objects.filter(pk=engagement_id, kind=source).first() if engagement_id else None
        if engagement is None:
            raise _no(actor, _("指摘の元になった監査・点検を指定してください"), action=Action.AUDITS_FINDING,
                      code="no_engagement")
        answered = engagement.answers.filter(item_id=item_id).first() if item_id else None
        article = answered.article if answered is not None else engagement.article
    elif source == Finding.Source.INCIDENT:
        from tokutei.incidents.models import Incident

        incident = Incident.objects.filter(pk=incident_id).first() if incident_id else None
        if incident is None:
            raise _no(actor, _("指摘の元になった事故等の報告を指定してください"), action=Action.AUDITS_FINDING,
                      code="no_incident")
        article = incident.article
    else:
        from tokutei.auditlog.models import LogReview

        if log_review_id is not None and not LogReview.objects.filter(pk=log_review_id).exists():
            raise _no(actor, _("指摘の元になった操作履歴の点検が見つかりません"), action=Action.AUDITS_FINDING,
                      code="no_review")
        log_schedule = next((s for s in profile.schedules.values() if s.kind == "log_review"), None)
        article = log_schedule.article if log_schedule is not None else profile.retention.article
    if owner is None or not owner.is_active:
        raise _no(actor, _("是正の担当者を指定してください"), action=Action.AUDITS_FINDING, code="no_owner")
    _clean(actor, Action.AUDITS_FINDING, title=title, detail=detail, root_cause=root_cause)
    days = dict(profile.audits.finding_due_days).get(severity, 30)  # type: ignore[call-overload]
    due_on = due_on or timezone.localdate() + dt.timedelta(days=days)
    with transaction.atomic(durable=True):
        finding = Finding.objects.create(
            source=source, engagement=engagement, item_id=item_id, incident_id=incident_id,
            log_review_id=log_review_id, article=article, title=title.strip()[:300], detail=detail[:4000],
            severity=severity, root_cause=root_cause[:2000], owner=owner, due_on=due_on, created_by=actor.user)
        record(action=Action.AUDITS_FINDING, target_type="finding", target_id=finding.pk, article=article,
               details={"source": source, "severity": severity, "owner": owner.pk, "due_on": due_on.isoformat(),
                        "engagement": engagement.pk if engagement else None, "incident": incident_id,
                        "log_review": log_review_id},
               **actor.log_fields())
    return finding


def record_corrective(*, actor: Actor, finding_id: int, corrective_action: str, root_cause: str = "") -> Finding:
    """The owner records the corrective action taken (and the root cause); the finding awaits its re-check."""
    finding = get_or_refuse(actor, Action.AUDITS_CORRECTIVE, Finding.objects.all(), pk=finding_id)
    if finding.status == Finding.Status.CLOSED or not (corrective_action or "").strip():
        raise _no(actor, _("完了した指摘事項か、是正措置が記入されていません"), action=Action.AUDITS_CORRECTIVE,
                  code="invalid", target_type="finding", target_id=finding.pk)
    _clean(actor, Action.AUDITS_CORRECTIVE, "finding", finding.pk, corrective=corrective_action, cause=root_cause)
    with transaction.atomic(durable=True):
        finding.corrective_action = corrective_action.strip()[:4000]
        if root_cause:
            finding.root_cause = root_cause.strip()[:2000]
        finding.status = Finding.Status.ACTION_TAKEN
        finding.action_taken_at = timezone.now()
        finding.save(update_fields=["corrective_action", "root_cause", "status", "action_taken_at"])
        record(action=Action.AUDITS_CORRECTIVE, target_type="finding", target_id=finding.pk, article=finding.article,
               **actor.log_fields())
    return finding


def recheck(*, actor: Actor, finding_id: int, effective: bool, note: str, new_due_on: dt.date | None = None) -> Finding:
    """Someone other than the owner re-checks the action: effective closes the finding, else it opens again."""
    finding = get_or_refuse(actor, Action.AUDITS_RECHECK, Finding.objects.all(), pk=finding_id)
    if finding.status != Finding.Status.ACTION_TAKEN:
        raise _no(actor, _("是正措置が記録されていない指摘事項は再確認できません"), action=Action.AUDITS_RECHECK,
                  article=finding.article, code="no_action", target_type="finding", target_id=finding.pk)
    if finding.owner_id == actor.user.pk:
        raise _no(actor, _("是正の担当者は自分の是正措置を再確認できません"), action=Action.AUDITS_RECHECK,
                  article=finding.article, code="own_action", target_type="finding", target_id=finding.pk)
    _clean(actor, Action.AUDITS_RECHECK, "finding", finding.pk, note=note)
    with transaction.atomic(durable=True):
        finding.recheck_note = (note or "")[:2000]
        finding.rechecked_by = actor.user
        fields = ["recheck_note", "rechecked_by", "status"]
        if effective:
            finding.status = Finding.Status.CLOSED
            finding.closed_at = timezone.now()
            fields.append("closed_at")
        else:
            finding.status = Finding.Status.OPEN
            if new_due_on is not None:
                finding.due_on = new_due_on
                fields.append("due_on")
        finding.save(update_fields=fields)
        record(action=Action.AUDITS_RECHECK, target_type="finding", target_id=finding.pk, article=finding.article,
               details={"effective": effective}, **actor.log_fields())
    return finding


def escalate_overdue(*, actor: Actor) -> int:
    """Escalate every overdue, not yet escalated corrective action to ``audits.escalate_to`` (the scheduler's)."""
    require(actor, Action.AUDITS_ESCALATE)
    profile = get_profile()
    to = list(profile.audits.escalate_to)
    overdue = list(Finding.objects.exclude(status=Finding.Status.CLOSED)
                   .filter(due_on__lt=timezone.localdate(), escalated_at__isnull=True).order_by("id"))
    for finding in overdue:
        with transaction.atomic(durable=True):
            finding.escalated_at = timezone.now()
            finding.escalated_to = to
            finding.save(update_fields=["escalated_at", "escalated_to"])
            record(action=Action.AUDITS_ESCALATE, target_type="finding", target_id=finding.pk,
                   article=finding.article, details={"to": to, "due_on": finding.due_on.isoformat()},
                   **actor.log_fields())
    return len(overdue)


# --- training (R-TRN-1 … R-TRN-3) ------------------------------------------------------------------------


def record_session(*, actor: Actor, requirement_key: str, title: str, held_on: dt.date,
                   content: str = "") -> TrainingSession:
    """A training planned (a future date) or held, for one of the profile's trainings."""
    require(actor, Action.AUDITS_TRAINING_SESSION, details={"training": requirement_key})
    req = get_profile().audits.training.get(requirement_key)
    if req is None or not (title or "").strip():
        raise _no(actor, _("プロファイルにない研修か、件名が記入されていません"),
                  action=Action.AUDITS_TRAINING_SESSION, code="invalid")
    _clean(actor, Action.AUDITS_TRAINING_SESSION, title=title, content=content)
    with transaction.atomic(durable=True):
        session = TrainingSession.objects.create(requirement_key=requirement_key, title=title.strip()[:200],
                                                 content=(content or req.content)[:4000], held_on=held_on,
                                                 trainer=actor.user, article=req.article)
        record(action=Action.AUDITS_TRAINING_SESSION, target_type="training_session", target_id=session.pk,
               article=req.article, details={"training": requirement_key, "held_on": held_on.isoformat()},
               **actor.log_fields())
    return session


def record_attendance(*, actor: Actor, session_id: int, users: list[Any]) -> list[Attendance]:
    """The attendance of a session held; each attendee gets a certificate number (修了証)."""
    session = get_or_refuse(actor, Action.AUDITS_TRAINING_ATTEND, TrainingSession.objects.all(), pk=session_id)
    if session.held_on > timezone.localdate():
        raise _no(actor, _("実施日前の研修の受講は記録できません"), action=Action.AUDITS_TRAINING_ATTEND,
                  article=session.article, code="not_held", target_type="training_session", target_id=session.pk)
    new = [u for u in users if not Attendance.objects.filter(session=session, user=u).exists()]
    with transaction.atomic(durable=True):
        rows = [Attendance.objects.create(session=session, user=u, recorded_by=actor.user,
                                          certificate_no=f"TRN-{session.held_on:%Y%m%d}-{session.pk}-{u.pk}")
                for u in new]
        record(action=Action.AUDITS_TRAINING_ATTEND, target_type="training_session", target_id=session.pk,
               article=session.article, count=len(rows), details={"users": [u.pk for u in new]},
               **actor.log_fields())
    return rows


# --- 業務引継簿 (003 §5, E-38) ------------------------------------------------------------------------------


def write_handover(*, actor: Actor, successor: Any, book: dict[str, str], submit: bool = False,
                   handover_id: int | None = None) -> Handover:
    """The outgoing holder writes (and submits) the 業務引継簿 for their successor."""
    profile = get_profile()
    rule = profile.audits.handover
    from tokutei.staff.selectors import active_assignments

    if handover_id is not None:
        handover = get_or_refuse(actor, Action.AUDITS_HANDOVER, Handover.objects.all(), pk=handover_id)
    else:
        require(actor, Action.AUDITS_HANDOVER)
        handover = None
    article = rule.article if rule else profile.organisation.article
    if rule is None:
        raise _no(actor, _("この組織には業務引継簿の定めがありません"), action=Action.AUDITS_HANDOVER, article=article)
    own = active_assignments(actor.user).filter(role_key=rule.role).first()
    if handover is None and own is None:
        raise _no(actor, _("%(role)sだけが業務引継簿を作成できます") % {"role": profile.roles[rule.role].ja},
                  action=Action.AUDITS_HANDOVER, article=article, code="not_holder")
    if handover is not None and (handover.outgoing_id != actor.user.pk or handover.status != Handover.Status.DRAFT):
        raise _no(actor, _("提出済みの業務引継簿は変更できません"), action=Action.AUDITS_HANDOVER, article=article,
                  code="submitted", target_type="handover", target_id=handover.pk)
    if successor is None or successor.pk == actor.user.pk or not successor.is_active:
        raise _no(actor, _("後任者を指定してください"), action=Action.AUDITS_HANDOVER, article=article,
                  code="no_successor")
    book = {k: (book.get(k) or "").strip()[:4000] for k in rule.sections}
    _clean(actor, Action.AUDITS_HANDOVER, **book)
    if submit and not all(book.values()):
        raise _no(actor, _("業務引継簿のすべての事項を記入してから提出してください"), action=Action.AUDITS_HANDOVER,
                  article=article, code="incomplete")
    with transaction.atomic(durable=True):
        if handover is None:
            handover = Handover(role_key=rule.role, unit_id=own.unit_id if own else None, outgoing=actor.user,
                                article=article)
        handover.successor = successor
        handover.book = book
        if submit:
            handover.status = Handover.Status.SUBMITTED
            handover.submitted_at = timezone.now()
        handover.save()
        record(action=Action.AUDITS_HANDOVER, target_type="handover", target_id=handover.pk, article=article,
               details={"successor": successor.pk, "submitted": submit}, **actor.log_fields())
    return handover


def confirm_handover(*, actor: Actor, handover_id: int, interview_note: str) -> Handover:
    """The 保護管理者 confirms the handover after reviewing the book and interviewing (003 §5.2). Only then
    may the successor be made the new holder (tokutei.audits.guards.handover, E-38)."""
    handover = get_or_refuse(actor, Action.AUDITS_HANDOVER_CONFIRM, Handover.objects.all(), pk=handover_id)
    if handover.status != Handover.Status.SUBMITTED:
        raise _no(actor, _("提出されていない業務引継簿は確認できません"), action=Action.AUDITS_HANDOVER_CONFIRM,
                  article=handover.article, code="not_submitted", target_type="handover", target_id=handover.pk)
    if not (interview_note or "").strip():
        raise _no(actor, _("引継ぎの実態の聞き取りの結果を記入してください"), action=Action.AUDITS_HANDOVER_CONFIRM,
                  article=handover.article, code="no_interview", target_type="handover", target_id=handover.pk)
    _clean(actor, Action.AUDITS_HANDOVER_CONFIRM, "handover", handover.pk, note=interview_note)
    with transaction.atomic(durable=True):
        handover.status = Handover.Status.CONFIRMED
        handover.interview_note = interview_note.strip()[:4000]
        handover.confirmed_by = actor.user
        handover.confirmed_at = timezone.now()
        handover.save(update_fields=["status", "interview_note", "confirmed_by", "confirmed_at"])
        record(action=Action.AUDITS_HANDOVER_CONFIRM, target_type="handover", target_id=handover.pk,
               article=handover.article, details={"successor": handover.successor_id}, **actor.log_fields())
    return handover
