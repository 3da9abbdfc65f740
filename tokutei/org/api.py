"""JSON API of the organisation records (/api/v1/org/): one's own duties and acknowledging them, and the
acknowledgement register. The same services and policy as the pages; a refusal answers with
``{"detail", "code", "article", "citation"}`` (tokutei/api.py)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy.web import api_actor

from . import selectors, services

PREFIX = "org"
router = Router(tags=["org"], auth=django_auth)


class DutyOut(Schema):
    key: str
    ja: str
    text: str
    article: str
    acknowledged_on: dt.date | None


class AckOut(Schema):
    user_id: int
    duty: str
    acknowledged_on: dt.date | None
    rules_in_force: dt.date | None
    current: bool
    concerned: bool


@router.get("/duties", response=list[DutyOut])
def duties(request: HttpRequest):
    actor = api_actor(request, Action.ORG_CHART)
    return [DutyOut(key=k, ja=d.ja, text=d.text, article=d.article,
                    acknowledged_on=a.acknowledged_on if a else None)
            for k, d, a in selectors.my_duties(actor.user)]


@router.post("/duties/{key}/acknowledge", response={201: AckOut})
def acknowledge(request: HttpRequest, key: str):
    actor = api_actor(request, Action.ORG_ACKNOWLEDGE)
    ack = services.acknowledge(actor=actor, duty_key=key)
    return Status(201, AckOut(user_id=ack.user_id, duty=ack.duty_key, acknowledged_on=ack.acknowledged_on,
                              rules_in_force=ack.rules_in_force, current=True, concerned=True))


@router.get("/acknowledgements", response=list[AckOut])
def register(request: HttpRequest):
    actor = api_actor(request, Action.ORG_ACK_REGISTER)
    _duties, _version, rows = selectors.register_rows(actor)
    return [AckOut(user_id=row.user.pk, duty=key, acknowledged_on=ack.acknowledged_on if ack else None,
                   rules_in_force=ack.rules_in_force if ack else None, current=current,
                   concerned=not (ack is None and current))
            for row in rows for key, ack, current in row.cells]
