"""Menu entry of the vendor register, and the dashboard's alerts: re-evaluations due, contracts ending,
return certificates missing — for the vendor managers and the owners of the vendors concerned."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import Card, NavItem, allows
from tokutei.policy.web import actor_of
from tokutei.staff.http import SignedInRequest

from . import selectors
from .rules import reach


def _concerned(request: SignedInRequest) -> bool:
    """A manager or auditor of vendors, or the owner of one (the page is open to all, but shown to these)."""
    from tokutei.profiles.selectors import get_profile

    wide, _units = reach(actor_of(request), get_profile())
    return wide or selectors.vendors(actor_of(request)).exists()


def nav_items(request: SignedInRequest) -> list[NavItem]:
    if not allows(request, Action.VENDORS_VIEW) or not _concerned(request):
        return []
    return [NavItem(_("委託先・委託契約"), reverse("vendors:index"), 50)]


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    if not allows(request, Action.VENDORS_VIEW) or not _concerned(request):
        return []
    alerts = selectors.alerts(actor_of(request))
    if not alerts:
        return []
    return [Card(_("委託先（再評価・契約の終了・証明書）"), "vendors/card_alerts.html",
                 {"alerts": alerts[:10], "more": len(alerts) > 10, "today": timezone.localdate()}, order=3)]
