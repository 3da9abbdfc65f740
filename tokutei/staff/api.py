"""JSON API for staff (/api/v1/staff/): who am I, on which terminal, and may I reach personal data.

API clients send the terminal credential in the ``X-Tokutei-Terminal`` header (TerminalMiddleware).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.core.fields import Note500, RecordId
from tokutei.policy import get_or_refuse
from tokutei.policy.web import api_actor
from tokutei.profiles.selectors import get_profile

from . import services
from .http import SignedInRequest
from .models import ProvisioningTask
from .selectors import active_assignments

PREFIX = "staff"
router = Router(tags=["staff"], auth=django_auth)


class AssignmentOut(Schema):
    role: str
    role_ja: str
    tasks: list[str]
    start_date: dt.date
    end_date: dt.date | None


class MeOut(Schema):
    user_id: str
    terminal: str | None
    assignments: list[AssignmentOut]


class AccessOut(Schema):
    allowed: bool


@router.get("/me", response=MeOut)
def me(request: SignedInRequest):  # the router's django_auth: signed in
    """The signed-in user's roles and task scope in force today, and the registered terminal (if any)."""
    profile = get_profile()
    terminal = getattr(request, "terminal", None)
    return {
        "user_id": request.user.username,
        "terminal": terminal.name if terminal else None,
        "assignments": [
            {"role": a.role_key, "role_ja": profile.roles[a.role_key].ja if a.role_key in profile.roles else "",
             "tasks": a.tasks, "start_date": a.start_date, "end_date": a.end_date}
            for a in active_assignments(request.user)
        ],
    }


@router.get("/personal-data-access", response=AccessOut)
def personal_data_access(request: HttpRequest):
    """200 when this user on this terminal may reach personal data; 403 with the article otherwise
    (the ``STAFF_ACCESS`` rule, refusal logged)."""
    api_actor(request, Action.STAFF_ACCESS)
    return {"allowed": True}


class ProvisioningCloseIn(Schema):
    outcome: Literal["set", "cancelled"]
    note: Note500 = ""


class ProvisioningOut(Schema):
    id: int
    user_id: str
    kind: str
    cause: str
    outcome: str
    credentials_suspended: bool


@router.post("/provisioning/{task_id}/close", response=ProvisioningOut)
def close_provisioning(request: HttpRequest, task_id: RecordId, payload: ProvisioningCloseIn):
    """Close an open provisioning task as set (設定) or cancelled (取消し) — 異動等 (E-13)."""
    actor = api_actor(request, Action.STAFF_PROVISIONING_CLOSE)
    task = get_or_refuse(actor, Action.STAFF_PROVISIONING_CLOSE,
                         ProvisioningTask.objects.filter(closed_at__isnull=True).select_related("user"), pk=task_id)
    try:
        services.close_provisioning_task(actor=actor, task=task, outcome=payload.outcome, note=payload.note)
    except ValidationError as exc:
        raise HttpError(409, exc.messages[0]) from exc
    return {"id": task.pk, "user_id": task.user.username, "kind": task.kind, "cause": task.cause,
            "outcome": task.outcome, "credentials_suspended": task.user.credentials_suspended_at is not None}
