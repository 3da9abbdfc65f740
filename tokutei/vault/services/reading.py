"""Logged reads: getting a person or a file, 照会 (masked unless revealed) and 検索."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tokutei.auditlog.services import record
from tokutei.core.errors import NotFoundOrForbidden
from tokutei.profiles.selectors import get_profile

from ..codec import (
    FieldErrors,
    check_my_number,
    decrypt_person_fields,
    lookup_digests,
)
from ..crypto import CryptoError, normalise_kana, normalise_org_key, normalise_resident_code
from ..models import Person, SpecificFile
from ..policy import Decision, decide
from .refusals import _deny, _require

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


def get_person(*, actor, terminal, purpose: str, pk: Any, action: str = "view", limit_tasks=None) -> Person:
    """The person ``pk`` if the actor may ``action`` it; missing and forbidden look the same (logged)."""
    person = Person.objects.select_related("file").filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        decision = decide(actor=actor, terminal=terminal, purpose=purpose, action=action, limit_tasks=limit_tasks)
        if decision.allowed:
            decision = Decision(False, reason="該当する記録がありません", article=decision.article, code="not_found")
        raise _deny(decision, action=f"vault.{action}", actor=actor, terminal=terminal, purpose=purpose,
                    target_type="person", target_id=str(pk)[:40])
    _require(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person, limit_tasks=limit_tasks)
    return person


def get_file(*, actor, terminal, purpose: str, pk: Any, action: str = "intake", limit_tasks=None) -> SpecificFile:
    """The file ``pk`` if the actor may ``action`` in it; missing and forbidden look the same (logged)."""
    file = SpecificFile.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if file is None:
        decision = decide(actor=actor, terminal=terminal, purpose=purpose, action=action, limit_tasks=limit_tasks)
        if decision.allowed:
            decision = Decision(False, reason="該当する記録がありません", article=decision.article, code="not_found")
        raise _deny(decision, action=f"vault.{action}", actor=actor, terminal=terminal, purpose=purpose,
                    target_type="file", target_id=str(pk)[:40])
    _require(actor=actor, terminal=terminal, purpose=purpose, action=action, file=file, limit_tasks=limit_tasks)
    return file


def view_person(*, actor, terminal, purpose: str, person: Person, reveal: bool = False,
                limit_tasks=None) -> PersonView:
    """照会: only the task's fields (E-03); the 個人番号 masked unless revealed (each reveal logged)."""
    profile = get_profile()
    action = "reveal" if reveal else "view"
    decision = _require(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person,
                        limit_tasks=limit_tasks)
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
        elif spec.kind == "date":
            shown.append(ShownField(key, spec.ja, values[key], display=_with_wareki(values[key])))
        else:
            shown.append(ShownField(key, spec.ja, values[key]))
    record(action=f"vault.{action}", actor=actor, terminal=terminal, purpose=purpose, target_type="person",
           target_id=person.pk, details={"file_id": person.file_id, "fields": [f.key for f in shown if not f.masked]})
    return PersonView(person, shown, reveal, purpose)


def _with_wareki(iso: str) -> str:
    from tokutei.core.jdates import to_wareki

    try:
        return f"{to_wareki(dt.date.fromisoformat(iso))}（{iso}）"
    except ValueError:
        return iso


def search_people(*, actor, terminal, purpose: str, by: str, value: str = "", kana: str = "",
                  birth_date: str = "", limit_tasks=None, limit: int = 50,
                  bulk_approval_id: int | str | None = None) -> list[Person]:
    """検索: exact blind-index lookups only (個人番号 / 住民票コード / カナ+生年月日 / 組織の番号).

    大量 (000 §9.2, E-05): when the whole result set — not one page — exceeds the profile's bulk threshold,
    the search needs a prior approval naming its scope (``bulk_approval_id``), which it uses up.
    """
    from tokutei.core.sql import select_models

    from ..codec import clean_value
    from ..policy import usable_files

    decision = _require(actor=actor, terminal=terminal, purpose=purpose, action="search", limit_tasks=limit_tasks)
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
        from tokutei.policy import Actor

        count = Person.objects.filter(**{f"{column}__in": digests}, deleted_at__isnull=True,
                                      file_id__in=list(files)).count() if files else 0
        check_bulk(actor=Actor(user=actor, terminal=terminal, purpose=purpose), count=count,
                   approval_id=bulk_approval_id, operation_label=_("大量の検索"), action="vault.search")
    people: list[Person] = []
    if files and digests:
        # Every lookup runs this: one fixed statement (tokutei.core.sql) instead of a compiled QuerySet; the
        # files were chosen by the policy above, and each person gets its file object (no query later).
        where = (f'"{column}" IN ({", ".join(["%s"] * len(digests))}) AND "deleted_at" IS NULL '
                 f'AND "file_id" IN ({", ".join(["%s"] * len(files))})')
        people = select_models(Person, where, [*digests, *files], order_by='"id"', limit=limit)
        for person in people:
            person.file = files[person.file_id]
    record(action="vault.search", actor=actor, terminal=terminal, purpose=purpose,
           target_type="person" if len(people) == 1 else "", target_id=people[0].pk if len(people) == 1 else "",
           count=len(people), details={"by": by, "person_ids": [p.pk for p in people]})
    return people
