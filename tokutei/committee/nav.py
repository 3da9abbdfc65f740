"""Menu entry of the committee, named as the profile names it (住基ネットセキュリティ会議, …)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest


def nav_items(request: SignedInRequest) -> list[NavItem]:
    body = get_profile().governance_body
    if body is None or not allows(request, Action.COMMITTEE_VIEW):
        return []
    return [NavItem(body.ja, reverse("committee:index"), 48)]


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    """The committee's decisions past their due date, for those who keep its records."""
    from . import selectors

    body = get_profile().governance_body
    if body is None or not allows(request, Action.COMMITTEE_VIEW):
        return []
    overdue = list(selectors.overdue_items()[:11])
    if not overdue:
        return []
    return [Card(_("%(body)sの決定事項（期限切れ）") % {"body": body.ja}, "committee/card_overdue.html",
                 {"items": overdue[:10], "more": len(overdue) > 10}, order=20)]
