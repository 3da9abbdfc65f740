"""Menu entries and dashboard cards of the staff app, by the user's roles."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.core.navigation import Card, NavItem
from tokutei.profiles.selectors import get_profile

from .http import SignedInRequest
from .models import ProvisioningTask, Terminal, User
from .selectors import designatable_roles, has_role, holders_count, is_admin, is_handler


def nav_items(request: SignedInRequest) -> list[NavItem]:
    user = request.user
    items = [NavItem(_("サインイン方法"), reverse("staff:security"), 900)]
    if is_handler(user):
        items.append(NavItem(_("私の取扱範囲"), reverse("staff:my_scope"), 15))
    admin = is_admin(user)
    if admin or designatable_roles(user):
        items.append(NavItem(_("操作者登録簿"), reverse("staff:register"), 60))
        items.append(NavItem(_("指定の登録"), reverse("staff:designation_create"), 61))
    if admin:
        items += [
            NavItem(_("職員"), reverse("staff:staff_list"), 70),
            NavItem(_("役職（充て職）"), reverse("staff:posts"), 71),
            NavItem(_("登録端末"), reverse("staff:terminals"), 72),
            NavItem(_("認証情報の手続"), reverse("staff:provisioning"), 73),
        ]
    exception = get_profile().authentication.password_only_exception
    if exception.allowed and (has_role(user, exception.granted_by) or admin):
        items.append(NavItem(_("ID・パスワード例外"), reverse("staff:password_only"), 74))
    return items


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    terminal = getattr(request, "terminal", None)
    cards = [Card(_("この端末"), "staff/cards/terminal.html",
                  {"registered": terminal is not None, "name": getattr(terminal, "name", "")}, order=1)]
    user = request.user
    if is_admin(user):
        profile = get_profile()
        alerts = [
            f"{role.ja}は{role.exact_holders}名必要ですが、現在{holders_count(key)}名です（{role.article}）。"
            for key, role in profile.roles.items()
            if role.exact_holders is not None and holders_count(key) < role.exact_holders
        ]
        cards.append(Card(_("職員と端末の管理"), "staff/cards/admin.html", {
            "staff": User.objects.filter(is_active=True).count(),
            "terminals": Terminal.objects.filter(revoked_at__isnull=True, credential_digest__isnull=False).count(),
            "open_tasks": ProvisioningTask.objects.filter(closed_at__isnull=True).count(),
            "alerts": alerts, "today": timezone.localdate(),
        }, order=50))
    if designatable_roles(user) and not is_admin(user):
        cards.append(Card(_("指定"), "staff/cards/designator.html", {}, order=51))
    return cards
