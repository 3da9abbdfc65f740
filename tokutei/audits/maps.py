"""The article-by-article evidence maps (``maps/<regulation>.yaml``) and the enforceable rules' controls
(``maps/controls.yaml``), read as data.

A map lists, for every article and annex of one regulation, the requirements it maps to (requirements §7)
and how this system answers it: rules it enforces (``enforced``: E-numbers, each with the tests that prove
it in ``controls.yaml``), operations whose log entries evidence it (``records``), items a person checks
(``checklist``: the [CHK] and [REC] obligations and the rules not enforced), ``general`` (purpose,
definitions, delegation: no obligation of its own) or ``open`` (nothing yet). The maps are versioned files,
reviewed like code; ``tests/test_maps.py`` checks that every article of each regulation's text is in its map.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

MAPS = Path(__file__).resolve().parent / "maps"
ROOT = Path(__file__).resolve().parents[2]  # the repository: test paths in controls.yaml are relative to it

ItemKind = Literal["CHK", "REC", "ENF"]


@dataclass(frozen=True)
class Control:
    rule: str  # E-38
    ja: str
    status: Literal["enforced", "open"]
    actions: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()

    @property
    def tested(self) -> bool:
        """Enforced, and every test named for it exists in the repository (file, and function if named)."""
        return self.status == "enforced" and bool(self.tests) and all(named_test_exists(t) for t in self.tests)


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    ja: str
    kind: ItemKind
    article: str  # "003 §5"
    topic: str
    requirement: str = ""
    rule: str = ""


@dataclass(frozen=True)
class ArticleMap:
    key: str  # "§5", "別表", "附則"
    article: str  # "003 §5": the profile's compact form, shown through citations.cite
    topic: str
    requirements: tuple[str, ...]
    enforced: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    general: bool = False
    open: str = ""


@dataclass(frozen=True)
class RegulationMap:
    regulation: str
    version: int
    articles: tuple[ArticleMap, ...] = field(default_factory=tuple)

    def article(self, key: str) -> ArticleMap | None:
        return next((a for a in self.articles if a.key == key), None)

    def items(self) -> list[ChecklistItem]:
        return [item for a in self.articles for item in a.checklist]


@functools.cache
def named_test_exists(spec: str) -> bool:
    path, _, name = spec.partition("::")
    file = ROOT / path
    if not file.is_file():
        return False
    return not name or f"def {name}(" in file.read_text(encoding="utf-8")


@functools.cache
def controls() -> dict[str, Control]:
    data = yaml.safe_load((MAPS / "controls.yaml").read_text(encoding="utf-8"))
    return {key: Control(rule=key, ja=v["ja"], status=v["status"], actions=tuple(v.get("actions", ())),
                         tests=tuple(v.get("tests", ()))) for key, v in data["rules"].items()}


def map_path(regulation: str) -> Path:
    return MAPS / f"{regulation}.yaml"


@functools.cache
def regulation_map(regulation: str) -> RegulationMap | None:
    """The map of regulation ``000``…``004`` (the profile's ``organisation.code``), or None if there is none."""
    path = map_path(regulation)
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    articles = []
    for key, entry in data["articles"].items():
        article = f"{regulation} {key}"
        items = tuple(ChecklistItem(id=i["id"], ja=i["ja"], kind=i["kind"], article=article, topic=entry["topic"],
                                    requirement=i.get("requirement", ""), rule=i.get("rule", ""))
                      for i in entry.get("checklist", ()))
        articles.append(ArticleMap(key=key, article=article, topic=entry["topic"],
                                   requirements=tuple(entry.get("requirements", ())),
                                   enforced=tuple(entry.get("enforced", ())), records=tuple(entry.get("records", ())),
                                   checklist=items, general=bool(entry.get("general")), open=entry.get("open", "")))
    return RegulationMap(regulation=str(data["regulation"]), version=int(data["version"]), articles=tuple(articles))
