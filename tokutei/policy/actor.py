"""Who acts: the user, from which terminal, for which declared task (事務), over which channel.

Every service takes one ``Actor`` (``actor=``) instead of loose user/terminal/purpose arguments, and
``tokutei.policy.decide`` answers for it. The channel is explicit: a request from the browser (``web``),
the JSON API (``api``, a person's session or a service account's token), the server's console
(``console``: management commands, run by a named staff member), or the system itself (``system``:
initialisation and scheduled jobs, for the few actions that allow it). The profile decides what the
console may do; nothing is skipped because a terminal was not passed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    CONSOLE = "console"
    SYSTEM = "system"


PURPOSE_SESSION_KEY = "vault_purpose"  # the task chosen for this session (「利用目的を選んでから」)


@dataclass(frozen=True)
class Actor:
    user: Any = None
    terminal: Any = None
    purpose: str = ""
    channel: Channel = Channel.WEB
    limit_tasks: frozenset[str] | None = None  # a service account is bound to these tasks
    service_account: Any = None

    # --- making one ------------------------------------------------------------------------------------

    @classmethod
    def from_request(cls, request, *, purpose: str | None = None) -> Actor:
        """The signed-in user of ``request`` on its registered terminal, for the session's task."""
        user = getattr(request, "user", None)
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        if purpose is None:
            purpose = session_purpose(request)
        return cls(user=user, terminal=getattr(request, "terminal", None), purpose=purpose or "",
                   channel=channel)

    @classmethod
    def for_service_account(cls, account, *, purpose: str = "") -> Actor:
        """An API client: its staff member, its registered terminal, only its tasks."""
        return cls(user=account.user, terminal=account.terminal, purpose=purpose, channel=Channel.API,
                   limit_tasks=frozenset(account.tasks or []), service_account=account)

    @classmethod
    def console(cls, user, *, purpose: str = "") -> Actor:
        """A named staff member at the server's console (management commands)."""
        return cls(user=user, terminal=None, purpose=purpose or "", channel=Channel.CONSOLE)

    @classmethod
    def system(cls) -> Actor:
        """The system itself: initialisation and scheduled jobs (only actions that allow it)."""
        return cls(user=None, terminal=None, channel=Channel.SYSTEM)

    def for_purpose(self, purpose: str) -> Actor:
        return dataclasses.replace(self, purpose=purpose or "")

    # --- reading it ------------------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        user = self.user
        return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(
            getattr(user, "is_active", False))

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "") or ""

    def log_fields(self) -> dict[str, Any]:
        """The actor's part of an operation-log entry: ``record(action=..., **actor.log_fields(), ...)``."""
        return {"actor": self.user, "terminal": self.terminal, "purpose": self.purpose}


def session_purpose(request) -> str:
    """The task chosen for this session; ``?purpose=`` chooses one for this request.

    A chosen task outside the user's designation is used for this request only (so the policy refuses
    and logs it) and never kept in the session.
    """
    session = getattr(request, "session", None)
    chosen = request.GET.get("purpose")
    if chosen:
        from tokutei.profiles.selectors import get_profile

        if chosen in get_profile().selectable_tasks():
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False) and chosen in designated_tasks(user):
                if session is not None:
                    session[PURPOSE_SESSION_KEY] = chosen
            return chosen
    return (session.get(PURPOSE_SESSION_KEY, "") if session is not None else "") or ""


def designated_tasks(user) -> list[str]:
    """The tasks of the user's handler designations in force, in designation order."""
    from tokutei.profiles.selectors import get_profile
    from tokutei.staff.selectors import assignments_in_force

    profile = get_profile()
    tasks: list[str] = []
    for a in assignments_in_force(user):
        role = profile.roles.get(a.role_key)
        if role is not None and role.handles_data:
            tasks += [t for t in a.tasks or [] if t not in tasks]
    return tasks
