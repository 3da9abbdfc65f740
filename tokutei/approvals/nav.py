"""Menu entries and the approver's queue on the dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.core.navigation import Card, NavItem
from tokutei.policy import Actor
from tokutei.staff.http import SignedInRequest

from . import selectors


def nav_items(request: SignedInRequest) -> list[NavItem]:
    return [
        NavItem(_("承認・申請"), reverse("approvals:index"), 40),
    ]


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    cards = []
    queue = selectors.approver_queue(Actor.from_request(request))  # only what the policy lets them reach
    if queue:
        cards.append(Card(_("承認待ち（あなたの承認が必要）"), "approvals/card_queue.html",
                          {"queue": queue[:10], "total": len(queue)}, order=10))
    mine = [r for r in selectors.my_requests(request.user)[:20] if r.status in ("pending", "approved")]
    if mine:
        cards.append(Card(_("あなたの申請"), "approvals/card_mine.html", {"mine": mine[:10]}, order=30))
    return cards
