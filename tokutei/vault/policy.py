"""The ONE place that decides who may touch which person records, for which purpose, and which fields.

``decide()`` answers for one action (optionally on one record or file); ``visible_people()`` is the same
rule as a SQL filter for searches. Deny by default. Every rule cites the profile's article:

* E-01 — only a currently designated handler (an active assignment of a ``handles_data`` role);
* E-02 — only for a selectable task of the profile that is inside that designation's task scope;
* E-04 — only records of files that serve that task, within the unit for ``unit_scoped`` roles;
* E-03 — only the task's usable fields (``Decision.fields``);
* E-16 — only from a registered, unrevoked terminal (002 §31, 004 §14(7)).

Web pages, the JSON API and commands all call this module; none re-implements a check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tokutei.core.sql import select_models
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import assignments_in_force

from .models import Person, SpecificFile

ACTIONS = frozenset({
    "intake", "confirm", "search", "view", "reveal", "correct", "delete", "export", "file_create", "list",
})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    fields: frozenset[str] = field(default_factory=frozenset)
    reason: str = ""
    article: str = ""
    code: str = "refused"
    units: frozenset[int] | None = None  # None = every unit; else unit ids the actor may reach

    def __bool__(self) -> bool:
        return self.allowed


def _handler_article(profile) -> str:
    return "、".join(sorted({r.article for r in profile.roles.values() if r.handles_data}))


def _deny(reason: str, article: str, code: str) -> Decision:
    return Decision(False, frozenset(), reason, article, code)


def terminal_ok(terminal) -> bool:
    """A registered terminal that has not been revoked (the staff app's middleware found it)."""
    return terminal is not None and getattr(terminal, "revoked_at", None) is None and bool(
        getattr(terminal, "credential_digest", None))


def decide(*, actor, terminal, purpose: str | None, action: str, person: Person | None = None,
           file: SpecificFile | None = None, limit_tasks: frozenset[str] | None = None) -> Decision:
    """May ``actor`` on ``terminal`` do ``action`` for ``purpose`` (to ``person`` / in ``file``)?

    ``limit_tasks`` narrows the purposes further (an API token bound to tasks).
    """
    return _decide(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person, file=file,
                   limit_tasks=limit_tasks, check_terminal=True)


def _decide(*, actor, terminal, purpose, action, person, file, limit_tasks, check_terminal: bool) -> Decision:
    profile = get_profile()
    if action not in ACTIONS:
        return _deny(_("不明な操作です"), "", "unknown_action")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return _deny(_("サインインが必要です"), _handler_article(profile), "not_signed_in")
    if check_terminal and profile.authentication.terminals_required and not terminal_ok(terminal):
        return _deny(_("登録された端末からのみ特定個人情報等を取り扱えます"), profile.authentication.article,
                     "terminal")
    assignments = [a for a in assignments_in_force(actor) if a.role_key in profile.roles
                   and profile.roles[a.role_key].handles_data]
    if not assignments:
        return _deny(_("事務取扱担当者として指定されていないため、特定個人情報等を取り扱えません"),
                     _handler_article(profile), "not_handler")
    if not purpose:
        return _deny(_("利用目的（事務）を選択してください"), _handler_article(profile), "no_purpose")
    task = profile.selectable_tasks().get(purpose)
    if task is None:
        return _deny(_("選択された利用目的は、この組織の事務として定められていません"), _handler_article(profile),
                     "unknown_purpose")
    if limit_tasks is not None and purpose not in limit_tasks:
        return _deny(_("この API 利用者には、選択された事務が許可されていません"), task.article, "token_scope")
    in_scope = [a for a in assignments if purpose in (a.tasks or [])]
    if not in_scope:
        return _deny(_("選択された事務は、あなたの指定された事務の範囲外です"), task.article, "out_of_scope")
    units: frozenset[int] | None = None
    if all(profile.roles[a.role_key].unit_scoped for a in in_scope):
        units = frozenset(a.unit_id for a in in_scope if a.unit_id is not None)
    target_file = file if file is not None else (person.file if person is not None else None)
    if person is not None and person.deleted_at is not None:
        return _deny(_("該当する記録がないか、閲覧する権限がありません"), task.article, "not_found")
    if target_file is not None:
        if target_file.status != SpecificFile.Status.ACTIVE:
            return _deny(_("該当する記録がないか、閲覧する権限がありません"), task.article, "not_found")
        if purpose not in (target_file.tasks or []):
            return _deny(_("該当する記録がないか、閲覧する権限がありません"), task.article, "not_found")
        if units is not None and target_file.unit_id not in units:
            return _deny(_("該当する記録がないか、閲覧する権限がありません"), task.article, "not_found")
    return Decision(True, frozenset(task.fields), "", task.article, "ok", units)


def usable_files(decision: Decision, purpose: str) -> list[SpecificFile]:
    """Active files that serve ``purpose`` within the decision's unit scope, in id order (whole rows)."""
    # JSON containment is not portable to SQLite; the file register is small, so filter here. One fixed
    # statement (tokutei.core.sql): every search asks it.
    files = select_models(SpecificFile, '"status" = %s', [SpecificFile.Status.ACTIVE.value], order_by='"id"')
    return [f for f in files if purpose in (f.tasks or [])
            and (decision.units is None or f.unit_id in decision.units)]


def files_for(decision: Decision, purpose: str) -> QuerySet[SpecificFile]:
    """Active files that serve ``purpose`` within the decision's unit scope."""
    return SpecificFile.objects.filter(pk__in=[f.pk for f in usable_files(decision, purpose)])


def visible_people(actor, purpose: str | None, *, terminal=None, limit_tasks: frozenset[str] | None = None
                   ) -> QuerySet[Person]:
    """Every person ``actor`` may reach for ``purpose``, as SQL (empty when the decision is no).

    The terminal is checked when given; callers serving a request pass ``terminal=request.terminal``.
    """
    decision = _decide(actor=actor, terminal=terminal, purpose=purpose, action="search", person=None,
                       file=None, limit_tasks=limit_tasks, check_terminal=terminal is not None)
    if not decision.allowed or not purpose:
        return Person.objects.none()
    return Person.objects.filter(deleted_at__isnull=True, file__in=files_for(decision, purpose))
