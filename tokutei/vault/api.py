"""JSON API of the vault (/api/v1/vault/): intake, confirm, search, view, correct, files.

Two ways in: a browser session (CSRF enforced) or a service account's token
(``Authorization: Bearer …``) that is bound to one registered terminal — the ``X-Tokutei-Terminal``
credential must be that terminal's — and to a set of tasks. Every operation starts with
``api_actor(request, Action.X, purpose=...)`` (tokutei.policy); every refusal is logged once and answered by
tokutei/api.py with the same status as the pages. 個人番号 never travel in URLs: searches are POSTs.
"""

from __future__ import annotations

import functools
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import refuse
from tokutei.core.fields import (
    Key60,
    Key150,
    Note500,
    Note2000,
    RecordDate,
    RecordId,
    Text60,
    Text100,
    Text150,
    Text200,
)
from tokutei.policy import Actor, restrict
from tokutei.policy.web import api_actor
from tokutei.profiles.selectors import get_profile

from . import services
from .codec import FieldErrors
from .models import Person, ServiceAccount, SpecificFile

PREFIX = "vault"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# 本人確認 evidence: document keys, flags and a short note (never a number).
EvidenceValue = bool | Key60 | Text200 | Annotated[list[Text150], Field(max_length=20)]


class ServiceToken(HttpBearer):
    """A service account's token: valid only from the terminal it is bound to. The request then acts
    as ``Actor.for_service_account`` (its staff member, its terminal, only its tasks)."""

    def authenticate(self, request: HttpRequest, token: str) -> ServiceAccount | None:
        account = services.account_for_token(token)
        if account is None:
            return None
        terminal = getattr(request, "terminal", None)
        if account.user.credentials_suspended_at is not None:  # 異動等: suspended with the person (E-13)
            raise refuse(_("異動等により、この API トークンは停止されています"), action=Action.STAFF_ACCESS,
                         article=get_profile().authentication.on_change_article, code="credentials_suspended",
                         actor=account.user, terminal=terminal, details={"service_account": account.pk})
        if terminal is None or terminal.pk != account.terminal_id:
            raise refuse("この API トークンは、登録された端末からのみ利用できます", action=Action.STAFF_ACCESS,
                         article=get_profile().authentication.article, code="token_terminal", actor=account.user,
                         terminal=terminal, details={"service_account": account.pk})
        # ``last_used_at`` is written on a request that changes something anyway (POST …), never on a GET
        # (no writes on GET: a read must not turn into a row update, lock or replication traffic). A read's use
        # is in the operation log — every read of the vault is logged with the account's user and terminal.
        if request.method not in SAFE_METHODS:
            ServiceAccount.objects.filter(pk=account.pk).update(last_used_at=timezone.now())
        request.service_account = account  # type: ignore[attr-defined]  # read by api_actor
        return account


router = Router(tags=["vault"], auth=[ServiceToken(), SessionAuth()])


def _actor(request: HttpRequest, action: Action, purpose: str) -> Actor:
    """The caller for ``purpose``, decided for ``action`` (a refusal is logged and answered by tokutei/api.py)."""
    return api_actor(request, action, purpose=purpose or "")


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
            from tokutei.api import log_api_refusal

            log_api_refusal(request, code="invalid", reason="入力内容に誤りがあります",
                            details={"fields": sorted(exc.errors)[:50]})
            return Status(400, {"detail": "入力内容に誤りがあります", "code": "invalid", "article": exc.article,
                         "errors": exc.errors})
    return wrapped


class FieldOut(Schema):
    key: str
    label: str
    value: str
    masked: bool


class SummaryOut(Schema):
    id: int
    file_id: int
    status: str
    # 確認待ち (E-24, 004 §14(3)②): true while a manually entered number awaits a second person's check
    awaiting_confirmation: bool = False
    confirmation_checks: list[str] = []  # the checks the confirmation made: visual, read_back, re_entry


class PersonOut(SummaryOut):
    fields: list[FieldOut] = []


class IntakeIn(Schema):
    purpose: Key60
    values: Annotated[dict[Key60, Note2000], Field(max_length=60)]  # each value checked by the codec too
    channel: Key60 = ""
    evidence: Annotated[dict[Key60, EvidenceValue], Field(max_length=20)] = {}
    retention_trigger_date: RecordDate | None = None


class IntakeOut(Schema):
    id: int
    status: str
    awaiting_confirmation: bool = False
    duplicate_in_files: list[int] = []


class ConfirmIn(Schema):
    purpose: Key60
    method: Key60 = ""  # one check; or ``checks``: every check made (E-24)
    checks: Annotated[list[Key60], Field(max_length=3)] = []
    my_number: Text60 = ""
    matched: bool = False


class VaultSearchIn(Schema):
    purpose: Key60
    by: Key60
    value: Text60 = ""
    kana: Text100 = ""
    birth_date: Text60 = ""
    bulk_approval_id: RecordId | None = None  # prior approval for 大量 handling (000 §9.2)


class VaultLookupIn(VaultSearchIn):
    reveal: bool = False  # the 個人番号 shown (logged as vault.reveal) instead of masked


class CorrectIn(Schema):
    purpose: Key60
    changes: Annotated[dict[Key60, Note2000 | None], Field(max_length=60)]
    instructed_by: Key150 = ""  # the instructing staff member's user ID
    approval_id: RecordId | None = None  # the recorded instruction, where the profile names its instructor (002 §12)
    reason: Note500 = ""


class FileOut(Schema):
    id: int
    name: str
    tasks: list[str]


