"""JSON API for the registers (/api/v1/registers/): every register as the same table its print page and Excel
file show (``tables.TABLES``), and the entry/exit book's entries. Decided by the same policy as the pages
(``api_actor`` first); refusals are the API's one answer (403/404 with the article)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field

from tokutei.auditlog.actions import Action
from tokutei.core.fields import Key60, RecordId, Text200
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor

from . import selectors, tables
from .models import Dispatch
from .services import dispatches, rooms, transmissions

PREFIX = "registers"
router = Router(tags=["registers"], auth=django_auth)


class TableOut(Schema):
    name: str
    title: str
    columns: list[str]
    rows: list[list[str]]


def _table_endpoint(name: str):
    table = tables.TABLES[name]

    def read(request: HttpRequest) -> TableOut:
        actor = api_actor(request, table.action)
        if not table.kept():  # a register this organisation does not keep (linkage_ids outside 004)
            raise table.not_kept(actor, name)
        columns, rows = table.build(actor)
        return TableOut(name=name, title=tables.title_of(name), columns=columns, rows=rows)

    read.__name__ = f"table_{name}"
    read.__doc__ = f"{name}: the register as its printed form shows it."
    return read


for _name in tables.TABLES:
    router.get(f"/tables/{_name.replace('_', '-')}", response=TableOut, operation_id=f"registers_table_{_name}")(
        _table_endpoint(_name))


class RoomEntryIn(Schema):
    kind: str  # staff / visitor / vendor
    purpose: str
    person_id: int | None = None
    visitor_name: str = ""
    affiliation: str = ""
    identification: str = ""
    name_tag: str = ""
    escort_id: int | None = None
    entered_at: dt.datetime | None = None


class RoomEntryOut(Schema):
    id: int
    room_id: int
    kind: str
    entered_at: dt.datetime
    permission_id: int | None
    escort_id: int | None


@router.post("/rooms/{room_id}/entries", response=RoomEntryOut)
def add_room_entry(request: HttpRequest, room_id: int, payload: RoomEntryIn):
    """入退室の記録: refused for a visitor or vendor without identification and a named escort (E-20)."""
    actor = api_actor(request, Action.ROOM_ENTRY)
    users = get_user_model().objects
    person = users.filter(pk=payload.person_id).first() if payload.person_id else None
    escort = users.filter(pk=payload.escort_id).first() if payload.escort_id else None
    entry = rooms.record_entry(actor=actor, room_id=room_id, kind=payload.kind, purpose=payload.purpose,
                               entered_at=payload.entered_at, person=person, visitor_name=payload.visitor_name,
                               affiliation=payload.affiliation, identification=payload.identification,
                               name_tag=payload.name_tag, escort=escort)
    return RoomEntryOut(id=entry.pk, room_id=entry.room_id, kind=entry.kind, entered_at=entry.entered_at,
                        permission_id=entry.permission_id, escort_id=entry.escort_id)


class TransmitIn(Schema):
    channel: Key60  # a key of the profile's transmission.channels
    recipient: Text200
    approval_id: RecordId | None = None
    note: Text200 = ""


class TransmissionOut(Schema):
    id: int
    copy_id: int
    channel: str
    recipient: str
    approval_id: int | None
    sent_at: dt.datetime


@router.post("/exports/{copy_id}/transmit", response=TransmissionOut)
def transmit_export(request: HttpRequest, copy_id: RecordId, payload: TransmitIn):
    """送信 of one's export file (E-08, E-45): on the recorded instruction, over an encrypted channel of the
    profile's list; refused otherwise (403 with the article, logged)."""
    actor = api_actor(request, Action.REGISTERS_VIEW)
    copy = get_or_refuse(actor, Action.REGISTERS_VIEW, selectors.copies_of(request.user).filter(
        deleted_at__isnull=True, expires_at__gt=timezone.now()), pk=copy_id)
    sent = transmissions.transmit(actor=actor.for_purpose(copy.purpose), copy_id=copy.pk, channel=payload.channel,
                                  recipient=payload.recipient, approval_id=payload.approval_id, note=payload.note)
    return TransmissionOut(id=sent.pk, copy_id=copy.pk, channel=sent.channel, recipient=sent.recipient,
                           approval_id=sent.approval_id, sent_at=sent.sent_at)


class DispatchIn(Schema):
    purpose: Key60
    kind: Literal["forwarding", "submission"]
    recipient: Text200
    item: Text200 = ""
    record_count: int = Field(0, ge=0, le=10_000_000)


class DispatchCompleteIn(Schema):
    method: Key60 = ""  # a key of the profile's dispatch.mailing_methods (a 進達)
    sealed: bool = False


class DispatchOut(Schema):
    id: int
    kind: str
    recipient: str
    status: str
    method: str


def _dispatch_out(d: Dispatch) -> DispatchOut:
    return DispatchOut(id=d.pk, kind=d.kind, recipient=d.recipient, status=d.status, method=d.method)


@router.post("/dispatches", response=DispatchOut)
def open_dispatch(request: HttpRequest, payload: DispatchIn):
    """回付・進達を起票する (004 §14(2), E-39)."""
    actor = api_actor(request, Action.REGISTERS_VIEW)
    return _dispatch_out(dispatches.open_dispatch(actor=actor.for_purpose(payload.purpose), kind=payload.kind,
                                                  recipient=payload.recipient, item=payload.item,
                                                  record_count=payload.record_count))


@router.post("/dispatches/{dispatch_id}/complete", response=DispatchOut)
def complete_dispatch(request: HttpRequest, dispatch_id: RecordId, payload: DispatchCompleteIn):
    """回付・進達を完了する: its 別紙1 entry is written with it; a 進達 only by a traceable method of the list."""
    actor = api_actor(request, Action.REGISTERS_VIEW)
    row = get_or_refuse(actor, Action.REGISTERS_VIEW, Dispatch.objects.filter(created_by=actor.user), pk=dispatch_id)
    return _dispatch_out(dispatches.complete_dispatch(actor=actor.for_purpose(row.purpose), dispatch_id=row.pk,
                                                      method=payload.method, sealed=payload.sealed))
