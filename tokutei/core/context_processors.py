"""Values every page needs: the organisation, the terminal, idle-logoff seconds and the menu."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest

from tokutei.profiles.selectors import NoProfile, get_profile
from tokutei.staff.http import is_signed_in

from .mynumber import strip_number_like
from .navigation import nav_items


def shell(request: HttpRequest) -> dict[str, Any]:
    # The address to come back to (the language form's ``next``), never with a number in it.
    context: dict[str, Any] = {"terminal": getattr(request, "terminal", None), "org": None,
                               "safe_path": strip_number_like(request.get_full_path())}
    try:
        profile = get_profile()
    except (NoProfile, DatabaseError):
        return context
    context.update(
        org=profile.organisation,
        profile=profile,
        idle_logoff_seconds=profile.authentication.idle_logoff_minutes * 60,
    )
    if is_signed_in(request):
        context["nav_items"] = nav_items(request)
    return context
