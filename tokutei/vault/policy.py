"""The vault's questions to the one access decision (tokutei.policy), in the vault's own words.

``decide()`` answers for one vault action (optionally on one record or file); ``visible_people()`` is the
same rule as a SQL filter for searches. The rule itself — designated handler (E-01), task in scope
(E-02), the task's fields (E-03), files of the task within the units (E-04), registered terminal
(E-16, 002 §31, 004 §14(7)) — is ``tokutei.policy`` with ``vault/rules.py``; nothing is decided here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tokutei.auditlog.actions import Action, lookup
from tokutei.core.sql import select_models
from tokutei.policy import Actor, Channel, Decision, terminal_ok
from tokutei.policy import decide as policy_decide
from tokutei.policy import restrict as policy_restrict

from .models import Person, SpecificFile

__all__ = ["Decision", "decide", "files_for", "terminal_ok", "usable_files", "visible_people"]


def vault_action(action: str) -> Action | None:
    return lookup(f"vault.{action}")


def _actor(actor, terminal, purpose, limit_tasks, channel: Channel | None = None) -> Actor:
    if isinstance(actor, Actor):
        return actor.for_purpose(purpose) if purpose is not None else actor
    return Actor(user=actor, terminal=terminal, purpose=purpose or "",
                 channel=channel or (Channel.API if limit_tasks is not None else Channel.WEB),
                 limit_tasks=limit_tasks)


def decide(*, actor, terminal, purpose: str | None, action: str, person: Person | None = None,
           file: SpecificFile | None = None, limit_tasks: frozenset[str] | None = None) -> Decision:
    """May ``actor`` on ``terminal`` do vault ``action`` for ``purpose`` (to ``person`` / in ``file``)?"""
    code = vault_action(action)
    if code is None:
        return Decision(False, reason="不明な操作です", code="unknown_action")
    return policy_decide(_actor(actor, terminal, purpose, limit_tasks), code,
                         person if person is not None else file)


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
    """Every person ``actor`` may reach for ``purpose``, as SQL (empty when the decision is no)."""
    return policy_restrict(Person.objects.all(), _actor(actor, terminal, purpose, limit_tasks),
                           Action.VAULT_SEARCH)
