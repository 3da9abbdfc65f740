"""The dashboard and the shell pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest
from tokutei.staff.selectors import active_assignments

from .i18n import label
from .navigation import dashboard_cards


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    """A dashboard per role: each app adds the cards that the user's roles call for."""
    profile = get_profile()
    assignments = list(active_assignments(request.user))
    roles = [
        {"key": a.role_key, "ja": label(profile.roles[a.role_key]) if a.role_key in profile.roles else a.role_key,
         "tasks": [label(profile.tasks[t]) for t in a.tasks if t in profile.tasks], "end_date": a.end_date}
        for a in assignments
    ]
    from tokutei.ops.nav import health_banner

    return render(
        request, "core/dashboard.html",
        {"roles": roles, "cards": dashboard_cards(request), "health_banner": health_banner(request)},
    )
