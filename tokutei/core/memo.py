"""Values read from the database once per HTTP request instead of at every call.

A request (``request_scope``, entered by ``tokutei.staff.middleware.TerminalMiddleware``) gets an empty memo;
``remembered(key, compute)`` returns the value computed earlier in the same request, else computes it and
keeps it until the request ends. Outside a request (commands, tests, the shell) nothing is remembered:
every call reads the database, so a change is seen at once.

Only rule inputs that a request does not change itself belong here (the profile in force, the actor's role
assignments). The owner of each value forgets it when it writes the rows it comes from (``forget``), so a
request that changes them — and every later request — sees the new rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("tokutei_request_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Remember values for the duration of one request; all forgotten when it ends."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    try:
        return memo[key]  # type: ignore[return-value]
    except KeyError:
        value = memo[key] = compute()
        return value


def forget(kind: str | None = None) -> None:
    """Forget the values of one kind (keys ``kind`` or ``(kind, ...)``), or everything."""
    memo = _memo.get()
    if not memo:
        return
    if kind is None:
        memo.clear()
        return
    for key in [k for k in memo if k == kind or (isinstance(k, tuple) and k and k[0] == kind)]:
        del memo[key]
