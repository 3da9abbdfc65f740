"""JSON API for incidents (/api/v1/incidents/): report, list, one incident, acknowledge, timeline, measures.

The same services and the same policy as the pages: an incident out of scope answers 404 like a missing
one; a refusal answers with ``{"detail", "code", "article", "citation"}`` (tokutei/api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor

from . import measures, selectors, services
from .models import Incident

PREFIX = "incidents"
router = Router(tags=["incidents"], auth=django_auth)


class ReportIn(Schema):
    category: str
    summary: str
    found_at: dt.datetime
    found_by: str
    affected: dict[str, list[int]] = {}
    suspected_cause: str = ""


class TimelineIn(Schema):
    kind: str
    text: str
    occurred_at: dt.datetime | None = None


class MeasureIn(Schema):
    kind: str  # legal_hold, suspend_user, suspend_terminal, and the profile's own (tokutei.incidents.measures)
    text: str
    occurred_at: dt.datetime | None = None
    user_id: int | None = None  # suspend_user
    terminal_id: int | None = None  # suspend_terminal
    vendor_id: int | None = None  # suspend_vendor
    recipients: list[str] | None = None  # committee_report (None: every body the profile names)


class MeasureOut(Schema):
    kind: str
    label: str
    text: str
    occurred_at: dt.datetime
    targets: dict[str, Any]
    article: str
    recorded_by: str


class StepOut(Schema):
    index: int
    role: str
    to_role: str | None = None
    redirect: str = ""
    recipients: list[str] = []
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    escalated_at: dt.datetime | None = None


class EntryOut(Schema):
    kind: str
    text: str
    occurred_at: dt.datetime
    recorded_by: str


class PpcOut(Schema):
    reportable: bool | None  # None: not assessed yet
    categories: list[str]
    learned_on: dt.date
    preliminary_due: dt.date
    final_due: dt.date
    preliminary_reported_on: dt.date | None = None
    final_reported_on: dt.date | None = None


class IncidentOut(Schema):
    id: int
    category: str
    summary: str
    found_at: dt.datetime
    found_by: str
    affected: dict[str, list[int]]
    suspected_cause: str
    reported_by: str
    reported_at: dt.datetime
    article: str
    steps: list[StepOut]
    timeline: list[EntryOut]
    measures: list[MeasureOut]
    ppc: PpcOut


def _out(incident: Incident) -> dict[str, Any]:
    steps = []
    for s in selectors.steps(incident):
        step = s["step"]
        steps.append({"index": s["index"], "role": incident.route["roles"][s["index"]],
                      "to_role": step.to_role if step else None, "redirect": step.redirect if step else "",
                      "recipients": [u.username for u in s["recipients"]],
                      "acknowledged_at": step.acknowledged_at if step else None,
                      "acknowledged_by": step.acknowledged_by.username if step and step.acknowledged_by else None,
                      "escalated_at": step.escalated_at if step else None})
    ppc = selectors.ppc_of(incident)
    d = selectors.deadlines_of(incident, ppc)
    return {
        "id": incident.pk, "category": incident.category, "summary": incident.summary, "found_at": incident.found_at,
        "found_by": incident.found_by, "affected": incident.affected, "suspected_cause": incident.suspected_cause,
        "reported_by": incident.reported_by.username, "reported_at": incident.reported_at,
        "article": incident.article, "steps": steps,
        "timeline": [{"kind": e.kind, "text": e.text, "occurred_at": e.occurred_at,
                      "recorded_by": e.recorded_by.username} for e in incident.timeline.select_related("recorded_by")],
        "measures": [{"kind": m.kind, "label": measures.label(m.kind), "text": m.text, "occurred_at": m.occurred_at,
                      "targets": m.targets, "article": m.article, "recorded_by": m.recorded_by.username}
                     for m in incident.measures.select_related("recorded_by")],
        "ppc": {"reportable": ppc.reportable if ppc else None, "categories": ppc.categories if ppc else [],
                "learned_on": d.learned_on, "preliminary_due": d.preliminary_due, "final_due": d.final_due,
                "preliminary_reported_on": ppc.preliminary_reported_on if ppc else None,
                "final_reported_on": ppc.final_reported_on if ppc else None},
    }


@router.post("/", response={201: IncidentOut})
def report(request: HttpRequest, payload: ReportIn):
    actor = api_actor(request, Action.INCIDENTS_REPORT)
    incident = services.report_incident(actor=actor, category=payload.category, summary=payload.summary,
                                        found_at=payload.found_at, found_by=payload.found_by,
                                        affected=payload.affected, suspected_cause=payload.suspected_cause)
    return Status(201, _out(incident))


@router.get("/", response=list[IncidentOut])
def list_incidents(request: HttpRequest):
    actor = api_actor(request, Action.INCIDENTS_VIEW)
    return [_out(i) for i in selectors.incidents(actor)[:200]]


@router.get("/{pk}", response=IncidentOut)
def detail(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.INCIDENTS_VIEW)
    return _out(get_or_refuse(actor, Action.INCIDENTS_VIEW, Incident.objects.all(), pk=pk))


@router.post("/{pk}/acknowledge", response=IncidentOut)
def acknowledge(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.INCIDENTS_ACKNOWLEDGE)
    services.acknowledge(actor=actor, incident_id=pk)
    return _out(Incident.objects.get(pk=pk))


@router.post("/{pk}/timeline", response={201: IncidentOut})
def timeline(request: HttpRequest, pk: int, payload: TimelineIn):
    actor = api_actor(request, Action.INCIDENTS_TIMELINE)
    services.add_timeline_entry(actor=actor, incident_id=pk, kind=payload.kind, text=payload.text,
                                occurred_at=payload.occurred_at)
    return Status(201, _out(Incident.objects.get(pk=pk)))


@router.post("/{pk}/measures", response={201: IncidentOut})
def measure(request: HttpRequest, pk: int, payload: MeasureIn):
    actor = api_actor(request, Action.INCIDENTS_MEASURE)
    measures.take_measure(actor=actor, incident_id=pk, kind=payload.kind, text=payload.text,
                          occurred_at=payload.occurred_at, user_id=payload.user_id, terminal_id=payload.terminal_id,
                          vendor_id=payload.vendor_id,
                          recipients=payload.recipients)
    return Status(201, _out(Incident.objects.get(pk=pk)))