def _summary(p: Person) -> dict:
    return {"id": p.pk, "file_id": p.file_id, "status": p.status, "awaiting_confirmation": p.awaiting_confirmation,
            "confirmation_checks": p.checks_made}


@router.get("/files", response={200: list[FileOut]})
def list_files(request: HttpRequest, purpose: Key60):
    """Files that serve ``purpose`` and that the caller may use."""
    actor = _actor(request, Action.VAULT_LIST, purpose)
    files = restrict(SpecificFile.objects.all(), actor, Action.VAULT_LIST).order_by("pk")
    return [{"id": f.pk, "name": f.name, "tasks": f.tasks} for f in files]


@router.post("/files/{file_id}/people", response={201: IntakeOut, 400: ErrorOut})
@input_errors
def intake(request: HttpRequest, file_id: RecordId, payload: IntakeIn):
    """個人番号の取得・入力 (004 §8, §14(3)): verified, encrypted; unconfirmed until a second person checks."""
    actor = _actor(request, Action.VAULT_INTAKE, payload.purpose)
    file = services.get_file(actor=actor, pk=file_id, action=Action.VAULT_INTAKE)
    result = services.intake_person(actor=actor, file=file, values=payload.values, channel=payload.channel,
                                    evidence=payload.evidence, retention_trigger_date=payload.retention_trigger_date)
    return Status(201, {"id": result.person.pk, "status": result.person.status,
                        "awaiting_confirmation": result.person.awaiting_confirmation,
                        "duplicate_in_files": result.duplicate_in_files})


@router.post("/people/{person_id}/confirm", response={200: SummaryOut, 400: ErrorOut})
@input_errors
def confirm(request: HttpRequest, person_id: RecordId, payload: ConfirmIn):
    """入力者と別の者による確認 (004 §14(3)②, E-24)."""
    actor = _actor(request, Action.VAULT_CONFIRM, payload.purpose)
    person = services.get_person(actor=actor, pk=person_id, action=Action.VAULT_CONFIRM)
    person = services.confirm_person(actor=actor, person=person, method=payload.method, checks=payload.checks,
                                     my_number=payload.my_number, matched=payload.matched)
    return _summary(person)


@router.post("/search", response={200: list[SummaryOut], 400: ErrorOut})
@input_errors
def search(request: HttpRequest, payload: VaultSearchIn):
    """Exact lookup by 個人番号 / 住民票コード / カナ+生年月日 / the organisation's key (POST: no numbers in URLs)."""
    actor = _actor(request, Action.VAULT_SEARCH, payload.purpose)
    people = services.search_people(actor=actor, by=payload.by, value=payload.value, kana=payload.kana,
                                    birth_date=payload.birth_date, bulk_approval_id=payload.bulk_approval_id)
    return [_summary(p) for p in people]


@router.post("/lookup", response={200: list[PersonOut], 400: ErrorOut})
@input_errors
def lookup(request: HttpRequest, payload: VaultLookupIn):
    """検索と照会を一度に: the people an exact lookup finds, each opened with the task's fields — what a client
    program asks when it holds a number and needs the record. The same as ``/search`` followed by
    ``/people/{id}`` for each person found, decided and logged the same way (one search entry, then one
    view or reveal entry per person), in one request instead of one plus one per person."""
    searcher = _actor(request, Action.VAULT_SEARCH, payload.purpose)
    viewer = _actor(request, Action.VAULT_REVEAL if payload.reveal else Action.VAULT_VIEW, payload.purpose)
    views = services.look_up(searcher=searcher, viewer=viewer, by=payload.by, value=payload.value,
                             kana=payload.kana, birth_date=payload.birth_date,
                             bulk_approval_id=payload.bulk_approval_id, reveal=payload.reveal)
    return [_shown(shown.person, shown) for shown in views]


def _shown(person: Person, shown) -> dict:
    return {**_summary(person), "fields": [{"key": f.key, "label": f.label, "value": f.value, "masked": f.masked}
                                         for f in shown.fields]}


@router.get("/people/{person_id}", response={200: PersonOut})
def view(request: HttpRequest, person_id: RecordId, purpose: Key60 = "", reveal: bool = False):
    """照会: the task's fields only; the 個人番号 masked unless ``reveal`` (logged as vault.reveal)."""
    action = Action.VAULT_REVEAL if reveal else Action.VAULT_VIEW
    actor = _actor(request, action, purpose)
    person = services.get_person(actor=actor, pk=person_id, action=action)
    return _shown(person, services.view_person(actor=actor, person=person, reveal=reveal))


@router.post("/people/{person_id}/corrections", response={201: SummaryOut, 400: ErrorOut})
@input_errors
def correct(request: HttpRequest, person_id: RecordId, payload: CorrectIn):
    """訂正 on a named instruction (002 §12); the history keeps old and new values, encrypted."""
    from tokutei.staff.models import User

    actor = _actor(request, Action.VAULT_CORRECT, payload.purpose)
    person = services.get_person(actor=actor, pk=person_id, action=Action.VAULT_CORRECT)
    instructed_by = User.objects.filter(username=payload.instructed_by).first() if payload.instructed_by else None
    if instructed_by is None and payload.approval_id is None:
        raise FieldErrors({"instructed_by": "指示者のユーザIDが見つかりません"})
    services.correct_person(actor=actor, person=person, changes=payload.changes, instructed_by=instructed_by,
                            approval_id=payload.approval_id, reason=payload.reason)
    person.refresh_from_db()
    return Status(201, _summary(person))
