"""JSON API for the ledgers (/api/v1/ledgers/): handling-status records, paper entries, the file register.

The same services and the same policy as the web pages (rules.py): a refusal is logged and answered
with the same status (403, or 404 for a record out of scope); lists are restricted to the reader's units.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.core.fields import Count, HandlingDate, Key20, Key60, Note500, RecordId, Text150, Text200, Year
from tokutei.policy import require, restrict
from tokutei.policy.web import api_actor
from tokutei.profiles.selectors import get_profile

from . import files, selectors, services
from .models import HandlingRecord, RegisterEntry
from .rules import FILES, HANDLING, REGISTER, Ledger
from .stages import category_of, content_label

PREFIX = "ledgers"
router = Router(tags=["ledgers"], auth=django_auth)


class HandlingOut(Schema):
    id: int
    source: str
    occurred_at: dt.datetime
    stage: str
    category: str | None
    action: str  # the code, for machines
    action_label: str  # what people read
    result: str
    purpose: str
    file_id: int | None
    target_type: str
    target_id: str
    count: int
    fields: list[str]
    recipient: str
    place: str
    method: str
    item: str
    checker: str
    certificate: str
    actor: str
    note: str
    corrects: int | None


class ManualIn(Schema):
    stage: Key20
    occurred_on: HandlingDate
    purpose: Key60 = ""
    file_id: RecordId | None = None
    count: Count = 1
    recipient: Text200 = ""
    place: Text200 = ""
    method: Text200 = ""
    item: Text200 = ""
    checker: Text150 = ""
    certificate: Text200 = ""
    note: Note500 = ""


class FileAccessOut(Schema):
    user_id: int
    username: str
    roles: list[str]
    tasks: list[str]


class FileRegisterOut(Schema):
    file_id: int
    name: str
    kind: str
    unit: str
    responsible: str
    purposes: list[str]
    status: str
    access: list[FileAccessOut]
    signed_off_at: dt.datetime | None
    flags: list[str]


def _out(profile, r: HandlingRecord) -> dict:
    return {
        "id": r.pk, "source": r.source, "occurred_at": r.occurred_at, "stage": r.stage,
        "category": category_of(profile, r.stage), "action": r.action,
        "action_label": content_label(r.action, r.stage), "result": r.result, "purpose": r.purpose,
        "file_id": r.file_id, "target_type": r.target_type, "target_id": r.target_id, "count": r.count,
        "fields": r.fields, "recipient": r.recipient, "place": r.place, "method": r.method, "item": r.item,
        "checker": r.checker, "certificate": r.certificate, "actor": r.actor_username, "note": r.note,
        "corrects": r.corrects_id,
    }


@router.get("/handling", response=list[HandlingOut])
def handling(request: HttpRequest, nendo: Year | None = None, category: Key60 | None = None,
             file_id: RecordId | None = None):
    """取扱状況の記録 (別紙1 / 003 §7): generated from the operation log, plus paper entries."""
    profile = get_profile()
    actor = api_actor(request, Action.LEDGERS_VIEW)
    require(actor, Action.LEDGERS_VIEW, Ledger(HANDLING))
    rows = selectors.handling_records(profile, file_id=file_id, nendo=nendo, category=category,
                                      queryset=restrict(HandlingRecord.objects.all(), actor, Action.LEDGERS_VIEW))
    return [_out(profile, r) for r in rows]


@router.post("/handling", response={201: HandlingOut})
def add_handling(request: HttpRequest, payload: ManualIn):
    """A paper step (封緘・郵送による進達, 細断, 保管場所, 提供) entered by a recorder."""
    profile = get_profile()
    actor = api_actor(request, Action.LEDGERS_MANUAL_ENTRY)
    if payload.occurred_on > timezone.localdate():
        raise HttpError(400, "未来の日付は記録できません。")
    try:
        row = services.add_manual_record(actor=actor, **payload.dict())
    except ValidationError as exc:
        raise HttpError(400, "；".join(exc.messages)) from None
    return Status(201, _out(profile, row))


@router.get("/files", response=list[FileRegisterOut])
def file_register(request: HttpRequest):
    """特定個人情報ファイル管理台帳 (004 §10 別紙2): the reader's files (their units'), access lists computed from live designations (E-43)."""
    profile = get_profile()
    actor = api_actor(request, Action.LEDGERS_VIEW)
    require(actor, Action.LEDGERS_VIEW, Ledger(FILES))
    model = files.file_model()
    visible = files.all_files(restrict(model._default_manager.all(), actor, Action.LEDGERS_VIEW)) if model else []
    out = []
    for row in selectors.file_register(profile, visible):
        info = row["file"]
        out.append({
            "file_id": info.id, "name": info.name, "kind": info.kind, "unit": info.unit_name,
            "responsible": info.responsible_name, "purposes": info.tasks, "status": info.status,
            "access": [{"user_id": p["user_id"], "username": p["username"], "roles": p["roles"],
                        "tasks": p["tasks"]} for p in row["access"]],
            "signed_off_at": row["sign_off"].signed_at if row["sign_off"] else None, "flags": row["flags"],
        })
    return out


# --- record books (R-REG-0), typed (issue 17) --------------------------------------------------------------


class RegisterFieldOut(Schema):
    key: str
    ja: str
    type: str
    required: bool
    choices: dict[str, str]


class RegisterEntryOut(Schema):
    id: int
    entry_no: int
    version: int
    form_version: int
    values: dict[str, Any]  # field key → stored value (dates ISO, people and rooms by id)
    created_at: dt.datetime


class RegisterOut(Schema):
    key: str
    title: str
    form_version: int
    fields: list[RegisterFieldOut]
    entries: list[RegisterEntryOut]


class RegisterEntryIn(Schema):
    values: dict[str, Any]


class RegisterInvalidOut(Schema):
    detail: str
    code: str
    errors: list[str]  # each names the field: 「保管場所」は必須です。


def _entry_out(e: RegisterEntry) -> dict:
    return {"id": e.pk, "entry_no": e.entry_no, "version": e.version, "form_version": e.form_version,
            "values": e.values, "created_at": e.created_at}


@router.get("/registers/{key}", response=RegisterOut)
def record_book(request: HttpRequest, key: str):
    """A record book of the profile: its typed fields and its entries in force."""
    profile = get_profile()
    actor = api_actor(request, Action.LEDGERS_VIEW)
    require(actor, Action.LEDGERS_VIEW, Ledger(REGISTER, key))  # an unknown key: not found
    definition = profile.registers[key]
    entries = selectors.register_entries(key, queryset=restrict(RegisterEntry.objects.all(), actor,
                                                                Action.LEDGERS_VIEW))
    return {"key": key, "title": definition.ja, "form_version": definition.form_version,
            "fields": [{"key": f.key, "ja": f.ja, "type": f.type, "required": f.required, "choices": f.choices}
                       for f in definition.current_fields()],
            "entries": [_entry_out(e) for e in entries]}


@router.post("/registers/{key}", response={201: RegisterEntryOut, 400: RegisterInvalidOut})
def add_record_book_entry(request: HttpRequest, key: str, payload: RegisterEntryIn):
    """An entry, validated against the typed fields: 400 with every problem, each naming the field."""
    actor = api_actor(request, Action.LEDGERS_MANUAL_ENTRY)
    require(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(REGISTER, key))
    try:
        entry = services.add_register_entry(actor=actor, register=key, values=payload.values)
    except ValidationError as exc:
        return Status(400, {"detail": "；".join(exc.messages), "code": "invalid", "errors": exc.messages})
    return Status(201, _entry_out(entry))
