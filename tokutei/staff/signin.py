"""Sign-in: password, then the second factor the profile asks for, with lockout and the 001 exception.

The password step never signs the user in when a second factor is due: it leaves a short-lived "pending"
marker in the session, and only the second step calls ``login``. Failures are logged without the attempted
password; ``lockout_threshold`` failures in a row lock the account for ``lockout_minutes`` (staff.lockout).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import login
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.profiles.selectors import get_profile

from . import credentials, throttle
from .middleware import IDLE_KEY
from .models import User
from .selectors import (
    active_password_only_decision,
    allowed_factor_kinds,
    second_factor_required,
    usable_factors,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PENDING_KEY = "tokutei_pending_sign_in"
PENDING_SECONDS = 300
BACKEND = "tokutei.staff.backends.StaffBackend"
# One message for a wrong password, an unknown ID, an inactive or a locked account: it never tells whether
# an ID exists (a locked account signs in from a registered terminal, see _is_locked).
GENERIC_FAILURE = _("ユーザIDまたはパスワードが正しくありません。失敗が続くと、しばらくの間サインインできなくなります。")


class SignInFailed(Exception):
    def __init__(self, message: StrOrPromise, article: str = ""):
        self.message = message
        self.article = article
        super().__init__(f"{message}（{article}）" if article else message)


@dataclass
class PasswordResult:
    user: User
    next_step: str  # "done", "verify" (enter the second factor), "enrol" (first sign-in: enrol one)


def _terminal(request: HttpRequest) -> Any:
    return getattr(request, "terminal", None)


def _is_locked(user: User, request: HttpRequest | None = None) -> bool:
    """The lock applies to attempts from anywhere but a registered terminal: a stranger who types a
    colleague's ID wrongly five times cannot lock the colleague out of the office's terminals (there,
    the password and second factor still work, and a successful sign-in lifts the lock)."""
    if request is not None and _terminal(request) is not None:
        return False
    return user.locked_until is not None and user.locked_until > timezone.now()


def register_failure(request: HttpRequest, user: User, *, action: str, reason: str) -> None:
    """Count a failed attempt and lock the account at the profile's threshold (one transaction)."""
    auth = get_profile().authentication
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
        user.refresh_from_db(fields=["failed_sign_ins", "locked_until"])
        record(action=action, actor=user, terminal=_terminal(request), result=Entry.Result.FAILED,
               target_type="user", target_id=user.pk, article=auth.article,
               details={"reason": reason, "failures": user.failed_sign_ins,
                        **throttle.keys(request, user.username)})
        if user.failed_sign_ins >= auth.lockout_threshold:
            user.locked_until = timezone.now() + dt.timedelta(minutes=auth.lockout_minutes)
            user.failed_sign_ins = 0
            user.save(update_fields=["locked_until", "failed_sign_ins"])
            record(action="staff.lockout", actor=user, terminal=_terminal(request), target_type="user",
                   target_id=user.pk, article=auth.article,
                   details={"minutes": auth.lockout_minutes, "threshold": auth.lockout_threshold})


def password_step(request: HttpRequest, username: str, password: str) -> PasswordResult:
    """Check the user ID and password; decide what comes next. Raises SignInFailed."""
    auth = get_profile().authentication
    wait = throttle.check(request, username)
    if wait is not None:  # the same for an ID that exists and one that does not
        record(action="staff.sign_in_failed", terminal=_terminal(request), result=Entry.Result.REFUSED,
               article=auth.article, details={"reason": f"throttled_{wait.scope}", "wait": wait.seconds,
                                              **throttle.keys(request, username)})
        raise SignInFailed(_("サインインの試行が続いたため、%(seconds)s秒後に再度お試しください。")
                           % {"seconds": wait.seconds})
    user = User.objects.filter(username=username.strip()[:150]).first()
    if user is None:
        # The attempted ID is not recorded (people sometimes type their password into the ID field): only
        # its keyed digest, which the throttle counts.
        record(action="staff.sign_in_failed", terminal=_terminal(request), result=Entry.Result.FAILED,
               article=auth.article, details={"reason": "unknown_user", **throttle.keys(request, username)})
        raise SignInFailed(GENERIC_FAILURE)
    if _is_locked(user, request):
        record(action="staff.sign_in_failed", actor=user, terminal=_terminal(request), result=Entry.Result.REFUSED,
               target_type="user", target_id=user.pk, article=auth.article,
               details={"reason": "locked", **throttle.keys(request, username)})
        raise SignInFailed(GENERIC_FAILURE)
    if not user.check_password(password):
        register_failure(request, user, action="staff.sign_in_failed", reason="bad_password")
        raise SignInFailed(GENERIC_FAILURE)
    if not user.is_active:
        record(action="staff.sign_in_failed", actor=user, terminal=_terminal(request), result=Entry.Result.REFUSED,
               target_type="user", target_id=user.pk, article=auth.article,
               details={"reason": "inactive", **throttle.keys(request, username)})
        raise SignInFailed(GENERIC_FAILURE)

    suspended = credentials.is_suspended(user)
    exception = auth.password_only_exception
    if exception.allowed and not suspended:  # the exception is a credential too (001 §5.3, §5.5)
        decision = active_password_only_decision(user)
        if decision is not None:
            complete(request, user, method="password_only_exception", details={"decision_id": decision.pk})
            return PasswordResult(user, "done")
    if not second_factor_required(user):
        complete(request, user, method="password")  # the policy still refuses personal data (E-13)
        return PasswordResult(user, "done")
    if suspended:
        # 異動等 (E-13): the second factors can neither be used nor enrolled anew until the provisioning task
        # is set or cancelled.
        record(action="staff.sign_in_failed", actor=user, terminal=_terminal(request), result=Entry.Result.REFUSED,
               target_type="user", target_id=user.pk, article=auth.on_change_article,
               details={"reason": "credentials_suspended", **throttle.keys(request, username)})
        from tokutei.profiles.citations import cite

        raise SignInFailed(_("異動等により認証情報が停止されています。認証情報の設定又は取消しが済むまでサインインできません。"),
                           cite(auth.on_change_article))
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"uid": user.pk, "at": time.time()}
    if usable_factors(user, kinds=allowed_factor_kinds()).exists():
        return PasswordResult(user, "verify")
    return PasswordResult(user, "enrol")


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session within the last few minutes."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("uid"), is_active=True, credentials_suspended_at__isnull=True).first()
    if user is None or _is_locked(user, request):
        return None
    return user


def complete(request: HttpRequest, user: User, *, method: str, details: dict | None = None) -> None:
    """Sign the user in (session rotated), reset the failure count, log staff.sign_in."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
        record(action="staff.sign_in", actor=user, terminal=_terminal(request), target_type="user",
               target_id=user.pk, details={"method": method, **(details or {})})
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=BACKEND)
    request.session[IDLE_KEY] = time.time()
