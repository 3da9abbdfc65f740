"""Menu entries and dashboard cards of the vault, for designated handlers.

The menu asks the policy like the pages do: the entries for ``vault.open`` (a designated handler), the
count of entries waiting for a second person's check through ``restrict`` for the session's declared task
— only the people the clerk could open — and no count at all before a task is chosen.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem
from tokutei.policy import Actor, decide, restrict
from tokutei.staff.http import SignedInRequest


def _opens(request: SignedInRequest) -> bool:
    return bool(decide(Actor.from_request(request), Action.VAULT_OPEN))


def nav_items(request: SignedInRequest) -> list[NavItem]:
    if not _opens(request):
        return []
    return [
        NavItem(_("特定個人情報ファイル"), reverse("vault:files"), 20),
        NavItem(_("本人の検索"), reverse("vault:search"), 21),
        NavItem(_("確認待ち（入力の確認）"), reverse("vault:queue"), 22),
        NavItem(_("削除の確認待ち"), reverse("vault:deletions"), 23),
    ]


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    if not _opens(request):
        return []
    from .models import Person

    actor = Actor.from_request(request)
    waiting = None  # no task declared: no count (it would have to cover tasks the clerk has not chosen)
    if actor.purpose and decide(actor, Action.VAULT_CONFIRM):
        waiting = (restrict(Person.objects.all(), actor, Action.VAULT_CONFIRM)
                   .filter(status=Person.Status.UNCONFIRMED).exclude(entered_by=request.user).count())
    return [Card(_("本人データ"), "vault/cards/handler.html", {"waiting": waiting}, order=20)]
