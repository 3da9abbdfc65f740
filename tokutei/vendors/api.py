"""JSON API for the vendor register (/api/v1/vendors/): vendors with their standing, contracts with their
checklist, 別紙3 sheets; grading and the 最終判定, clause confirmations and activation.

The same services and the same policy as the pages: a record out of reach answers 404 like a missing one;
a refusal answers with ``{"detail", "code", "article", "citation"}`` (tokutei/api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor

from . import selectors, services
from .models import Contract, Evaluation, Vendor

PREFIX = "vendors"
router = Router(tags=["vendors"], auth=django_auth)


class VendorIn(Schema):
    name: str = Field(max_length=200)
    department: str = Field("", max_length=200)
    responsible_person: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    pmark: bool = False
    note: str = Field("", max_length=500)


class VendorOut(Schema):
    id: int
    name: str
    department: str
    responsible_person: str
    pmark: bool
    parent_id: int | None
    qualified: bool
    verdict: str | None
    reevaluation_due: dt.date | None
    overdue: bool
    blockers: list[str]
    contracts: list[int]


class ItemOut(Schema):
    index: int
    kind: str
    ja: str
    article: str
    location: str | None


class ContractOut(Schema):
    id: int
    vendor_id: int
    title: str
    work: str
    entrusted: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    checklist: list[ItemOut]
    subcontractors: list[int]


class GradeOut(Schema):
    no: str
    text: str
    grade: str
    improvement: str
    closed: bool


class EvaluationOut(Schema):
    id: int
    vendor_id: int
    kind: str
    pattern: str
    created_on: dt.date
    pmark: bool | None
    no_leak_2y: bool | None
    verdict: str | None
    shortcut: bool
    items: list[GradeOut]
    problems: list[str]


class GradeIn(Schema):
    grades: dict[str, str] = {}
    improvements: dict[str, str] = {}
    pmark: bool | None = None
    no_leak_2y: bool | None = None


class FinaliseIn(Schema):
    claim_shortcut: bool = False


class ClauseIn(Schema):
    index: int  # position in the checklist; out of range is refused by the service
    location: str = Field(max_length=200)


def _vendor_out(v: Vendor) -> dict[str, Any]:
    s = selectors.standing(v)
    return {"id": v.pk, "name": v.name, "department": v.department, "responsible_person": v.responsible_person,
            "pmark": v.pmark, "parent_id": v.parent_id, "qualified": s.qualified,
            "verdict": s.evaluation.verdict if s.evaluation else None, "reevaluation_due": s.due,
            "overdue": s.overdue, "blockers": [m for _c, m in s.blockers],
            "contracts": list(v.contracts.values_list("pk", flat=True))}


def _contract_out(c: Contract) -> dict[str, Any]:
    return {"id": c.pk, "vendor_id": c.vendor_id, "title": c.title, "work": c.work, "entrusted": c.entrusted,
            "starts_on": c.starts_on, "ends_on": c.ends_on, "status": c.status,
            "checklist": [{"index": i["index"], "kind": i["kind"], "ja": i["ja"], "article": i["article"],
                           "location": i["confirmation"].location if i["confirmation"] else None}
                          for i in selectors.contract_items(c)],
            "subcontractors": list(c.subcontractors.values_list("vendor_id", flat=True))}


def _evaluation_out(ev: Evaluation) -> dict[str, Any]:
    result = services.result_of(ev)
    return {"id": ev.pk, "vendor_id": ev.vendor_id, "kind": ev.kind, "pattern": ev.pattern,
            "created_on": ev.created_on, "pmark": ev.pmark, "no_leak_2y": ev.no_leak_2y,
            "verdict": ev.verdict or None, "shortcut": ev.shortcut,
            "items": [{"no": i.no, "text": i.text, "grade": i.grade, "improvement": i.improvement,
                       "closed": i.closed_at is not None} for i in ev.items.all()],
            "problems": [] if ev.finalised_at else [p.message for p in result.problems]}


@router.get("/", response=list[VendorOut])
def list_vendors(request: HttpRequest):
    actor = api_actor(request, Action.VENDORS_VIEW)
    return [_vendor_out(v) for v in selectors.vendors(actor)[:200]]


@router.post("/", response={201: VendorOut})
def create_vendor(request: HttpRequest, payload: VendorIn):
    actor = api_actor(request, Action.VENDORS_REGISTER)
    vendor = services.create_vendor(actor=actor, **payload.dict())
    return Status(201, _vendor_out(vendor))


@router.get("/{pk}", response=VendorOut)
def vendor(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.VENDORS_VIEW)
    return _vendor_out(get_or_refuse(actor, Action.VENDORS_VIEW, Vendor.objects.all(), pk=pk))


@router.get("/contracts/{pk}", response=ContractOut)
def contract(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.VENDORS_VIEW)
    return _contract_out(get_or_refuse(actor, Action.VENDORS_VIEW, Contract.objects.all(), pk=pk))


@router.post("/contracts/{pk}/clauses", response=ContractOut)
def confirm_clause(request: HttpRequest, pk: int, payload: ClauseIn):
    actor = api_actor(request, Action.VENDORS_CLAUSE)
    services.confirm_clause(actor=actor, contract_id=pk, index=payload.index, location=payload.location)
    return _contract_out(Contract.objects.get(pk=pk))


@router.post("/contracts/{pk}/activate", response=ContractOut)
def activate(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.VENDORS_ACTIVATE)
    return _contract_out(services.activate_contract(actor=actor, contract_id=pk))


@router.get("/evaluations/{pk}", response=EvaluationOut)
def evaluation(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.VENDORS_VIEW)
    return _evaluation_out(get_or_refuse(actor, Action.VENDORS_VIEW, Evaluation.objects.all(), pk=pk))


@router.post("/evaluations/{pk}/grades", response=EvaluationOut)
def grade(request: HttpRequest, pk: int, payload: GradeIn):
    actor = api_actor(request, Action.VENDORS_EVALUATE)
    grades = {str(k)[:10]: str(v)[:1] for k, v in list(payload.grades.items())[:40]}
    improvements = {str(k)[:10]: str(v)[:1000] for k, v in list(payload.improvements.items())[:40]}
    services.grade(actor=actor, evaluation_id=pk, grades=grades, improvements=improvements, pmark=payload.pmark,
                   no_leak_2y=payload.no_leak_2y)
    return _evaluation_out(Evaluation.objects.get(pk=pk))


@router.post("/evaluations/{pk}/finalise", response=EvaluationOut)
def finalise(request: HttpRequest, pk: int, payload: FinaliseIn):
    actor = api_actor(request, Action.VENDORS_EVALUATE)
    return _evaluation_out(services.finalise(actor=actor, evaluation_id=pk, claim_shortcut=payload.claim_shortcut))
