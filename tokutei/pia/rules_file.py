"""The versioned rules file of the PIA threshold assessment (しきい値判断) and its evaluation.

The thresholds are national (番号法, 特定個人情報保護評価に関する規則, 特定個人情報保護評価指針), the same for
every organisation, so they are not profile data: they are ``data/thresholds.yaml``, a versioned file whose
every band and exemption names its source and whether it was checked against the official text. The code
names the concepts (people, handlers, serious incident) and applies the file top-down; it holds no number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tokutei.core.jdates import to_wareki

RULES_FILE = Path(__file__).parent / "data" / "thresholds.yaml"


@dataclass(frozen=True)
class Reason:
    """One step of the judgement, as people read it, with its source."""

    text: str
    source: str  # 「特定個人情報保護評価に関する規則 第5条（基礎項目評価）」
    verified: str  # "true" / "partial" / "false" (the rules file's own statement)
    rule_id: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "source": self.source, "verified": self.verified, "rule": self.rule_id}


@dataclass(frozen=True)
class Inputs:
    people: int
    handlers: int
    serious: bool
    kind: str = ""


@dataclass(frozen=True)
class Result:
    level: str
    rule_id: str
    reasons: list[Reason] = field(default_factory=list)
    version: str = ""


@dataclass(frozen=True)
class Rules:
    data: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.data["version"])

    def level_ja(self, level: str) -> str:
        return str(self.data["levels"].get(level, {}).get("ja", level))

    def level_order(self, level: str) -> int:
        return int(self.data["levels"].get(level, {}).get("order", -1))

    def levels(self) -> dict[str, dict[str, Any]]:
        return dict(self.data["levels"])

    def cite(self, cite: dict[str, Any] | None) -> str:
        if not cite:
            return ""
        source = self.data["sources"].get(cite.get("source", ""), {})
        return f"{source.get('ja', cite.get('source', ''))} {cite.get('at', '')}".strip()

    def source_refs(self) -> list[dict[str, str]]:
        return [{"key": k, "ja": v["ja"], "ref": v.get("ref", "")} for k, v in self.data["sources"].items()]

    def factor(self, key: str) -> dict[str, Any]:
        return dict(self.data["factors"][key])

    @property
    def lookback_days(self) -> int:
        return int(self.data["serious_incident"]["lookback_days"])

    @property
    def serious_counts(self) -> list[str]:
        return list(self.data["serious_incident"].get("counts", []))

    def entries(self) -> list[dict[str, Any]]:
        """Every exemption and band, for the page that shows where each comes from."""
        return [*self.data.get("exemptions", []), *self.data.get("bands", [])]

    def range_label(self, value: int, key: str) -> str:
        """「1万人以上10万人未満」: the 評価書's range for a count (people_ranges / handlers_ranges)."""
        edges = [int(x) for x in self.data.get(key, [])]
        lower = None
        for edge in edges:
            if value < edge:
                return (f"{_num(lower)}人以上{_num(edge)}人未満" if lower is not None else f"{_num(edge)}人未満")
            lower = edge
        return f"{_num(lower)}人以上" if lower is not None else f"{value}人"


def _num(n: int | None) -> str:
    if n is None:
        return ""
    if n >= 10000 and n % 10000 == 0:
        return f"{n // 10000}万"
    return f"{n:,}"


def _matches(when: dict[str, Any], inputs: Inputs) -> bool:
    if "people_gte" in when and inputs.people < int(when["people_gte"]):
        return False
    if "people_lt" in when and inputs.people >= int(when["people_lt"]):
        return False
    if "kind_contains" in when and not any(word in (inputs.kind or "") for word in when["kind_contains"]):
        return False
    anyof = when.get("any")
    if anyof:
        hits = []
        if "handlers_gte" in anyof:
            hits.append(inputs.handlers >= int(anyof["handlers_gte"]))
        if anyof.get("serious"):
            hits.append(inputs.serious)
        if not any(hits):
            return False
    return True


def evaluate(rules: Rules, inputs: Inputs) -> Result:
    """The level the rules file requires for ``inputs``: the first exemption (auto) or band that applies."""
    facts = [
        Reason(f"対象人数 {inputs.people:,}人（{rules.range_label(inputs.people, 'people_ranges')}）",
               rules.cite(rules.factor("people").get("cite")), str(rules.factor("people")["cite"]["verified"]).lower(),
               "people"),
        Reason(f"取扱者数 {inputs.handlers:,}人（{rules.range_label(inputs.handlers, 'handlers_ranges')}）",
               rules.cite(rules.factor("handlers").get("cite")),
               str(rules.factor("handlers")["cite"]["verified"]).lower(), "handlers"),
        Reason("重大事故の発生あり（過去1年以内）" if inputs.serious else "重大事故の発生なし（過去1年以内）",
               rules.cite(rules.data["serious_incident"].get("cite")),
               str(rules.data["serious_incident"]["cite"]["verified"]).lower(), "serious_incident"),
    ]
    for entry in rules.data.get("exemptions", []):
        if entry.get("auto") and _matches(entry.get("when", {}), inputs):
            return Result("none", entry["id"], [*facts, _reason(rules, entry)], rules.version)
    for entry in rules.data.get("bands", []):
        if _matches(entry.get("when", {}), inputs):
            return Result(entry["level"], entry["id"], [*facts, _reason(rules, entry)], rules.version)
    raise ValueError(f"the rules file {rules.version} has no band for {inputs}")  # a gap in the file


def _reason(rules: Rules, entry: dict[str, Any]) -> Reason:
    level = entry.get("level", "none")
    return Reason(f"{entry['ja']} → {rules.level_ja(level)}", rules.cite(entry.get("cite")),
                  str(entry.get("cite", {}).get("verified", "false")).lower(), entry["id"])


@lru_cache(maxsize=4)
def _load(path: str) -> Rules:
    with open(path, encoding="utf-8") as fh:
        return Rules(yaml.safe_load(fh))


def load(path: Path | None = None) -> Rules:
    return _load(str(path or RULES_FILE))


def version_label(version: object) -> str:
    """A version of the rules file as people read dates: 「令和6年10月1日」 for ``2024-10-01``; else unchanged."""
    import datetime as dt

    try:
        return to_wareki(dt.date.fromisoformat(str(version)))
    except ValueError:
        return str(version)
