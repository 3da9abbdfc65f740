"""Menu entries and dashboard cards, contributed by each app.

An app contributes by defining ``nav.py`` with ``nav_items(request) -> list[NavItem]`` and optionally
``dashboard_cards(request) -> list[Card]``. An entry is shown when ``allows(request, action)`` — the one
policy's decision for the page's action — so the menu and the page never disagree; the core only
collects.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.apps import apps
from django.http import HttpRequest

from tokutei.auditlog.actions import Action
from tokutei.staff.http import SignedInRequest


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class Card:
    title: str
    template: str  # rendered with the card's ``context``
    context: dict = field(default_factory=dict)
    order: int = 100


def allows(request: HttpRequest, action: Action) -> bool:
    """Would the page of ``action`` open for this request? ``decide`` for the request's Actor (no log:
    nothing is refused by not showing a menu entry)."""
    from tokutei.policy import decide
    from tokutei.policy.web import actor_of

    return decide(actor_of(request), action).allowed


def _app_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("tokutei."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise


def nav_items(request: SignedInRequest) -> list[NavItem]:
    items: list[NavItem] = []
    for module in _app_modules():
        if hasattr(module, "nav_items"):
            items.extend(module.nav_items(request))
    return sorted(items, key=lambda i: (i.order, i.label))


def dashboard_cards(request: SignedInRequest) -> list[Card]:
    cards: list[Card] = []
    for module in _app_modules():
        if hasattr(module, "dashboard_cards"):
            cards.extend(module.dashboard_cards(request))
    return sorted(cards, key=lambda c: (c.order, c.title))
