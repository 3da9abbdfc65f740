"""What a view may assume about its request, for the type checker.

``TerminalMiddleware`` sets ``request.terminal`` on every request; ``login_required`` and the guards that
imply it (``tokutei.policy.web.action_required``, which also sets ``request.actor``, and ninja's
``django_auth``) let only signed-in users through.
Django's ``HttpRequest`` says neither, so views annotate their request with one of these classes
(django-stubs' idiom for an authenticated request). They are never instantiated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import Terminal, User


class TerminalRequest(HttpRequest):
    """A request that went through ``TerminalMiddleware``: the registered terminal, or None."""

    terminal: Terminal | None


class SignedInRequest(TerminalRequest):
    """A request of a signed-in user (behind ``login_required`` or a guard that implies it)."""

    user: User


def is_signed_in(request: HttpRequest) -> TypeGuard[SignedInRequest]:
    """True when the request has a signed-in user (``request.user`` may be missing before the auth
    middleware ran, e.g. on an early error page)."""
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
