"""Values read from the database once per HTTP request instead of at every call.

A request (``request_scope``, entered by ``tokutei.staff.middleware.TerminalMiddleware``) gets an empty memo;
``remembered(key, compute)`` returns the value computed earlier in the same request, else computes it and
keeps it until the request ends. Outside a request (commands, tests, the shell) nothing is remembered:
every call reads the database, so a change is seen at once.

Only rule inputs that a request does not usually change itself belong here (the profile in force, the
actor's role assignments). The owner of each value calls ``forget(kind)`` when it writes the rows the value
comes from: from then on that kind is read from the database at every call for the rest of the request
(the write may still be rolled back, and a remembered value must never outlive it), and every later
request starts afresh.
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


def _kind(key: Hashable) -> Hashable:
    return key[0] if isinstance(key, tuple) and key else key


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """The value of ``key`` (a kind, or a tuple starting with its kind) computed once per request."""
    memo = _memo.get()
    if memo is None or (_CHANGED, _kind(key)) in memo:
        return compute()
    try:
        return memo[key]  # type: ignore[return-value]
    except KeyError:
        value = memo[key] = compute()
        return value


_CHANGED = object()


def forget(kind: str) -> None:
    """The rows behind ``kind`` were written: forget its values and read it afresh for the rest of the request."""
    memo = _memo.get()
    if memo is None:
        return
    for key in [k for k in memo if _kind(k) == kind]:
        del memo[key]
    memo[(_CHANGED, kind)] = True
