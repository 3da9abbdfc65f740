"""JSON API (/api/v1/pia/): the assessments of the files, one file with its history, a re-assessment, and
the disclosure report. The same services and policy as the pages; a refusal answers with
``{"detail", "code", "article", "citation"}`` (tokutei/api.py). The 個人番号 travels in the body only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.ledgers import files as register
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor

from . import disclosure, selectors, services
from .models import Assessment

PREFIX = "pia"
router = Router(tags=["pia"], auth=django_auth)


class PiaReasonOut(Schema):
    text: str
    source: str
    verified: str
    rule: str


class PiaGroupOut(Schema):
    kind: str
    label: str
    count: int
    source: str


class PiaSnapshotOut(Schema):
    assessed_at: dt.datetime
    trigger: str
    trigger_at: dt.datetime | None
    people: int
    handlers: int
    level: str
    previous_level: str
    raised: bool
    rules_version: str
    reasons: list[PiaReasonOut]


class PiaFileOut(Schema):
    file_id: int
    name: str
    people: int
    handlers: int
    handler_groups: list[PiaGroupOut]
    serious_incidents: list[int]
    level: str
    level_ja: str
    reasons: list[PiaReasonOut]
    rules_version: str
    recorded_level: str | None
    history: list[PiaSnapshotOut] = []


class PiaDisclosureIn(Schema):
    my_number: str
    period_from: dt.date
    period_to: dt.date
    approval_id: int | None = None


class PiaRowOut(Schema):
    at: dt.datetime
    stage: str
    operation: str
    task: str
    staff: str
    recipient: str
    file: str
    whole_file: bool


class PiaDisclosureOut(Schema):
    report_id: int
    period_from: dt.date
    period_to: dt.date
    files: list[str]
    rows: list[PiaRowOut]


def _snapshot(a: Assessment) -> dict:
    return {"assessed_at": a.assessed_at, "trigger": a.trigger, "trigger_at": a.trigger_at, "people": a.people,
            "handlers": a.handlers, "level": a.level, "previous_level": a.previous_level, "raised": a.raised,
            "rules_version": a.rules_version, "reasons": a.reasons}


def _out(c: selectors.Computed, *, with_history: bool = False) -> dict:
    return {"file_id": c.info.id, "name": c.info.name, "people": c.people, "handlers": c.handlers,
            "handler_groups": [g.as_dict() for g in c.groups], "serious_incidents": c.incidents,
            "level": c.result.level, "level_ja": c.level_ja, "reasons": [r.as_dict() for r in c.result.reasons],
            "rules_version": c.rules.version, "recorded_level": c.latest.level if c.latest else None,
            "history": [_snapshot(a) for a in selectors.history(c.info.id)[:100]] if with_history else []}


@router.get("/files", response=list[PiaFileOut])
def list_files(request: HttpRequest):
    return [_out(c) for c in selectors.overview(api_actor(request, Action.PIA_VIEW))]


@router.get("/files/{file_id}", response=PiaFileOut)
def one_file(request: HttpRequest, file_id: int):
    from tokutei.vault.models import SpecificFile

    actor = api_actor(request, Action.PIA_VIEW)
    file = get_or_refuse(actor, Action.PIA_VIEW, SpecificFile.objects.all(), pk=file_id)
    return _out(selectors.compute(register.describe(file)), with_history=True)


@router.post("/assess", response=list[PiaSnapshotOut])
def assess(request: HttpRequest):
    actor = api_actor(request, Action.PIA_ASSESS)
    return [_snapshot(a) for a in services.assess_all(actor=actor, trigger=Assessment.Trigger.MANUAL)]


@router.post("/disclosures", response=PiaDisclosureOut)
def issue_disclosure(request: HttpRequest, payload: PiaDisclosureIn):
    actor = api_actor(request, Action.PIA_DISCLOSURE)
    report = disclosure.issue(actor=actor, my_number=payload.my_number, period_from=payload.period_from,
                              period_to=payload.period_to, approval_id=payload.approval_id)
    return {"report_id": report.report.pk, "period_from": report.report.period_from,
            "period_to": report.report.period_to, "files": report.files,
            "rows": [r.as_dict() for r in report.rows]}
