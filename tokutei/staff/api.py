"""JSON API for staff (/api/v1/staff/): who am I, on which terminal, and may I reach personal data.

API clients send the terminal credential in the ``X-Tokutei-Terminal`` header (TerminalMiddleware).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from tokutei.auditlog.actions import Action
from tokutei.policy.web import api_actor
from tokutei.profiles.selectors import get_profile

from .http import SignedInRequest
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
