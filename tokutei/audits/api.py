"""JSON API of the audit programme (/api/v1/audits/): the schedule, the article-by-article evidence, the
checklists, engagements (open, answer, report, receive) and findings (raise, corrective action, re-check).

The same services and the same policy as the pages; a refusal answers with
``{"detail", "code", "article", "citation"}`` (tokutei/api.py). Articles are given in the profile's compact
form (machine output) with ``citation``, as people read them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor
from tokutei.profiles.citations import cite
from tokutei.profiles.selectors import get_profile

from . import evidence, schedule, selectors, services
from .models import Engagement, Finding

PREFIX = "audits"
router = Router(tags=["audits"], auth=django_auth)


class DutyOut(Schema):
    key: str
    ja: str
    kind: str
    roles: list[str]
    report_to: list[str]
    every: str | None
    last: dt.date | None
    due: dt.date | None
    overdue: bool
    article: str
    citation: str


class ArticleOut(Schema):
    article: str
    citation: str
    topic: str
    status: str
    status_label: str
    requirements: list[str]
    enforced: list[dict[str, Any]]
    records: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    open: str


class ChecklistOut(Schema):
    id: str
    article: str
    citation: str
    topic: str
    ja: str
    kind: str
    evidence: str


class EngagementIn(Schema):
    kind: str
    title: str
    period_from: dt.date
    period_to: dt.date
    schedule_key: str = ""
    scope: str = ""
    external: bool = False


class AnswerIn(Schema):
    item_id: str
    result: str
    evidence: str = ""


class TextIn(Schema):
    text: str = ""


class EngagementOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    period_from: dt.date
    period_to: dt.date
    lead: str
    answers: dict[str, str]
    recipients: list[str]
    to_body: str
    reported_at: dt.datetime | None
    article: str


class FindingIn(Schema):
    source: str
    title: str
    severity: str
    owner: str  # the owner's user ID
    due_on: dt.date | None = None
    engagement_id: int | None = None
    item_id: str = ""
    incident_id: int | None = None
    log_review_id: int | None = None
    detail: str = ""


class FindingOut(Schema):
    id: int
    source: str
    title: str
    severity: str
    owner: str
    due_on: dt.date
    status: str
    overdue: bool
    corrective_action: str
    root_cause: str
    escalated_to: list[str]
    article: str


class CorrectiveIn(Schema):
    corrective_action: str
    root_cause: str = ""


class RecheckIn(Schema):
    effective: bool
    note: str = ""
    new_due_on: dt.date | None = None


def _period(period_from: dt.date | None, period_to: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return period_from or today - dt.timedelta(days=365), period_to or today


@router.get("/schedule", response=list[DutyOut])
def duties(request: HttpRequest):
    api_actor(request, Action.AUDITS_VIEW)
    return [{"key": d.key, "ja": d.schedule.ja, "kind": d.schedule.kind, "roles": list(d.schedule.roles),
             "report_to": schedule.report_roles(d.schedule), "every": d.schedule.every.label_ja()
             if d.schedule.every else None, "last": d.last, "due": d.due, "overdue": d.overdue,
             "article": d.schedule.article, "citation": cite(d.schedule.article)} for d in schedule.duties()]


@router.get("/evidence", response=list[ArticleOut])
def article_evidence(request: HttpRequest, period_from: dt.date | None = None, period_to: dt.date | None = None):
    api_actor(request, Action.AUDITS_EVIDENCE)
    start, end = _period(period_from, period_to)
    return [{"article": r.map.article, "citation": cite(r.map.article), "topic": r.map.topic, "status": r.status,
             "status_label": r.status_label, "requirements": list(r.map.requirements),
             "enforced": [{"rule": x.control.rule, "ja": x.control.ja, "refusals": x.refusals,
                           "tests": list(x.control.tests)} for x in r.rules],
             "records": [{"action": x.code, "label": x.label, "count": x.count} for x in r.records],
             "checklist": [{"id": i.item.id, "ja": i.item.ja, "kind": i.item.kind, "result": i.result}
                           for i in r.items], "open": r.map.open}
            for r in evidence.article_rows(get_profile(), start, end)]


@router.get("/checklist/{kind}", response=list[ChecklistOut])
def checklist(request: HttpRequest, kind: str, period_from: dt.date | None = None, period_to: dt.date | None = None):
    api_actor(request, Action.AUDITS_VIEW)
    start, end = _period(period_from, period_to)
    return [{"id": r.id, "article": r.article, "citation": cite(r.article), "topic": r.topic, "ja": r.ja,
             "kind": r.kind, "evidence": r.evidence} for r in evidence.checklist(get_profile(), kind, start, end)]


def _engagement(e: Engagement) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "title": e.title, "status": e.status, "period_from": e.period_from,
            "period_to": e.period_to, "lead": e.lead.username,
            "answers": dict(e.answers.values_list("item_id", "result")), "recipients": list(e.recipients),
            "to_body": e.to_body, "reported_at": e.reported_at, "article": e.article}


@router.get("/engagements", response=list[EngagementOut])
def engagements(request: HttpRequest):
    api_actor(request, Action.AUDITS_VIEW)
    return [_engagement(e) for e in selectors.engagements()[:200]]


@router.post("/engagements", response={201: EngagementOut})
def open_engagement(request: HttpRequest, payload: EngagementIn):
    actor = api_actor(request, Action.AUDITS_ENGAGEMENT)
    e = services.open_engagement(actor=actor, **payload.dict())
    return Status(201, _engagement(e))


@router.get("/engagements/{pk}", response=EngagementOut)
def engagement(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.AUDITS_VIEW)
    return _engagement(get_or_refuse(actor, Action.AUDITS_VIEW, selectors.engagements(), pk=pk))


@router.post("/engagements/{pk}/answers", response=EngagementOut)
def answer(request: HttpRequest, pk: int, payload: AnswerIn):
    actor = api_actor(request, Action.AUDITS_ANSWER)
    services.answer(actor=actor, engagement_id=pk, item_id=payload.item_id, result=payload.result,
                    evidence_text=payload.evidence)
    return _engagement(Engagement.objects.get(pk=pk))


@router.post("/engagements/{pk}/report", response=EngagementOut)
def report(request: HttpRequest, pk: int, payload: TextIn):
    actor = api_actor(request, Action.AUDITS_REPORT)
    return _engagement(services.report(actor=actor, engagement_id=pk, summary=payload.text))


@router.post("/engagements/{pk}/receive", response=EngagementOut)
def receive(request: HttpRequest, pk: int, payload: TextIn):
    actor = api_actor(request, Action.AUDITS_RECEIVE)
    services.receive(actor=actor, engagement_id=pk, comment=payload.text)
    return _engagement(Engagement.objects.get(pk=pk))


def _finding(f: Finding) -> dict[str, Any]:
    return {"id": f.pk, "source": f.source, "title": f.title, "severity": f.severity, "owner": f.owner.username,
            "due_on": f.due_on, "status": f.status, "overdue": f.is_overdue, "corrective_action": f.corrective_action,
            "root_cause": f.root_cause, "escalated_to": list(f.escalated_to), "article": f.article}


@router.get("/findings", response=list[FindingOut])
def findings(request: HttpRequest):
    actor = api_actor(request, Action.AUDITS_CORRECTIVE)
    return [_finding(f) for f in selectors.findings(actor)[:500]]


@router.post("/findings", response={201: FindingOut})
def raise_finding(request: HttpRequest, payload: FindingIn):
    from tokutei.staff.models import User

    actor = api_actor(request, Action.AUDITS_FINDING)
    data = payload.dict()
    owner = User.objects.filter(username=data.pop("owner"), is_active=True).first()
    return Status(201, _finding(services.raise_finding(actor=actor, owner=owner, **data)))


@router.post("/findings/{pk}/corrective", response=FindingOut)
def corrective(request: HttpRequest, pk: int, payload: CorrectiveIn):
    actor = api_actor(request, Action.AUDITS_CORRECTIVE)
    return _finding(services.record_corrective(actor=actor, finding_id=pk, **payload.dict()))


@router.post("/findings/{pk}/recheck", response=FindingOut)
def recheck(request: HttpRequest, pk: int, payload: RecheckIn):
    actor = api_actor(request, Action.AUDITS_RECHECK)
    return _finding(services.recheck(actor=actor, finding_id=pk, **payload.dict()))
