"""Menu entry of the committee, named as the profile names it (住基ネットセキュリティ会議, …)."""

from __future__ import annotations

from django.urls import reverse

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import NavItem, allows
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest


def nav_items(request: SignedInRequest) -> list[NavItem]:
    body = get_profile().governance_body
    if body is None or not allows(request, Action.COMMITTEE_VIEW):
        return []
    return [NavItem(body.ja, reverse("committee:index"), 48)]
