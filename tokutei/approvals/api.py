"""JSON API for approvals (/api/v1/approvals/): apply, list, approve/reject, status.

The same services as the web pages: the requester cannot approve their own request here either.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NotFoundOrForbidden
from tokutei.core.fields import Key60, Note500, RecordId, Text200
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor

from . import selectors, services
from .models import ApprovalRequest

PREFIX = "approvals"
router = Router(tags=["approvals"], auth=django_auth)


# The scope of an approval: task keys, counts, record ids, a short note (tokutei.approvals.services).
ParticularValue = bool | int | Text200 | Annotated[list[bool | int | Text200], Field(max_length=50)] | None


class RequestIn(Schema):
    operation: Key60
    particulars: Annotated[dict[Key60, ParticularValue], Field(max_length=30)] = {}
    subject_id: RecordId | None = None


class DecisionIn(Schema):
    comment: Note500 = ""


class StepOut(Schema):
    index: int
    roles: list[str]
    title: str
    decision: str | None = None
    approver: str | None = None
    at: dt.datetime | None = None


class RequestOut(Schema):
    id: int
    operation: str
    title: str
    article: str
    status: str
    particulars: dict[str, Any]
    requester: str
    created_at: dt.datetime
    approved_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    used_at: dt.datetime | None = None
    missing: list[str]
    steps: list[StepOut]


def _out(req: ApprovalRequest) -> dict[str, Any]:
    steps = []
    for s in services.steps_state(req):
        d = s["decision"]
        steps.append({"index": s["index"], "roles": s["roles"], "title": s["title"],
                      "decision": d.decision if d else None, "approver": d.approver.username if d else None,
                      "at": d.at if d else None})
    return {"id": req.pk, "operation": req.operation, "title": services.operation_title(req.operation, req.rule),
            "article": req.article, "status": req.status_now(), "particulars": req.particulars,
            "requester": req.requester.username, "created_at": req.created_at, "approved_at": req.approved_at,
            "expires_at": req.expires_at, "used_at": req.used_at, "missing": services.missing_steps(req),
            "steps": steps}


@router.post("/requests", response={201: RequestOut})
def create(request: HttpRequest, payload: RequestIn):
    actor = api_actor(request, Action.APPROVALS_REQUEST)
    subject = None
    if payload.subject_id is not None:
        subject = get_user_model().objects.filter(pk=payload.subject_id, is_active=True).first()
        if subject is None:
            raise NotFoundOrForbidden()
    req = services.create_request(actor=actor, operation=payload.operation, particulars=payload.particulars,
                                  subject=subject)
    return Status(201, _out(req))


@router.get("/requests", response=list[RequestOut])
def list_requests(request: HttpRequest, scope: Literal["mine", "queue"] = "mine"):
    actor = api_actor(request, Action.APPROVALS_VIEW)
    items = selectors.approver_queue(actor) if scope == "queue" else list(
        selectors.my_requests(request.user)[:200])
    return [_out(r) for r in items]


def _visible(request: HttpRequest, pk: int) -> ApprovalRequest:
    actor = api_actor(request, Action.APPROVALS_VIEW)
    return get_or_refuse(actor, Action.APPROVALS_VIEW, ApprovalRequest.objects.prefetch_related("decisions"), pk=pk)


@router.get("/requests/{pk}", response=RequestOut)
def status(request: HttpRequest, pk: RecordId):
    return _out(_visible(request, pk))


@router.post("/requests/{pk}/approve", response=RequestOut)
def approve(request: HttpRequest, pk: RecordId, payload: DecisionIn):
    actor = api_actor(request, Action.APPROVALS_APPROVE)
    return _out(services.decide(actor=actor, request_id=pk, approve=True, comment=payload.comment))


@router.post("/requests/{pk}/reject", response=RequestOut)
def reject(request: HttpRequest, pk: RecordId, payload: DecisionIn):
    actor = api_actor(request, Action.APPROVALS_REJECT)
    return _out(services.decide(actor=actor, request_id=pk, approve=False, comment=payload.comment))


@router.post("/requests/{pk}/withdraw", response=RequestOut)
def withdraw(request: HttpRequest, pk: RecordId):
    actor = api_actor(request, Action.APPROVALS_REQUEST)
    return _out(services.withdraw(actor=actor, request_id=pk))
