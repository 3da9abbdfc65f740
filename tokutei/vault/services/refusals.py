"""The refusal helpers every vault service shares: decide, log the refusal, return what to raise."""

from __future__ import annotations

from typing import Any

from tokutei.auditlog.services import refuse
from tokutei.core.errors import NotFoundOrForbidden, Refused

from ..policy import Decision, decide

# --- refusals -----------------------------------------------------------------------------------------

def _deny(decision: Decision, *, action: str, actor, terminal, purpose, target_type: str = "",
          target_id: Any = "", details: dict | None = None) -> Refused:
    """Log a refusal (its own transaction) and return the exception to raise."""
    exc = refuse(decision.reason, action=action, article=decision.article, code=decision.code, actor=actor,
                 terminal=terminal, purpose=purpose or "", target_type=target_type, target_id=target_id,
                 details=details)
    if decision.code == "not_found":
        return NotFoundOrForbidden(decision.article)
    return exc


def _refuse(message: str, article: str, *, action: str, code: str, actor, terminal, purpose,
            target_type: str = "", target_id: Any = "", details: dict | None = None) -> Refused:
    return refuse(message, action=action, article=article, code=code, actor=actor, terminal=terminal,
                  purpose=purpose or "", target_type=target_type, target_id=target_id, details=details)


def _require(*, actor, terminal, purpose, action: str, person=None, file=None, limit_tasks=None,
             log_action: str | None = None) -> Decision:
    decision = decide(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person, file=file,
                      limit_tasks=limit_tasks)
    if not decision.allowed:
        target_type, target_id = ("person", person.pk) if person is not None else (
            ("file", file.pk) if file is not None else ("", ""))
        raise _deny(decision, action=log_action or f"vault.{action}", actor=actor, terminal=terminal,
                    purpose=purpose, target_type=target_type, target_id=target_id)
    return decision
