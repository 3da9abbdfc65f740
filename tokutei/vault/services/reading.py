"""Logged reads: getting a person or a file, 照会 (masked unless revealed) and 検索."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.errors import NOT_FOUND_MESSAGE, NotFoundOrForbidden
from tokutei.policy import Actor, Decision, decide, records_sql, refusal, require, restrict, within_records
from tokutei.profiles.selectors import get_profile

from ..codec import (
    FieldErrors,
    check_my_number,
    decrypt_person_fields,
    lookup_digests,
)
from ..crypto import CryptoError, normalise_kana, normalise_org_key, normalise_resident_code
from ..models import Person, SpecificFile

MASK = "●●●● ●●●● ●●●●"


# --- reading ---------------------------------------------------------------------------------------------

@dataclass
class ShownField:
    key: str
    label: str
    value: str
    masked: bool = False
    display: str = ""  # for pages: 和暦 added to dates

    def __post_init__(self) -> None:
        self.display = self.display or self.value


@dataclass
class PersonView:
    person: Person
    fields: list[ShownField]
    revealed: bool
    purpose: str


def _one(actor: Actor, action: Action, queryset, pk: Any, target_type: str):
    """The record ``pk`` of ``queryset`` if ``actor`` may ``action`` it; a record that is missing and one
    out of scope are refused alike (404, logged with the id asked for)."""
    decision = decide(actor, action)
    target = (target_type, str(pk)[:40])
    if not decision.allowed:
        raise refusal(actor, action, decision, target=target)
    found = restrict(queryset, actor, action).filter(pk=int(pk)).first() if str(pk).isdigit() else None
    if found is None:
        missing = Decision(False, reason=NOT_FOUND_MESSAGE, article=decision.article, code="not_found")
        raise refusal(actor, action, missing, target=target)
    require(actor, action, found, target=(target_type, found.pk))
    return found


def get_person(*, actor: Actor, pk: Any, action: Action = Action.VAULT_VIEW) -> Person:
    """The person ``pk`` if the actor may ``action`` it; missing and forbidden look the same (logged)."""
    return _one(actor, action, Person.objects.select_related("file"), pk, "person")


def get_file(*, actor: Actor, pk: Any, action: Action = Action.VAULT_INTAKE) -> SpecificFile:
    """The file ``pk`` if the actor may ``action`` in it; missing and forbidden look the same (logged)."""
    return _one(actor, action, SpecificFile.objects.all(), pk, "file")


def view_person(*, actor: Actor, person: Person, reveal: bool = False) -> PersonView:
    """照会: only the task's fields (E-03); the 個人番号 masked unless revealed (each reveal logged)."""
    profile = get_profile()
    action = Action.VAULT_REVEAL if reveal else Action.VAULT_VIEW
    decision = require(actor, action, person)
    try:
        values = decrypt_person_fields(person.data, file_id=person.file_id)
    except CryptoError as exc:
        raise NotFoundOrForbidden(decision.article) from exc
    shown: list[ShownField] = []
    for key, spec in profile.fields.items():
        if key not in decision.fields or key not in values:
            continue
        if spec.kind == "my_number" and not reveal:
            shown.append(ShownField(key, spec.ja, MASK, masked=True))
        elif spec.kind == "my_number":  # read as it is printed on the card: 1234 5678 9012
            shown.append(ShownField(key, spec.ja, values[key], display=_grouped(values[key])))
        elif spec.kind == "date":
            shown.append(ShownField(key, spec.ja, values[key], display=_with_wareki(values[key])))
        else:
            shown.append(ShownField(key, spec.ja, values[key]))
    record(action=action, **actor.log_fields(), target_type="person", target_id=person.pk,
           details={"file_id": person.file_id, "fields": [f.key for f in shown if not f.masked]})
    return PersonView(person, shown, reveal, actor.purpose)


def _grouped(digits: str) -> str:
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def _with_wareki(iso: str) -> str:
    """A person's date as 和暦 with the 西暦 year in brackets: 「昭和35年1月1日（1960年）」 — never ISO."""
    from tokutei.core.jdates import to_wareki

    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{to_wareki(day)}（{day.year}年）"


