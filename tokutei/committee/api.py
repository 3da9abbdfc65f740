"""JSON API for the committee (/api/v1/committee/): meetings with attendees, minutes and decisions.

The same services and the same policy as the pages; a refusal answers with ``{"detail", "code", "article",
"citation"}`` (tokutei/api.py).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor

from . import selectors, services
from .models import Meeting

PREFIX = "committee"
router = Router(tags=["committee"], auth=django_auth)


class MeetingIn(Schema):
    kind: str = "meeting"  # meeting | circulated (where the profile allows it)
    title: str
    held_on: dt.date
    agenda: list[str] = []
    incident_ids: list[int] = []
    finding_ids: list[int] = []
    presiding: str = "chair"  # chair | vice_chair (where the profile has one)


class AttendeeIn(Schema):
    kind: str  # member | expert | other
    name: str
    capacity: str = ""
    materials: str = ""  # 001 §15: materials asked of a non-member


class MinutesIn(Schema):
    minutes: str
    finalise: bool = False


class ActionItemIn(Schema):
    text: str
    owner: str
    due_on: dt.date | None = None


class CloseIn(Schema):
    note: str = ""


class AttendeeOut(Schema):
    kind: str
    capacity: str
    name: str
    materials: str = ""


class ActionItemOut(Schema):
    id: int
    text: str
    owner: str
    due_on: dt.date | None
    closed_at: dt.datetime | None
    closing_note: str


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    held_on: dt.date
    presiding: str
    agenda: list[str]
    incident_ids: list[int]
    finding_ids: list[int]
    attendees: list[AttendeeOut]
    minutes: str
    finalised_at: dt.datetime | None
    items: list[ActionItemOut]
    article: str


def _out(meeting: Meeting) -> dict:
    return {
        "id": meeting.pk, "kind": meeting.kind, "title": meeting.title, "held_on": meeting.held_on,
        "presiding": selectors.presiding_title(meeting), "agenda": meeting.agenda,
        "incident_ids": meeting.incident_ids, "finding_ids": meeting.finding_ids, "minutes": meeting.minutes, "finalised_at": meeting.finalised_at,
        "article": meeting.article,
        "attendees": [{"kind": a.kind, "capacity": a.capacity, "name": a.name} for a in meeting.attendees.all()],
        "items": [{"id": i.pk, "text": i.text, "owner": i.owner, "due_on": i.due_on, "closed_at": i.closed_at,
                   "closing_note": i.closing_note} for i in meeting.items.all()],
    }


@router.get("/meetings", response=list[MeetingOut])
def list_meetings(request: HttpRequest):
    api_actor(request, Action.COMMITTEE_VIEW)
    return [_out(m) for m in selectors.meetings().prefetch_related("attendees", "items")[:200]]


@router.post("/meetings", response={201: MeetingOut})
def create_meeting(request: HttpRequest, payload: MeetingIn):
    actor = api_actor(request, Action.COMMITTEE_MEETING)
    meeting = services.create_meeting(actor=actor, kind=payload.kind, title=payload.title, held_on=payload.held_on,
                                      agenda=payload.agenda, incident_ids=payload.incident_ids,
                                      finding_ids=payload.finding_ids,
                                      presiding=payload.presiding)
    return Status(201, _out(meeting))


@router.get("/meetings/{pk}", response=MeetingOut)
def detail(request: HttpRequest, pk: int):
    actor = api_actor(request, Action.COMMITTEE_VIEW)
    return _out(get_or_refuse(actor, Action.COMMITTEE_VIEW, Meeting.objects.all(), pk=pk))


@router.post("/meetings/{pk}/attendees", response={201: MeetingOut})
def attendee(request: HttpRequest, pk: int, payload: AttendeeIn):
    actor = api_actor(request, Action.COMMITTEE_ATTENDANCE)
    services.add_attendee(actor=actor, meeting_id=pk, kind=payload.kind, name=payload.name,
                          capacity=payload.capacity, materials=payload.materials)
    return Status(201, _out(Meeting.objects.get(pk=pk)))


@router.post("/meetings/{pk}/minutes", response=MeetingOut)
def minutes(request: HttpRequest, pk: int, payload: MinutesIn):
    actor = api_actor(request, Action.COMMITTEE_MINUTES)
    return _out(services.record_minutes(actor=actor, meeting_id=pk, minutes=payload.minutes,
                                        finalise=payload.finalise))


@router.post("/meetings/{pk}/items", response={201: MeetingOut})
def action_item(request: HttpRequest, pk: int, payload: ActionItemIn):
    actor = api_actor(request, Action.COMMITTEE_ACTION_ITEM)
    services.add_action_item(actor=actor, meeting_id=pk, text=payload.text, owner=payload.owner,
                             due_on=payload.due_on)
    return Status(201, _out(Meeting.objects.get(pk=pk)))


@router.post("/items/{pk}/close", response=MeetingOut)
def close_item(request: HttpRequest, pk: int, payload: CloseIn):
    actor = api_actor(request, Action.COMMITTEE_ACTION_ITEM)
    item = services.close_action_item(actor=actor, item_id=pk, note=payload.note)
    return _out(item.meeting)
