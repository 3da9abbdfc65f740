"""The rule book: for each registered action, who may perform it — as data read from the profile.

Each app registers its actions in its own ``rules.py`` (imported by its AppConfig), for example::

    register(Rule(
        Action.MEDIA_CARRY_OUT,
        roles=lambda p: p.approval_applicants("media_carry_out") | p.manager_roles(),
        article=lambda p: p.carry_out.article,
        message=_("記録媒体を持ち出せるのは、保護管理者または承認を申請できる職員です"),
        check=same_unit,            # one record: Refusal or None
        scope=unit_filter("unit"),  # the same rule in SQL, for lists and counts
    ))

A rule never re-implements the common checks; ``tokutei.policy.engine`` makes them for every action:
signed in and active, the channel allowed, the terminal registered (for personal data), the role in
force (``roles``) or — for actions on 特定個人情報等 (``task=True``) — a handler designation whose task
scope holds the declared task (E-01, E-02), with the task's usable fields (E-03) and the units of the
designation (E-04).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tokutei.auditlog.actions import Action

from .actor import Channel

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tokutei.profiles.schema import Profile

    from .engine import Decision

RolesOf = Callable[["Profile"], Iterable[str]]
ArticleOf = Callable[["Profile"], str]
# check(actor, obj, decision, profile) -> a refusal (Deny) or None (allowed)
Check = Callable[[Any, Any, "Decision", "Profile"], "Deny | None"]
# scope(queryset, actor, decision, profile) -> the queryset narrowed to what the actor may reach
Scope = Callable[["QuerySet", Any, "Decision", "Profile"], "QuerySet"]

EVERY_CHANNEL = frozenset({Channel.WEB, Channel.API, Channel.CONSOLE})


@dataclass(frozen=True)
class Deny:
    """Why one record may not be touched: ``code`` ``not_found`` makes it look missing."""

    message: str
    code: str = "not_found"
    article: str | None = None  # None: the rule's article


@dataclass(frozen=True)
class Rule:
    action: Action
    roles: RolesOf | None = None  # None: any signed-in staff member (when task=False)
    article: ArticleOf | None = None  # None: the roles' own articles
    message: str = ""  # refusal when the role is missing ("" = a generic sentence)
    task: bool = False  # 特定個人情報等: a handler designation for the declared task (E-01–E-04)
    terminal: bool | None = None  # a registered terminal on web/API (default: = task)
    channels: frozenset[Channel] = EVERY_CHANNEL
    check: Check | None = None
    scope: Scope | None = None
    unit_scoped_roles: bool = True  # a unit_scoped role (保護管理者) reaches its own unit only
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_terminal(self) -> bool:
        return self.task if self.terminal is None else self.terminal


_RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    """Add rules to the rule book (once per action; a second rule for an action is a programming error)."""
    for rule in rules:
        existing = _RULES.get(rule.action.value)
        if existing is not None and existing is not rule:
            raise ValueError(f"policy: {rule.action.value} already has a rule")
        _RULES[rule.action.value] = rule


def rule_for(action: Action | str) -> Rule | None:
    return _RULES.get(str(action))


def all_rules() -> list[Rule]:
    return [_RULES[a.value] for a in Action if a.value in _RULES]
