"""取扱者数: who handles a file, counted from what the system knows — and where other apps add theirs.

Today the count is the live designations (``tokutei.ledgers.selectors.access_list``: designations in force
of data-handling roles whose task scope meets the file's tasks, in its unit), split into the
organisation's own staff and 派遣労働者 (``User.employment``). The 指針 counts the vendors' staff who handle
the file too: an app that knows them (the vendors app being built) adds a **handler source** —

* by convention, a module ``<app>/pia_handlers.py`` with ``handler_groups(info, profile, day)``, or
* a dotted path in the setting ``PIA_HANDLER_SOURCES`` (a list), for a source outside the project's apps,

each returning ``list[HandlerGroup]``. A source must not count people already counted here (a vendor's
employee with a staff account and a designation is counted by the designations).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class HandlerGroup:
    kind: str  # "staff" / "dispatched" / "vendor" / another source's own kind
    label: str  # as people read it: 「職員（指定）」
    count: int
    source: str  # where the number comes from: 「取扱者の指定」

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Source = Callable[[Any, Any, dt.date], list[HandlerGroup]]


def designated(info, profile, day: dt.date) -> list[HandlerGroup]:
    """The live designations for the file, split into own staff and 派遣労働者."""
    from tokutei.ledgers.selectors import access_list
    from tokutei.staff.models import User

    people = access_list(info, profile=profile, on=day)
    ids = [p["user_id"] for p in people]
    dispatched = User.objects.filter(pk__in=ids, employment=User.Employment.DISPATCHED).count() if ids else 0
    return [
        HandlerGroup("staff", "職員（取扱者の指定）", len(ids) - dispatched, "取扱者の指定"),
        HandlerGroup("dispatched", "派遣労働者（取扱者の指定）", dispatched, "取扱者の指定"),
    ]


def sources() -> list[Source]:
    """The designations first, then every app's ``pia_handlers.handler_groups``, then the setting's."""
    found: list[Source] = [designated]
    for config in apps.get_app_configs():
        if not config.name.startswith("tokutei.") or config.name == "tokutei.pia":
            continue
        try:
            module = importlib.import_module(f"{config.name}.pia_handlers")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.pia_handlers":
                raise
            continue
        found.append(module.handler_groups)
    found += [import_string(path) for path in getattr(settings, "PIA_HANDLER_SOURCES", [])]
    return found


def handler_groups(info, profile, day: dt.date) -> list[HandlerGroup]:
    groups: list[HandlerGroup] = []
    for source in sources():
        groups += [g for g in source(info, profile, day) if g.count or g.kind in {"staff", "dispatched"}]
    return groups
