"""Menu entries of the audit programme, and its dashboard cards: duties due or overdue, reports awaiting
your receipt, overdue corrective actions, training you have to attend, handovers to confirm."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows
from tokutei.staff.http import SignedInRequest

from . import schedule, selectors, training


def nav_items(request: SignedInRequest) -> list[NavItem]:
    items = []
    if allows(request, Action.AUDITS_VIEW):
        items.append(NavItem(_("監査・点検"), reverse("audits:index"), 50))
    if allows(request, Action.AUDITS_EVIDENCE):
        items.append(NavItem(_("条文ごとの証跡"), reverse("audits:evidence"), 51))
    return items


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    user = request.user
    cards = []
    duties = schedule.duties_for(user)
    if duties:
        cards.append(Card(_("監査・点検等の予定（期限が近い・過ぎている）"), "audits/card_duties.html",
                          {"duties": duties}, order=3))
    awaiting = selectors.awaiting_receipt(user)
    if awaiting:
        cards.append(Card(_("監査・点検の報告（あなたの受領が必要）"), "audits/card_reports.html",
                          {"reports": awaiting[:10]}, order=3))
    overdue = selectors.overdue_findings_for(user)
    if overdue:
        cards.append(Card(_("期限を過ぎた是正措置"), "audits/card_findings.html", {"findings": overdue[:10]}, order=3))
    mine = training.overdue_for(user)
    if mine:
        cards.append(Card(_("受講が必要な研修"), "audits/card_training.html", {"trainings": mine}, order=4))
    confirm = selectors.handovers_to_confirm(user)
    if confirm:
        cards.append(Card(_("確認が必要な業務引継簿"), "audits/card_handovers.html", {"handovers": confirm}, order=3))
    return cards
