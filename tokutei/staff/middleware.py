"""Request middleware: which registered terminal is this, and sign-in policy (idle logoff)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tokutei.core.memo import request_scope

from .selectors import terminal_for_credential

IDLE_KEY = "tokutei_last_activity"
IDLE_WRITE_SLACK_SECONDS = 10.0


class TerminalMiddleware:
    """Sets ``request.terminal`` from the terminal credential cookie (or the API header).

    It also opens the request's memo (tokutei.core.memo): the profile in force and the actor's role
    assignments are read from the database once per request instead of at every call (middleware, policy,
    services, templates).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        credential = request.COOKIES.get(settings.TERMINAL_COOKIE_NAME) or request.headers.get(
            "X-Tokutei-Terminal"
        )
        with request_scope():
            request.terminal = terminal_for_credential(credential)  # type: ignore[attr-defined]
            return self.get_response(request)


class SignInPolicyMiddleware:
    """Idle automatic logoff (002 §33, E-41) with the profile's timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            from tokutei.profiles.selectors import get_profile

            limit = get_profile().authentication.idle_logoff_minutes * 60
            now = time.time()
            last = request.session.get(IDLE_KEY)
            if last is not None and now - float(last) > limit:
                from tokutei.auditlog.services import record

                record(action="staff.idle_logoff", actor=user, terminal=getattr(request, "terminal", None))
                logout(request)
                if request.path_info.startswith("/api/"):  # an API client gets JSON, not the sign-in page
                    from tokutei.api import json_error

                    return json_error(401, code="session_expired")
                response = redirect(f"{settings.LOGIN_URL_PATH}?idle=1")
                return response
            # Background polling (HTMX "keep-alive" is not sent) must not count as activity. The time is
            # stored only when it moved by more than a few seconds (at most a tenth of the timeout), so
            # a burst of requests does not rewrite the session row every time.
            if request.headers.get("X-Tokutei-Passive") != "1" and (
                last is None or abs(now - float(last)) > min(IDLE_WRITE_SLACK_SECONDS, limit / 10)
            ):
                request.session[IDLE_KEY] = now
            # First sign-in (must_change_password) and password age (E-15): nothing else until changed.
            if not _exempt_from_password_change(request.path):
                from .selectors import password_change_required

                if password_change_required(user):
                    if request.path_info.startswith("/api/"):
                        from tokutei.api import json_error

                        return json_error(403, code="password_change_required",
                                          detail="パスワードを変更してください")
                    return redirect(PASSWORD_CHANGE_PATH)
        return self.get_response(request)


PASSWORD_CHANGE_PATH = "/account/password/"  # noqa: S105


def _exempt_from_password_change(path: str) -> bool:
    return path.startswith((PASSWORD_CHANGE_PATH, "/logout/", "/i18n/", settings.STATIC_URL))
