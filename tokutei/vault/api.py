"""JSON API of the vault (/api/v1/vault/): intake, confirm, search, view, correct, files.

Two ways in: a browser session (CSRF enforced) or a service account's token
(``Authorization: Bearer …``) that is bound to one registered terminal — the ``X-Tokutei-Terminal``
credential must be that terminal's — and to a set of tasks. Every decision is ``policy.decide``; every
refusal is logged. 個人番号 never travel in URLs: searches are POSTs.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from tokutei.auditlog.services import refuse
from tokutei.profiles.selectors import get_profile

from . import services
from .codec import FieldErrors
from .models import Person, ServiceAccount
from .policy import files_for

PREFIX = "vault"


@dataclass(frozen=True)
class Principal:
    actor: Any
    limit_tasks: frozenset[str] | None = None
    account: ServiceAccount | None = None


class ServiceToken(HttpBearer):
    """A service account's token: valid only from the terminal it is bound to."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        account = services.account_for_token(token)
        if account is None:
            return None
        terminal = getattr(request, "terminal", None)
        if terminal is None or terminal.pk != account.terminal_id:
            raise refuse("この API トークンは、登録された端末からのみ利用できます", action="staff.access",
                         article=get_profile().authentication.article, code="token_terminal", actor=account.user,
                         terminal=terminal, details={"service_account": account.pk})
        ServiceAccount.objects.filter(pk=account.pk).update(last_used_at=timezone.now())
        return Principal(account.user, frozenset(account.tasks), account)


class Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user = super().authenticate(request, key)
        return Principal(user) if user is not None else None


router = Router(tags=["vault"], auth=[ServiceToken(), Session()])


def _principal(request: HttpRequest) -> Principal:
    return request.auth  # type: ignore[attr-defined,return-value]


def _common(request: HttpRequest, purpose: str) -> dict[str, Any]:
    p = _principal(request)
    return {"actor": p.actor, "terminal": getattr(request, "terminal", None), "purpose": purpose,
            "limit_tasks": p.limit_tasks}


class ErrorOut(Schema):
    detail: str
    code: str = ""
    article: str = ""
    errors: dict[str, str] = {}


def input_errors(view):
    """Input errors → 400 with the Japanese message per field (nothing was changed)."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FieldErrors as exc:
            return Status(400, {"detail": "入力内容に誤りがあります", "code": "invalid", "article": exc.article,
                         "errors": exc.errors})
    return wrapped


class FieldOut(Schema):
    key: str
    label: str
    value: str
    masked: bool


class PersonOut(Schema):
    id: int
    file_id: int
    status: str
    fields: list[FieldOut] = []


class SummaryOut(Schema):
    id: int
    file_id: int
    status: str


class IntakeIn(Schema):
    purpose: str
    values: dict[str, str]
    channel: str = ""
    evidence: dict[str, Any] = {}
    retention_trigger_date: dt.date | None = None


class IntakeOut(Schema):
    id: int
    status: str
    duplicate_in_files: list[int] = []


class ConfirmIn(Schema):
    purpose: str
    method: str
    my_number: str = ""
    matched: bool = False


class VaultSearchIn(Schema):
    purpose: str
    by: str
    value: str = ""
    kana: str = ""
    birth_date: str = ""
    bulk_approval_id: int | None = None  # prior approval for 大量 handling (000 §9.2)


class CorrectIn(Schema):
    purpose: str
    changes: dict[str, str | None]
    instructed_by: str  # the instructing staff member's user ID
    reason: str = ""


class FileOut(Schema):
    id: int
    name: str
    tasks: list[str]


def _summary(p: Person) -> dict:
    return {"id": p.pk, "file_id": p.file_id, "status": p.status}


@router.get("/files", response={200: list[FileOut]})
def list_files(request: HttpRequest, purpose: str):
    """Files that serve ``purpose`` and that the caller may use."""
    c = _common(request, purpose)
    decision = services._require(action="list", **c)
    return [{"id": f.pk, "name": f.name, "tasks": f.tasks} for f in files_for(decision, purpose)]


@router.post("/files/{file_id}/people", response={201: IntakeOut, 400: ErrorOut})
@input_errors
def intake(request: HttpRequest, file_id: int, payload: IntakeIn):
    """個人番号の取得・入力 (004 §8, §14(3)): verified, encrypted; unconfirmed until a second person checks."""
    c = _common(request, payload.purpose)
    file = services.get_file(pk=file_id, action="intake", **c)
    result = services.intake_person(file=file, values=payload.values, channel=payload.channel,
                                    evidence=payload.evidence, retention_trigger_date=payload.retention_trigger_date,
                                    **c)
    return Status(201, {"id": result.person.pk, "status": result.person.status,
                        "duplicate_in_files": result.duplicate_in_files})


@router.post("/people/{person_id}/confirm", response={200: SummaryOut, 400: ErrorOut})
@input_errors
def confirm(request: HttpRequest, person_id: int, payload: ConfirmIn):
    """入力者と別の者による確認 (004 §14(3)②, E-24)."""
    c = _common(request, payload.purpose)
    person = services.get_person(pk=person_id, action="confirm", **c)
    person = services.confirm_person(person=person, method=payload.method, my_number=payload.my_number,
                                     matched=payload.matched, **c)
    return _summary(person)


@router.post("/search", response={200: list[SummaryOut], 400: ErrorOut})
@input_errors
def search(request: HttpRequest, payload: VaultSearchIn):
    """Exact lookup by 個人番号 / 住民票コード / カナ+生年月日 / the organisation's key (POST: no numbers in URLs)."""
    c = _common(request, payload.purpose)
    people = services.search_people(by=payload.by, value=payload.value, kana=payload.kana,
                                    birth_date=payload.birth_date, bulk_approval_id=payload.bulk_approval_id, **c)
    return [_summary(p) for p in people]


@router.get("/people/{person_id}", response={200: PersonOut})
def view(request: HttpRequest, person_id: int, purpose: str = "", reveal: bool = False):
    """照会: the task's fields only; the 個人番号 masked unless ``reveal`` (logged as vault.reveal)."""
    c = _common(request, purpose)
    person = services.get_person(pk=person_id, action="reveal" if reveal else "view", **c)
    shown = services.view_person(person=person, reveal=reveal, **c)
    return {**_summary(person), "fields": [{"key": f.key, "label": f.label, "value": f.value, "masked": f.masked}
                                         for f in shown.fields]}


@router.post("/people/{person_id}/corrections", response={201: SummaryOut, 400: ErrorOut})
@input_errors
def correct(request: HttpRequest, person_id: int, payload: CorrectIn):
    """訂正 on a named instruction (002 §12); the history keeps old and new values, encrypted."""
    from tokutei.staff.models import User

    c = _common(request, payload.purpose)
    person = services.get_person(pk=person_id, action="correct", **c)
    instructed_by = User.objects.filter(username=payload.instructed_by).first()
    if instructed_by is None:
        raise FieldErrors({"instructed_by": "指示者のユーザIDが見つかりません"})
    services.correct_person(person=person, changes=payload.changes, instructed_by=instructed_by,
                            reason=payload.reason, **c)
    person.refresh_from_db()
    return Status(201, _summary(person))

