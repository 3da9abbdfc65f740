"""JSON API for the operation log (/api/v1/log/): search (auditors), integrity status. Read-only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth

from tokutei.profiles.selectors import get_profile

from . import access, selectors
from .services import record, refuse
from .status import last_status
from .verify import verify_database

PREFIX = "log"
router = Router(tags=["log"], auth=django_auth)


class EntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_username: str
    terminal_name: str
    action: str
    purpose: str
    target_type: str
    target_id: str
    count: int
    result: str
    article: str
    reason: str
    details: dict
    hash: str


class LogSearchIn(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    user: str = ""
    action: str = ""
    result: str = ""
    purpose: str = ""
    target_type: str = ""
    target_id: str = ""
    terminal: str = ""
    limit: int = 100
    before_seq: int | None = None  # page backwards: entries with seq < before_seq


class StatusOut(Schema):
    head_seq: int
    latest_checkpoint_seq: int | None
    guards: bool
    disk_free_bytes: int
    disk_low: bool
    verified: bool | None = None
    first_problem: str | None = None


def _require_auditor(request: HttpRequest, action: str):
    profile = get_profile()
    if not access.is_reader(request.user, profile):
        raise refuse("操作履歴を閲覧する役割がありません", action=action, article="R-LOG-3", actor=request.user,
                     terminal=getattr(request, "terminal", None))
    return profile


@router.get("/entries", response=list[EntryOut])
def entries(request: HttpRequest, params: Query[LogSearchIn]):
    """Search the whole log (auditors and system administrators only), newest first."""
    _require_auditor(request, "log.search")
    filters = selectors.Filters(**params.dict(exclude={"limit", "before_seq"}))
    scope = access.scope(request.user, get_profile())
    assert scope is not None  # _require_auditor: a reader sees the whole log
    qs = selectors.search(filters, scope=scope)
    if params.before_seq:
        qs = qs.filter(seq__lt=params.before_seq)
    rows = list(qs.order_by("-seq")[: max(1, min(params.limit, 1000))])
    record(action="log.search", actor=request.user, terminal=getattr(request, "terminal", None),
           target_type="log", count=len(rows), details={"filters": filters.used(), "api": True})
    return rows


def _status(report=None) -> dict:
    status = last_status()
    latest = status["latest_checkpoint"]
    out = {"head_seq": status["head_seq"], "latest_checkpoint_seq": latest["seq"] if latest else None,
           "guards": status["guards"], "disk_free_bytes": status["disk"].free_bytes,
           "disk_low": status["disk"].low}
    if report is not None:
        out["verified"] = report.ok
        out["first_problem"] = str(report.first_problem) if report.first_problem else None
    return out


@router.get("/status", response=StatusOut)
def status(request: HttpRequest):
    """The chain head, the latest signed checkpoint, the triggers and free disk space (cheap)."""
    _require_auditor(request, "log.view")
    return _status()


@router.post("/verify", response=StatusOut)
def verify(request: HttpRequest):
    """Recompute the whole chain and check the checkpoint signatures now."""
    _require_auditor(request, "log.verify")
    report = verify_database(make_checkpoint=True)
    record(action="log.verify", actor=request.user, terminal=getattr(request, "terminal", None),
           target_type="log", result="ok" if report.ok else "failed", details={"last_seq": report.last_seq})
    return _status(report)
