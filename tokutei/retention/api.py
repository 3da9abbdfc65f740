"""JSON API of retention (/api/v1/retention/): the worklist and how one record's date was counted.

The same selectors and the same policy as the pages and ``tokutei retention due`` (rules.py).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Decision, refusal
from tokutei.policy.web import api_actor
from tokutei.profiles.selectors import get_profile

from . import selectors

PREFIX = "retention"
router = Router(tags=["retention"], auth=django_auth)


class DueOut(Schema):
    record_class: str
    ids: list[str]
    label: str
    count: int
    status: str
    rule: str
    article: str
    event: dt.date | None
    due: dt.date | None
    overdue_after: dt.date | None
    file_id: int | None
    unit: str


class ExplainOut(Schema):
    status: str
    due: dt.date | None
    steps: list[str]
    article: str


def _out(i: selectors.Item) -> DueOut:
    s = i.schedule
    return DueOut(record_class=i.record_class, ids=i.ids, label=i.label, count=i.count, status=i.status,
                  rule=s.rule_key, article=s.rule.article, event=s.event, due=s.due, overdue_after=s.overdue_after,
                  file_id=i.file_id, unit=i.unit_name)


@router.get("/due", response=list[DueOut])
def due(request: HttpRequest, on: dt.date | None = None, all: bool = False):
    """What may be disposed of and what is overdue on ``on`` (R-RET-3)."""
    api_actor(request, Action.RETENTION_VIEW)
    items = selectors.worklist(get_profile(), on, statuses=None if all else {"due", "overdue", "held"})
    return [_out(i) for i in items]


@router.get("/explain/{record_class}/{record_id}", response=ExplainOut)
def explain(request: HttpRequest, record_class: str, record_id: str, on: dt.date | None = None):
    actor = api_actor(request, Action.RETENTION_VIEW)
    item = selectors.find_item(get_profile(), record_class, record_id, on)
    if item is None:  # a record missing or out of reach: the policy's logged not-found
        raise refusal(actor, Action.RETENTION_VIEW, Decision(False, reason=NOT_FOUND_MESSAGE, code="not_found"),
                      target=(record_class[:40], record_id[:64]))
    return ExplainOut(status=item.status, due=item.schedule.due, steps=[s.ja for s in item.schedule.steps],
                      article=item.schedule.rule.article)