def search_people(*, actor: Actor, by: str, value: str = "", kana: str = "",
                  birth_date: str = "", limit: int = 50,
                  bulk_approval_id: int | str | None = None, identify: bool = False) -> list[Person]:
    """検索: exact blind-index lookups only (個人番号 / 住民票コード / カナ+生年月日 / 組織の番号).

    ``identify``: each person found gets ``identity`` — the fields that confirm it is the right person
    (氏名, カナ, 生年月日), those of the task only; the search's log entry names the fields shown.

    大量 (000 §9.2, E-05): when the whole result set — not one page — exceeds the profile's bulk threshold,
    the search needs a prior approval naming its scope (``bulk_approval_id``), which it uses up.
    """
    from tokutei.core.sql import select_models

    from ..codec import clean_value
    from ..selectors import usable_files

    decision = require(actor, Action.VAULT_SEARCH)
    purpose = actor.purpose
    try:
        if by == "my_number":
            normalised, error = check_my_number(value)
            if error:
                raise FieldErrors({"value": error})
            digests = lookup_digests("my_number", normalised)
            column = "bi_my_number"
        elif by == "resident_code":
            digests = lookup_digests("resident_code", normalise_resident_code(value))
            column = "bi_resident_code"
        elif by == "kana_birth":
            day = clean_value("date", birth_date)
            folded = normalise_kana(kana)
            if not folded:
                raise FieldErrors({"kana": "カナ氏名を入力してください"})
            digests = lookup_digests("kana_birth", f"{folded}|{day}")
            column = "bi_kana_birth"
        elif by == "org_key":
            digests = lookup_digests("org_key", normalise_org_key(value))
            column = "bi_org_key"
        else:
            raise FieldErrors({"by": "検索方法を選択してください"})
    except ValueError as exc:
        if isinstance(exc, FieldErrors):
            raise
        raise FieldErrors({"birth_date": str(exc)}) from exc
    files = {f.pk: f for f in usable_files(decision, purpose)}
    threshold = get_profile().bulk.threshold
    if threshold is not None:
        from tokutei.approvals.services import check_bulk

        count = within_records(Person.objects.filter(**{f"{column}__in": digests}, deleted_at__isnull=True,
                                                     file_id__in=list(files)), decision).count() if files else 0
        check_bulk(actor=actor, count=count, approval_id=bulk_approval_id,
                   operation_label=_("大量の検索"), action=Action.VAULT_SEARCH)
    people: list[Person] = []
    if files and digests:
        # Every lookup runs this: one fixed statement (tokutei.core.sql) instead of a compiled QuerySet; the
        # files were chosen by the policy above, and each person gets its file object (no query later).
        # 取扱いの範囲 (002 §4.4, E-04): the records a 保護管理者 narrowed the designation to — the policy's condition.
        in_scope, scope_params = records_sql(decision)
        where = (f'"{column}" IN ({", ".join(["%s"] * len(digests))}) AND "deleted_at" IS NULL '
                 f'AND "file_id" IN ({", ".join(["%s"] * len(files))}) AND {in_scope}')
        people = select_models(Person, where, [*digests, *files, *scope_params], order_by='"id"', limit=limit)
        for person in people:
            person.file = files[person.file_id]
    shown_keys: list[str] = []
    if identify:
        shown_keys = _identify(people, decision)
    record(action=Action.VAULT_SEARCH, **actor.log_fields(),
           target_type="person" if len(people) == 1 else "", target_id=people[0].pk if len(people) == 1 else "",
           count=len(people), details={"by": by, "person_ids": [p.pk for p in people],
                                       **({"fields": shown_keys} if identify else {})})
    return people


IDENTIFYING_KINDS = ("name", "kana", "date")  # what a clerk compares with the paper in hand


def _identify(people: list[Person], decision: Decision) -> list[str]:
    """Set ``person.identity`` (the task's 氏名, カナ and dates, decrypted) on each person; return their keys."""
    profile = get_profile()
    keys = [k for k, spec in profile.fields.items() if spec.kind in IDENTIFYING_KINDS and k in decision.fields]
    for person in people:
        try:
            values = decrypt_person_fields(person.data, file_id=person.file_id)
        except CryptoError:
            values = {}
        person.identity = [  # type: ignore[attr-defined]
            ShownField(k, profile.fields[k].ja, values.get(k, ""),
                       display=_with_wareki(values[k]) if profile.fields[k].kind == "date" and values.get(k) else "")
            for k in keys]
    return keys


def look_up(*, searcher: Actor, viewer: Actor, by: str, value: str = "", kana: str = "", birth_date: str = "",
            bulk_approval_id: int | str | None = None, reveal: bool = False) -> list[PersonView]:
    """検索と照会を一度に: ``search_people``, then ``view_person`` of each person found — in one transaction, so
    that the search entry and the view (or reveal) entries commit together, with one commit instead of one
    per entry (docs/performance.md, "Lookup over HTTP").

    A refusal inside (the bulk rule, a person the viewer may not open) has logged its entry when it is
    raised: the transaction still commits — the refusal and the search that led to it stay in the log — and
    the refusal is raised after the commit. Each person is decided before any is opened, so that no view is
    logged for a result that is then not shown.
    """
    from django.db import transaction

    from tokutei.core.errors import Refused

    action = Action.VAULT_REVEAL if reveal else Action.VAULT_VIEW
    refused: Refused | None = None
    views: list[PersonView] = []
    with transaction.atomic(durable=True):
        try:
            people = search_people(actor=searcher, by=by, value=value, kana=kana, birth_date=birth_date,
                                   bulk_approval_id=bulk_approval_id)
            for person in people:
                require(viewer, action, person)
            views = [view_person(actor=viewer, person=person, reveal=reveal) for person in people]
        except Refused as exc:
            if not getattr(exc, "logged", False):
                raise  # not a logged refusal: nothing of this lookup is kept
            refused = exc
    if refused is not None:
        raise refused
    return views
