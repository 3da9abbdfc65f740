"""Sign-in throttling: growing delays per client and per account, counted from the operation log.

Every failed or refused sign-in is logged (``staff.sign_in_failed``) with two keyed digests in its details:
``client`` (the registered terminal, else the network address) and ``account`` (the typed user ID, also for
IDs that do not exist — so the answer never tells whether an ID exists). The log is the counter: shared by
every server process, durable, and what administrators read.

* **per client**: after ``CLIENT_FREE`` failures within ``WINDOW``, each further attempt must wait
  2^(n − free) seconds after the last failure (at most ``MAX_DELAY``);
* **per account**: the same after ``ACCOUNT_FREE`` failures — counted separately for attempts from registered
  terminals and from anywhere else, so a stranger hammering a colleague's ID from outside cannot delay the
  colleague at a registered terminal.

Digests are HMACs keyed by the server (Django's ``salted_hmac``), so neither the address nor a password
typed into the ID field can be read back from the log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

WINDOW = dt.timedelta(minutes=15)
CLIENT_FREE = 10
ACCOUNT_FREE = 3
MAX_DELAY = 300  # seconds


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"tokutei.sign-in.{kind}", value).hexdigest()[:24]


def client_key(request: HttpRequest) -> str:
    terminal = getattr(request, "terminal", None)
    if terminal is not None:
        return f"t{terminal.pk}"
    return _digest("client", str(request.META.get("REMOTE_ADDR", "")))


def account_key(request: HttpRequest, username: str) -> str:
    scope = "registered" if getattr(request, "terminal", None) is not None else "any"
    return _digest("account", f"{scope}:{username.strip().casefold()[:150]}")


def keys(request: HttpRequest, username: str) -> dict[str, str]:
    """The details every sign-in failure is logged with."""
    return {"client": client_key(request), "account": account_key(request, username)}


@dataclass
class Wait:
    seconds: int
    scope: str  # "client" or "account"


def _delay(failures: int, free: int) -> int:
    return 0 if failures < free else min(MAX_DELAY, 2 ** (failures - free))


def check(request: HttpRequest, username: str) -> Wait | None:
    """How long this attempt must still wait, or None. Reads the failures of the last ``WINDOW``."""
    from tokutei.auditlog.models import Entry

    now = timezone.now()
    recent = Entry.objects.filter(action="staff.sign_in_failed", at__gte=now - WINDOW)
    k = keys(request, username)
    for scope, free in (("client", CLIENT_FREE), ("account", ACCOUNT_FREE)):
        rows: Any = recent.filter(**{f"details__{scope}": k[scope]}).order_by("-at").values_list("at", flat=True)
        times = list(rows[: MAX_DELAY])
        delay = _delay(len(times), free)
        if delay and times:
            left = delay - (now - times[0]).total_seconds()
            if left > 0:
                return Wait(int(left) + 1, scope)
    return None
