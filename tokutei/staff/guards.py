"""Objections other apps raise to a designation or a post assignment, before it is made.

``designate`` and ``assign_post`` (tokutei.staff.services) ask every registered guard about the change
before their transaction. A guard answers with objections: one that refuses stops the change as a logged
refusal citing its article; one that warns lets it go ahead, and its code is kept in the log entry's
details. Apps register their guards from their ``AppConfig.ready()`` (tokutei.audits: separation of duties,
training before designation R-TRN-5, the handover of 003 §5 / E-38), so the staff app never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    """What would change: ``user`` would hold ``role_keys`` in ``unit_id`` from ``start_date``."""

    user: Any
    role_keys: tuple[str, ...]
    unit_id: int | None
    start_date: dt.date
    post_key: str = ""


@dataclass(frozen=True)
class Objection:
    message: str
    code: str
    article: str
    refuse: bool = True  # False: a warning, the change goes ahead


Guard = Callable[[Any, Change], Iterable[Objection]]
_GUARDS: list[Guard] = []


def register(guard: Guard) -> Guard:
    if guard not in _GUARDS:
        _GUARDS.append(guard)
    return guard


def objections(actor: Any, change: Change) -> list[Objection]:
    return [o for guard in _GUARDS for o in guard(actor, change)]
