"""Menu entries of the organisation records: the chart and one's own duties for everyone; the register and
the disciplinary records for the roles that keep them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.navigation import NavItem, allows
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest


def nav_items(request: SignedInRequest) -> list[NavItem]:
    items = []
    if allows(request, Action.ORG_CHART):
        items.append(NavItem(_("組織図・職務分担"), reverse("org:chart"), 90))
    if get_profile().org.acknowledgements and allows(request, Action.ORG_ACK_REGISTER):
        items.append(NavItem(_("義務の確認の一覧"), reverse("org:register"), 91))
    discipline = get_profile().org.discipline
    if discipline is not None and allows(request, Action.ORG_DISCIPLINE_VIEW):
        items.append(NavItem(discipline.ja, reverse("org:discipline"), 92))
    return items
