"""A person's credentials after 異動等 (001 §5.5, 002 §10.1, E-13): suspended at once, then set or cancelled.

A transfer, or a designation or post that ends today, suspends the person's credentials for 特定個人情報等
in the same transaction as the change:

- every session ends: ``User.session_epoch`` is raised and folded into the session's auth hash
  (``User._get_session_auth_hash``), so the next request of any session — web or API — is signed out. This
  is transactional (no window after the commit, nothing to undo when it rolls back) and needs no search of
  the session table, which is not indexed by user;
- ``User.credentials_suspended_at`` is set: the second factors cannot be used or enrolled anew
  (tokutei.staff.signin), API tokens bound to the person are refused (the holders below check it), and the
  policy refuses every action on 特定個人情報等 (tokutei.policy.engine, code ``credentials_suspended``).

The suspension lasts until the person's last open deprovisioning task is closed: as 設定 (set: the
credentials were set up for the new duties; the suspension is lifted) or 取消し (cancelled: second factors
and API tokens are revoked for good, then the suspension is lifted — the person starts again as a new user
would). Steps here run inside the caller's transaction; they are not services.

Other apps that hold credentials of a person (the vault's API tokens) register how to cancel them, so the
staff app never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import F
from django.db.models.functions import Coalesce

from .factors import deletion_needs_application
from .models import ProvisioningTask, SecondFactor, User

# cancel(user, now) -> how many credentials were revoked
Holder = Callable[[User, dt.datetime], int]
_HOLDERS: list[Holder] = []


def register_holder(cancel: Holder) -> Holder:
    if cancel not in _HOLDERS:
        _HOLDERS.append(cancel)
    return cancel


def suspend_step(user: User, *, now: dt.datetime) -> dict[str, bool]:
    """Suspend ``user``'s credentials and end their sessions (inside the caller's transaction)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1,
                                           credentials_suspended_at=Coalesce(F("credentials_suspended_at"), now))
    user.refresh_from_db(fields=["session_epoch", "credentials_suspended_at"])
    return {"credentials_suspended": True}


def resolve_step(task: ProvisioningTask, *, now: dt.datetime) -> dict[str, int | bool]:
    """After ``task`` is closed: cancel the credentials if it was cancelled, and lift the suspension once no
    deprovisioning task of the person is open (inside the caller's transaction)."""
    user = task.user
    found: dict[str, int | bool] = {}
    if task.kind == ProvisioningTask.Kind.DEPROVISION and task.outcome == ProvisioningTask.Outcome.CANCELLED:
        factors = SecondFactor.objects.filter(user=user, revoked_at__isnull=True)
        if deletion_needs_application():
            # Deleting 照合情報 needs its own approved application (000 §7.3, E-10): the authenticators stay,
            # unusable while the suspension lasts, until the approved reset deletes them.
            factors = factors.exclude(kind=SecondFactor.Kind.WEBAUTHN)
        found["second_factors_revoked"] = factors.update(revoked_at=now)
        found["tokens_revoked"] = sum(cancel(user, now) for cancel in _HOLDERS)
    lift_step(user, found)
    return found


def lift_step(user: User, found: dict[str, int | bool] | None = None) -> None:
    """Lift ``user``'s suspension once no deprovisioning task of theirs is open and no authenticator is left
    waiting for its deletion application (inside the caller's transaction)."""
    found = {} if found is None else found
    still_open = ProvisioningTask.objects.filter(user=user, kind=ProvisioningTask.Kind.DEPROVISION,
                                                 closed_at__isnull=True).exists()
    suspended = user.credentials_suspended_at
    waiting = suspended is not None and deletion_needs_application() and ProvisioningTask.objects.filter(
        user=user, kind=ProvisioningTask.Kind.DEPROVISION, outcome=ProvisioningTask.Outcome.CANCELLED,
        closed_at__gte=suspended).exists() and SecondFactor.objects.filter(
        user=user, kind=SecondFactor.Kind.WEBAUTHN, revoked_at__isnull=True).exists()
    if waiting:
        found["authenticators_await_deletion_application"] = True
    if user.credentials_suspended_at is not None and not still_open and not waiting:
        User.objects.filter(pk=user.pk).update(credentials_suspended_at=None)
        user.credentials_suspended_at = None
        found["suspension_lifted"] = True


def is_suspended(user: object) -> bool:
    return getattr(user, "credentials_suspended_at", None) is not None
