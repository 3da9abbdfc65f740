"""Menu entries of the registers (next to the approvals they need)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.core.navigation import NavItem
from tokutei.staff.http import SignedInRequest


def nav_items(request: SignedInRequest) -> list[NavItem]:
    return [
        NavItem(_("記録媒体"), reverse("registers:media"), 41),
        NavItem(_("持出し"), reverse("registers:carry_outs"), 42),
        NavItem(_("ドキュメント"), reverse("registers:documents"), 43),
        NavItem(_("出力（暗号化ファイル）"), reverse("registers:exports"), 44),
    ]
