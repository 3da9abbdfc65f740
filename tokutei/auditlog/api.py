"""JSON API for the operation log (/api/v1/log/): search, integrity status. Read-only.

The same policy as the pages (rules.py): the log's readers search the whole log, supervisors their unit's
staff; anyone else is refused (logged, 403). ``action`` stays the code (machine-readable);
``action_label`` is what people read.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth

from tokutei.core.fields import Key20, Key60, Limit, RecordDate, RecordId, Text60, Text100, Text150
from tokutei.policy import restrict
from tokutei.policy.web import api_actor

from . import selectors
from .actions import Action, label
from .models import Entry
from .services import record
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
    action_label: str
    purpose: str
    target_type: str
    target_id: str
    count: int
    result: str
    article: str
    reason: str
    details: dict
    hash: str

    @staticmethod
    def resolve_details(obj: Entry) -> dict:
        """Total: an entry whose details are not an object (an old or odd writer) still answers."""
        return obj.details if isinstance(obj.details, dict) else {"value": obj.details}


class LogSearchIn(Schema):
    date_from: RecordDate | None = None
    date_to: RecordDate | None = None
    user: Text150 = ""
    action: Key60 = ""
    result: Key20 = ""
    purpose: Text60 = ""
    target_type: Text60 = ""
    target_id: Text100 = ""
    terminal: Text100 = ""
    limit: Limit = 100
    before_seq: RecordId | None = None  # page backwards: entries with seq < before_seq


class StatusOut(Schema):
    head_seq: int
    latest_checkpoint_seq: int | None
    guards: bool
    disk_free_bytes: int
    disk_low: bool
    verified: bool | None = None
    first_problem: str | None = None


@router.get("/entries", response=list[EntryOut])
def entries(request: HttpRequest, params: Query[LogSearchIn]):
    """Search the entries the caller may read (the whole log for its readers), newest first."""
    actor = api_actor(request, Action.LOG_SEARCH)
    filters = selectors.Filters(**params.dict(exclude={"limit", "before_seq"}))
    qs = selectors.search(filters, queryset=restrict(Entry.objects.all(), actor, Action.LOG_SEARCH))
    if params.before_seq:
        qs = qs.filter(seq__lt=params.before_seq)
    rows = list(qs.order_by("-seq")[: max(1, min(params.limit, 1000))])
    record(action=Action.LOG_SEARCH, **actor.log_fields(), target_type="log", count=len(rows),
           details={"filters": filters.used(), "api": True})
    for row in rows:
        row.action_label = label(row.action)  # type: ignore[attr-defined]  # the schema's label field
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
    api_actor(request, Action.LOG_VERIFY)
    return _status()


@router.post("/verify", response=StatusOut)
def verify(request: HttpRequest):
    """Recompute the whole chain and check the checkpoint signatures now."""
    actor = api_actor(request, Action.LOG_VERIFY)
    report = verify_database(make_checkpoint=True)
    record(action=Action.LOG_VERIFY, **actor.log_fields(), target_type="log", result="ok" if report.ok else "failed", details={"last_seq": report.last_seq})
    return _status(report)
