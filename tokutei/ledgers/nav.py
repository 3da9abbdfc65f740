"""Menu entries and dashboard cards for the ledgers."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.core.navigation import Card, NavItem
from tokutei.profiles.selectors import NoProfile, get_profile

from . import access, selectors, services
from .stages import ACTION_JA, STAGE_JA, form_title


def nav_items(request: HttpRequest) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    try:
        profile = get_profile()
    except NoProfile:
        return []
    items: list[NavItem] = []
    if access.may(request.user, access.viewer_roles(profile)):
        items.append(NavItem(form_title(profile), reverse("ledgers:handling"), order=40))
        title = profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳")
        items.append(NavItem(title, reverse("ledgers:file_register"), order=41))
    if any(access.may(request.user, access.register_reader_roles(profile, k)) for k in profile.registers):
        items.append(NavItem(_("記録簿・台帳"), reverse("ledgers:index"), order=42))
    return items


def dashboard_cards(request: HttpRequest) -> list[Card]:
    if not request.user.is_authenticated:
        return []
    try:
        profile = get_profile()
    except NoProfile:
        return []
    cards: list[Card] = []
    recorder = access.may_record(request.user, profile)
    if recorder or access.may(request.user, access.manager_roles(profile)):
        services.sync_from_log()
        recent = list(selectors.HandlingRecord.objects.order_by("-occurred_at", "-id")[:5])
        records = [{"occurred_at": r.occurred_at, "result": r.result,
                    "label": f"No.{r.pk} {ACTION_JA.get(r.action, r.action) if r.source == 'log' else STAGE_JA.get(r.stage, r.stage)}"
                             f"（{r.count}件）"} for r in recent]
        cards.append(Card(form_title(profile), "ledgers/card_recent.html",
                          {"records": records, "may_record": recorder}, order=40))
    if access.may(request.user, access.file_register_signer_roles(profile) | profile.auditor_roles()):
        rows = selectors.file_register(profile)
        title = profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳")
        cards.append(Card(title, "ledgers/card_register.html",
                          {"files": len(rows), "flagged": sum(1 for r in rows if r["flags"])}, order=41))
    return cards
