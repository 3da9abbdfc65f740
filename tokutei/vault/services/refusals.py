"""The one refusal helper the vault services share beyond ``tokutei.policy.require``: a rule of the
operation itself (a check digit, a retention period, the same person twice) refused and logged."""

from __future__ import annotations

from typing import Any

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import refuse
from tokutei.core.errors import Refused
from tokutei.policy import Actor


def _refuse(message: str, article: str, *, actor: Actor, action: Action, code: str, target_type: str = "",
            target_id: Any = "", details: dict | None = None) -> Refused:
    """Log a refusal (its own transaction, before the operation's) and return the exception to raise."""
    return refuse(message, action=action, article=article, code=code, **actor.log_fields(),
                  target_type=target_type, target_id=target_id,
                  details={"channel": actor.channel.value, **(details or {})})
