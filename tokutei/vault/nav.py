"""Menu entries and dashboard cards of the vault, for designated handlers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.core.navigation import Card, NavItem
from tokutei.staff.http import SignedInRequest
from tokutei.staff.selectors import is_handler


def nav_items(request: SignedInRequest) -> list[NavItem]:
    if not is_handler(request.user):
        return []
    return [
        NavItem(_("特定個人情報ファイル"), reverse("vault:files"), 20),
        NavItem(_("本人の検索"), reverse("vault:search"), 21),
        NavItem(_("確認待ち（入力の確認）"), reverse("vault:queue"), 22),
        NavItem(_("削除の確認待ち"), reverse("vault:deletions"), 23),
    ]


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    if not is_handler(request.user):
        return []
    from .models import Person

    waiting = Person.objects.filter(status=Person.Status.UNCONFIRMED, deleted_at__isnull=True).exclude(
        entered_by=request.user).count()
    return [Card(_("本人データ"), "vault/cards/handler.html", {"waiting": waiting}, order=20)]
