"""The guard for personal-data screens and API calls: a registered terminal and a designated handler.

    from tokutei.staff.access import personal_data_view, require_personal_data_access

    @personal_data_view
    def person_detail(request, pk): ...          # HTML: refused → 403 page with the article

    def api_person(request, pk):                  # JSON: tokutei/api.py turns Refused into 403
        require_personal_data_access(request)

Both log a refusal as ``staff.access`` (result refused) with the article: the terminal rule from the
profile's ``authentication.article`` (002 §31, 004 §14(7), E-16), the designation rule from the handler
roles' articles (E-01).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tokutei.auditlog.services import refuse
from tokutei.core.errors import Refused
from tokutei.profiles.selectors import get_profile

from .selectors import is_handler


def require_personal_data_access(request: HttpRequest) -> None:
    """Raise a logged Refused unless the request comes from a registered terminal (when the profile
    requires it) and the signed-in user holds a handler role today (designation in force, not revoked)."""
    profile = get_profile()
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    terminal = getattr(request, "terminal", None)
    if profile.authentication.terminals_required and terminal is None:
        raise refuse(
            "この端末は登録端末ではないため、特定個人情報等を取り扱えません。登録端末から操作してください。",
            action="staff.access", article=profile.authentication.article or "002 §31", actor=actor,
            code="unregistered_terminal", details={"path": request.path[:200]},
        )
    if actor is None or not is_handler(actor):
        handler_articles = sorted({profile.roles[k].article for k in profile.handler_roles()})
        raise refuse(
            "事務取扱担当者として指定されていないため、特定個人情報等を取り扱えません。",
            action="staff.access", article="、".join(handler_articles), actor=actor, terminal=terminal,
            code="not_designated", details={"path": request.path[:200]},
        )


def personal_data_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: sign-in required, then :func:`require_personal_data_access`; a refusal renders
    the 403 page with its article."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            require_personal_data_access(request)
        except Refused as exc:
            return render_refused(request, exc)
        return view(request, *args, **kwargs)

    return wrapped


def render_refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return render(request, "staff/refused.html", {"refusal": exc}, status=403)
