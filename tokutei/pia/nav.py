"""Menu entries, and on the dashboard of the protection managers: files that now need a higher level of
assessment (a bulk import, new designations, an incident), with the date it happened and the reason."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows
from tokutei.policy.web import actor_of
from tokutei.profiles.selectors import NoProfile
from tokutei.staff.http import SignedInRequest

from . import selectors


def nav_items(request: SignedInRequest) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    try:
        items = []
        if allows(request, Action.PIA_VIEW):
            items.append(NavItem(_("特定個人情報保護評価"), reverse("pia:index"), 46))
        if allows(request, Action.PIA_DISCLOSURE):
            items.append(NavItem(_("提供・利用状況の開示"), reverse("pia:disclosure"), 47))
    except NoProfile:
        return []
    return items


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    if not request.user.is_authenticated:
        return []
    try:
        if not allows(request, Action.PIA_VIEW):
            return []
        changes = selectors.raised_changes(actor_of(request))
    except NoProfile:
        return []
    if not changes:
        return []
    return [Card(_("特定個人情報保護評価：上位の評価が必要になったファイル"), "pia/card_changes.html",
                 {"changes": changes}, order=3)]
