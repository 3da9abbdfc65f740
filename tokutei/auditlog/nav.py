"""Menu entries and dashboard cards for the operation log."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.core.navigation import Card, NavItem
from tokutei.policy import Actor, decide
from tokutei.profiles.selectors import NoProfile, get_profile

from . import selectors
from .actions import Action
from .status import disk_status, last_status


def nav_items(request: HttpRequest) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    try:
        get_profile()
    except NoProfile:
        return []
    actor = Actor.from_request(request)
    items: list[NavItem] = []
    if decide(actor, Action.LOG_SEARCH):
        items.append(NavItem(_("操作履歴の検索"), reverse("auditlog:search"), order=60))
        items.append(NavItem(_("操作履歴の分析"), reverse("auditlog:analysis"), order=61))
        items.append(NavItem(_("操作履歴の点検記録"), reverse("auditlog:reviews"), order=62))
    if decide(actor, Action.LOG_VERIFY):
        items.append(NavItem(_("操作履歴の完全性"), reverse("auditlog:integrity"), order=63))
    return items


def dashboard_cards(request: HttpRequest) -> list[Card]:
    if not request.user.is_authenticated:
        return []
    try:
        profile = get_profile()
    except NoProfile:
        return []
    cards: list[Card] = []
    if decide(Actor.from_request(request), Action.LOG_VERIFY):  # the whole log's readers
        cards.append(Card(_("最近の拒否"), "auditlog/card_refusals.html",
                          {"refusals": selectors.recent_refusals()}, order=60))
        cards.append(Card(_("操作履歴の完全性"), "auditlog/card_status.html", {"status": last_status()}, order=61))
    from tokutei.staff.selectors import role_keys

    if role_keys(request.user) & profile.admin_roles():
        cards.append(Card(_("ディスクの空き容量"), "auditlog/card_disk.html", {"disk": disk_status()}, order=62))
    return cards
