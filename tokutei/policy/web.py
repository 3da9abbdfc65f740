"""The policy at the edges: one decorator for HTML views, one for API operations, one refusal page.

    @action_required(Action.LEDGERS_VIEW)
    def ledger(request): ...                       # request.actor is the Actor the decision was for

A refusal anywhere below a view — the decorator, a service, ``get_or_refuse`` — is an exception
(``Refused``) that ``RefusalMiddleware`` renders as the one refusal page, in the user's language, with the
article as the profile cites it: 403, or 404 for a record that is missing or out of scope. The JSON API
turns the same exception into the same status (tokutei/api.py). Every refusal is logged where it is
raised; one that reached the page unlogged is logged here, so none is lost.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tokutei.auditlog.actions import Action
from tokutei.core.errors import Refused
from tokutei.core.mynumber import strip_number_like

from .actor import Actor, designated_tasks
from .engine import require

PURPOSE_CODES = frozenset({"no_purpose", "out_of_scope", "unknown_purpose"})


def action_required(action: Action, *, redirect_anonymous: bool = True) -> Callable:
    """View decorator: signed in (else the sign-in page), then ``require(actor, action)``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if redirect_anonymous and not request.user.is_authenticated:
                return redirect_to_login(strip_number_like(request.get_full_path()))
            actor = Actor.from_request(request)
            require(actor, action, details={"path": request.path[:200]})
            request.actor = actor  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.policy_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def actor_of(request: HttpRequest) -> Actor:
    """The request's Actor (set by ``action_required``), or a fresh one."""
    actor = getattr(request, "actor", None)
    return actor if isinstance(actor, Actor) else Actor.from_request(request)


def api_actor(request: HttpRequest, action: Action, *, purpose: str | None = None) -> Actor:
    """For an API operation: the session's user or the bearer token's service account, decided for
    ``action`` (refusal logged and raised; tokutei/api.py answers it)."""
    account = getattr(request, "service_account", None)
    if account is not None:
        actor = Actor.for_service_account(account, purpose=purpose or "")
    else:
        actor = Actor.from_request(request, purpose=purpose)
    require(actor, action, details={"path": request.path[:200]})
    return actor


def render_refusal(request: HttpRequest, exc: Refused) -> HttpResponse:
    from tokutei.profiles.selectors import get_profile

    context: dict = {"refusal": exc}
    user = getattr(request, "user", None)
    if exc.code in PURPOSE_CODES and user is not None and user.is_authenticated:
        profile = get_profile()
        context["purpose_choices"] = [(t, profile.tasks[t].ja) for t in designated_tasks(user) if t in profile.tasks]
        context["next"] = strip_number_like(request.get_full_path())
    return render(request, "policy/refused.html", context, status=exc.status)


class RefusalMiddleware:
    """Renders every ``Refused`` that leaves a view as the one refusal page (403 / 404)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Refused):
            return None
        if not exception.logged:
            from tokutei.auditlog.services import record

            user = getattr(request, "user", None)
            record(action=Action.STAFF_ACCESS, actor=user if user is not None and user.is_authenticated else None,
                   terminal=getattr(request, "terminal", None), result="refused", article=exception.article,
                   reason=exception.message, details={"code": exception.code, "path": request.path[:200]})
            exception.logged = True
        return render_refusal(request, exception)
