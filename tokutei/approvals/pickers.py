"""Objects an approval request can name, chosen from a list rather than typed as a number.

Apps above the approval engine register what their registers hold (the registers app: the terminals of the
情報資産管理簿 for a take-out or bring-in, 002 §32.2, E-18), so the request form offers a picker for each and a
register's page can link to the form with its object already chosen (``?operation=…&asset_id=…``). The
engine itself imports no app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Picker:
    key: str  # the particulars key the chosen object's id is kept under (``asset_id``)
    label: Any  # a (lazy) Japanese label
    choices: Callable[[], list[tuple[int, str]]]  # (id, name) of what may be chosen now


PICKERS: dict[str, Picker] = {}


def register_picker(picker: Picker) -> None:
    PICKERS[picker.key] = picker


def label_of(key: str, value: Any) -> str | None:
    """The name of the object ``value`` of picker ``key`` (for the request's page), or None."""
    picker = PICKERS.get(key)
    if picker is None:
        return None
    return dict(picker.choices()).get(value) if isinstance(value, int) else None
