"""JSON API for the registers (/api/v1/registers/): every register as the same table its print page and Excel
file show (``tables.TABLES``), and the entry/exit book's entries. Decided by the same policy as the pages
(``api_actor`` first); refusals are the API's one answer (403/404 with the article)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy.web import api_actor

from . import tables
from .services import rooms

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
