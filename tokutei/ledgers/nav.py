"""Menu entries and dashboard cards for the ledgers (read-only: nothing here writes)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem
from tokutei.policy import Actor, decide, restrict
from tokutei.profiles.selectors import NoProfile, get_profile

from . import files, selectors
from .models import HandlingRecord
from .rules import FILES, HANDLING, REGISTER, Ledger, file_register_signer_roles
from .stages import content_label, form_title


def _may(actor: Actor, action: Action, target) -> bool:
    return decide(actor, action, target).allowed


def nav_items(request: HttpRequest) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    try:
        profile = get_profile()
    except NoProfile:
        return []
    actor = Actor.from_request(request)
    items: list[NavItem] = []
    if _may(actor, Action.LEDGERS_VIEW, Ledger(HANDLING)):
        items.append(NavItem(form_title(profile), reverse("ledgers:handling"), order=40))
    if _may(actor, Action.LEDGERS_VIEW, Ledger(FILES)):
        title = profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳")
        items.append(NavItem(title, reverse("ledgers:file_register"), order=41))
    if any(_may(actor, Action.LEDGERS_VIEW, Ledger(REGISTER, k)) for k in profile.registers):
        items.append(NavItem(_("記録簿・台帳"), reverse("ledgers:index"), order=42))
    return items


def dashboard_cards(request: HttpRequest) -> list[Card]:
    if not request.user.is_authenticated:
        return []
    try:
        profile = get_profile()
    except NoProfile:
        return []
    actor = Actor.from_request(request)
    cards: list[Card] = []
    recorder = _may(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(HANDLING))
    if recorder or (profile.manager_roles() & decide(actor, Action.LEDGERS_VIEW).roles):  # as before
        visible = restrict(HandlingRecord.objects.all(), actor, Action.LEDGERS_VIEW)
        recent = list(visible.order_by("-occurred_at", "-id")[:5])
        records = [{"occurred_at": r.occurred_at, "result": r.result,
                    "label": f"No.{r.pk} {content_label(r.action, r.stage)}（{r.count}件）"} for r in recent]
        cards.append(Card(form_title(profile), "ledgers/card_recent.html",
                          {"records": records, "may_record": recorder}, order=40))
    roles = decide(actor, Action.LEDGERS_VIEW).roles
    if roles & (file_register_signer_roles(profile) | profile.auditor_roles()):
        model = files.file_model()
        infos = files.all_files(restrict(model._default_manager.all(), actor, Action.LEDGERS_VIEW)) if model else []
        rows = selectors.file_register(profile, infos)
        title = profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳")
        cards.append(Card(title, "ledgers/card_register.html",
                          {"files": len(rows), "flagged": sum(1 for r in rows if r["flags"])}, order=41))
    return cards
