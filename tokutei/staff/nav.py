"""Menu entries and dashboard cards of the staff app: each shown exactly when the page's rule allows it
(``tokutei.core.navigation.allows``), so the menu and the page never disagree."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows

from .http import SignedInRequest
from .models import ProvisioningTask, Terminal, User
from .selectors import holder_alerts

ENTRIES = [
    (Action.STAFF_ACCESS, N_("私の取扱範囲"), "staff:my_scope", 15),
    (Action.STAFF_REGISTER_VIEW, N_("操作者登録簿"), "staff:register", 60),
    (Action.STAFF_DESIGNATE, N_("指定の登録"), "staff:designation_create", 61),
    (Action.STAFF_VIEW, N_("職員"), "staff:staff_list", 70),
    (Action.STAFF_VIEW, N_("役職（充て職）"), "staff:posts", 71),
    (Action.STAFF_VIEW, N_("登録端末"), "staff:terminals", 72),
    (Action.STAFF_VIEW, N_("認証情報の手続"), "staff:provisioning", 73),
    (Action.STAFF_PASSWORD_ONLY, N_("ID・パスワード例外"), "staff:password_only", 74),
]


def nav_items(request: SignedInRequest) -> list[NavItem]:
    items = [NavItem(_("サインイン方法"), reverse("staff:security"), 900)]
    return items + [NavItem(_(label), reverse(name), order) for action, label, name, order in ENTRIES
                    if allows(request, action)]


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    terminal = getattr(request, "terminal", None)
    cards = [Card(_("この端末"), "staff/cards/terminal.html",
                  {"registered": terminal is not None, "name": getattr(terminal, "name", "")}, order=1)]
    admin = allows(request, Action.STAFF_VIEW)
    if admin:
        cards.append(Card(_("職員と端末の管理"), "staff/cards/admin.html", {
            "staff": User.objects.filter(is_active=True).count(),
            "terminals": Terminal.objects.filter(revoked_at__isnull=True, credential_digest__isnull=False).count(),
            "open_tasks": ProvisioningTask.objects.filter(closed_at__isnull=True).count(),
            "alerts": holder_alerts(), "today": timezone.localdate(),
        }, order=50))
    if not admin and allows(request, Action.STAFF_DESIGNATE):
        cards.append(Card(_("指定"), "staff/cards/designator.html", {}, order=51))
    return cards
