"""Menu entries, and the incidents on the dashboard of each person on their route."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows
from tokutei.policy.web import actor_of
from tokutei.staff.http import SignedInRequest

from . import selectors


def nav_items(request: SignedInRequest) -> list[NavItem]:
    items = []
    if allows(request, Action.INCIDENTS_REPORT):
        items.append(NavItem(_("事故等を報告する"), reverse("incidents:report"), 5))
    if allows(request, Action.INCIDENTS_VIEW):
        items.append(NavItem(_("事故等の報告"), reverse("incidents:index"), 45))
    return items


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    cards = []
    warnings = selectors.due_warnings(actor_of(request))
    if warnings:
        cards.append(Card(_("個人情報保護委員会への報告の期限"), "incidents/card_due.html",
                          {"warnings": warnings[:10]}, order=1))
    awaiting = list(selectors.awaiting(request.user)[:11])
    if awaiting:
        cards.append(Card(_("事故等の報告（あなたの受領が必要）"), "incidents/card_awaiting.html",
                          {"awaiting": awaiting[:10], "more": len(awaiting) > 10}, order=2))
    return cards
