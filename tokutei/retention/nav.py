"""The worklist in the menu and, with the overdue alert, on the managers' dashboard (R-RET-3)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows
from tokutei.profiles.selectors import NoProfile, get_profile


def nav_items(request: HttpRequest) -> list[NavItem]:
    if not request.user.is_authenticated or not allows(request, Action.RETENTION_VIEW):
        return []
    return [NavItem(_("保存期間・廃棄"), reverse("retention:worklist"), order=45)]


def dashboard_cards(request: HttpRequest) -> list[Card]:
    if not request.user.is_authenticated or not allows(request, Action.RETENTION_VIEW):
        return []
    try:
        profile = get_profile()
    except NoProfile:
        return []
    from .models import DisposalList
    from .selectors import summary, worklist

    counts = summary(worklist(profile, statuses={"due", "overdue", "held"}))
    open_lists = DisposalList.objects.exclude(status__in=[DisposalList.Status.CLOSED,
                                                          DisposalList.Status.CANCELLED]).count()
    context = {"due": counts.get("due", 0), "overdue": counts.get("overdue", 0), "held": counts.get("held", 0),
               "open_lists": open_lists}
    return [Card(_("保存期間・廃棄予定"), "retention/card.html", context, order=5 if context["overdue"] else 45)]
