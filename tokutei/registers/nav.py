"""Menu entries of the registers (next to the approvals they need)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import NavItem
from tokutei.policy import Actor, decide
from tokutei.staff.http import SignedInRequest


def nav_items(request: SignedInRequest) -> list[NavItem]:
    items = [
        NavItem(_("記録媒体"), reverse("registers:media"), 41),
        NavItem(_("持出し"), reverse("registers:carry_outs"), 42),
        NavItem(_("ドキュメント"), reverse("registers:documents"), 43),
        NavItem(_("出力（暗号化ファイル）"), reverse("registers:exports"), 44),
    ]
    if decide(Actor.from_request(request), Action.TYPED_REGISTERS_VIEW):
        items += [
            NavItem(_("室・区域・入退室"), reverse("registers:rooms"), 45),
            NavItem(_("情報資産・端末"), reverse("registers:assets"), 46),
            NavItem(_("ユーザID・照合情報"), reverse("registers:ids"), 47),
            NavItem(_("台帳の印刷・Excel"), reverse("registers:print_index"), 48),
        ]
        from tokutei.profiles.selectors import get_profile

        from .rules import LINKAGE_REGISTER_KEY

        if LINKAGE_REGISTER_KEY in get_profile().registers:  # 004 §14(2), §14(7)
            items.append(NavItem(get_profile().registers[LINKAGE_REGISTER_KEY].ja, reverse("registers:linkage_ids"),
                                 47))
    return items
