"""Security headers that Django does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    """Content-Security-Policy (everything from this server), no caching of pages with personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), usb=()")
        if not request.path.startswith(settings.STATIC_URL):
            # Pages may show personal data: never store them in the browser or a proxy cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class CanonicalHostMiddleware:
    """The demo's one address (TOKUTEI_CANONICAL_HOST, e.g. ``localhost:8000``): a page asked for on a
    loopback IP (127.0.0.1, [::1]) is sent on to it, since WebAuthn refuses IP addresses with an English
    browser error. Off unless set; only GET and HEAD (a form is never re-sent elsewhere)."""

    LOOPBACK = ("127.0.0.1", "[::1]")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        canonical = settings.CANONICAL_HOST
        if canonical and request.method in ("GET", "HEAD"):
            host = request.META.get("HTTP_HOST", "")
            if host != canonical and host.rsplit(":", 1)[0] in self.LOOPBACK:
                from django.http import HttpResponseRedirect

                return HttpResponseRedirect(f"{request.scheme}://{canonical}{request.get_full_path()}")
        return self.get_response(request)


class InputRefusalMiddleware:
    """Every refusal of input by the field types (tokutei.core.fields) is logged: once per request, with
    the rules that refused, the path and the person — never the values. A refusal already logged (the API's
    error handler, a policy refusal) is not logged twice."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .fields import end_request, start_request

        token = start_request()
        try:
            response = self.get_response(request)
        finally:
            notes = end_request(token)
        if notes:
            from tokutei.auditlog.actions import Action
            from tokutei.auditlog.services import record

            from .text import log_text

            user = getattr(request, "user", None)
            record(action=Action.STAFF_ACCESS, actor=user if user is not None and user.is_authenticated else None,
                   terminal=getattr(request, "terminal", None), result="refused",
                   reason="入力内容に誤りがあります",
                   details={"code": "invalid_input", "rules": sorted(set(notes)),
                            "path": log_text(request.path, 200), "method": log_text(request.method, 10)})
        return response


class NoNumberInRedirectMiddleware:
    """No redirect carries a 個人番号: a ``Location`` whose path holds something shaped like one goes to
    the home page; a query parameter holding one (``?next=…``, ``?value=…``) is dropped
    (tokutei.core.mynumber.number_like_anywhere, every spelling)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        location = response.get("Location") if 300 <= response.status_code < 400 else None
        if location:
            from .mynumber import clean_redirect

            clean = clean_redirect(location)
            if clean != location:
                response["Location"] = clean
        return response


class ApiJsonErrorsMiddleware:
    """Under /api/ every error is JSON with a stable ``code`` (tokutei/api.py): also what Django itself
    answers there without django-ninja — a method not allowed, a CSRF failure, a request too large."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code >= 400 and request.path_info.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            from tokutei.api import json_error

            error = json_error(response.status_code)
            if response.has_header("Allow"):
                error["Allow"] = response["Allow"]
            return error
        return response
