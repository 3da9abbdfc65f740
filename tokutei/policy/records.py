"""取扱いの範囲 (002 §4.4, 003 §3.10, E-04): the records a handler reaches, narrower than the task.

A 保護管理者 (whom the profile's ``handling_scope.set_by`` names) may narrow a handler's designation to some
特定個人情報ファイル and/or ranges of record numbers (本人 #N). The engine reads the designations that hold
the declared task and puts the result on the decision (``Decision.records``); every path asks it:

* one record — ``RecordScope.holds(file_id, record_id)`` (the vault's rule checks it for ``get_or_refuse``);
* a list, a search, an export — ``within_records(queryset, decision)`` (the ORM) or ``records_sql(decision)``
  (the fixed statements of the lookup path): the same condition, written once here;
* a file — ``RecordScope.holds_file(file_id)``; adding records to it (intake, import) —
  ``RecordScope.admits_new(file_id)``: a scope of record numbers covers the records it names, not new ones.

Several designations for the same task reach the union of their scopes; one without a narrower scope
reaches every record of the task (``Decision.records`` is ``None``). A record outside the scope is refused
exactly like a missing one (``not_found``); the refusal names the scope's article with the task's, for
a missing record and an out-of-scope one alike (``Decision.article``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Grant:
    """One designation's scope: ``files`` (None = every file of the task), ``ranges`` (None = every record)."""

    files: frozenset[int] | None = None
    ranges: tuple[tuple[int, int], ...] | None = None

    def holds_file(self, file_id: Any) -> bool:
        return self.files is None or file_id in self.files

    def holds(self, file_id: Any, record_id: Any) -> bool:
        if not self.holds_file(file_id):
            return False
        return self.ranges is None or any(lo <= int(record_id) <= hi for lo, hi in self.ranges)

    def q(self, file_field: str, id_field: str) -> Q:
        if self.files is None and self.ranges is None:
            return ~Q(pk__in=[])
        q = Q()
        if self.files is not None:
            q &= Q(**{f"{file_field}__in": sorted(self.files)})
        if self.ranges is not None:
            within = Q(pk__in=[])
            for lo, hi in self.ranges:
                within |= Q(**{f"{id_field}__gte": lo, f"{id_field}__lte": hi})
            q &= within
        return q

    def sql(self, file_column: str, id_column: str) -> tuple[str, list[int]]:
        parts: list[str] = []
        params: list[int] = []
        if self.files is not None:
            if not self.files:
                return "1 = 0", []
            parts.append(f"{file_column} IN ({', '.join(['%s'] * len(self.files))})")
            params += sorted(self.files)
        if self.ranges is not None:
            if not self.ranges:
                return "1 = 0", []
            parts.append("(" + " OR ".join(f"{id_column} BETWEEN %s AND %s" for _r in self.ranges) + ")")
            params += [n for r in self.ranges for n in r]
        return (" AND ".join(parts) or "1 = 1"), params


@dataclass(frozen=True)
class RecordScope:
    """The union of the narrowed designations that hold the declared task, with the profile's article."""

    grants: tuple[Grant, ...]
    article: str = ""

    def holds_file(self, file_id: Any) -> bool:
        return any(g.holds_file(file_id) for g in self.grants)

    def holds(self, file_id: Any, record_id: Any) -> bool:
        return any(g.holds(file_id, record_id) for g in self.grants)

    def admits_new(self, file_id: Any) -> bool:
        """New records may be added to the file (intake, import): a grant of the whole file."""
        return any(g.ranges is None and g.holds_file(file_id) for g in self.grants)

    def q(self, *, file_field: str = "file_id", id_field: str = "pk") -> Q:
        found = Q(pk__in=[])
        for g in self.grants:
            found |= g.q(file_field, id_field)
        return found

    def sql(self, *, file_column: str = '"file_id"', id_column: str = '"id"') -> tuple[str, list[int]]:
        parts = [g.sql(file_column, id_column) for g in self.grants]
        if not parts:
            return "1 = 0", []
        return "(" + " OR ".join(f"({p})" for p, _params in parts) + ")", [n for _p, params in parts for n in params]


def grant_of(assignment: Any) -> Grant:
    """The scope one designation carries (``RoleAssignment.scope_files`` / ``scope_records``)."""
    files = frozenset(int(f) for f in (assignment.scope_files or [])) or None
    ranges = tuple((int(lo), int(hi)) for lo, hi in (assignment.scope_records or [])) or None
    return Grant(files, ranges)


def scope_of(assignments: list, profile: Any) -> RecordScope | None:
    """The record scope of the designations that hold the declared task: ``None`` unless every one of them
    is narrowed (002 §4.4) — a designation without a narrower scope reaches every record of the task."""
    setting = profile.handling_scope
    if setting is None or not assignments:
        return None
    grants = []
    for a in assignments:
        if a.role_key not in setting.roles or not (a.scope_files or a.scope_records):
            return None
        grants.append(grant_of(a))
    return RecordScope(tuple(grants), setting.article)


def within_records(queryset: QuerySet, decision: Any, *, file_field: str = "file_id", id_field: str = "pk") -> QuerySet:
    """``queryset`` of records (本人) narrowed to the decision's 取扱いの範囲 — the one queryset form of E-04."""
    scope = getattr(decision, "records", None)
    return queryset if scope is None else queryset.filter(scope.q(file_field=file_field, id_field=id_field))


def records_sql(decision: Any, *, file_column: str = '"file_id"', id_column: str = '"id"') -> tuple[str, list[int]]:
    """The same condition for a fixed SQL statement (tokutei.core.sql): ``("1 = 1", [])`` when not narrowed."""
    scope = getattr(decision, "records", None)
    return ("1 = 1", []) if scope is None else scope.sql(file_column=file_column, id_column=id_column)
