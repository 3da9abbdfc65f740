"""The 別紙3 decision rule (004 別紙3, requirements §4.5, E-26) as one pure function.

    if the shortcut is claimed: both P-mark and no leak in 2 years, and the pattern allows it → 採用 (○)
    else:
      applicable = the items marked ○ for the pattern; only they are graded
      every applicable item graded A, B or C (— is not allowed on an applicable item), else no verdict
      any C → 不採用
      any B → each B needs its 改善措置等 (else refused); 採用 on condition the improvements are made
      otherwise → 採用

Whether a conditional adoption lets work go to the vendor before its improvements are closed is the
profile's flag (``b_grade_blocks_until_closed``, §6-6). Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tokutei.profiles.schema import VendorEvaluation, VendorItem

GRADES = ("A", "B", "C", "-")  # "-" is the form's 「—」 (該当しない)
ADOPTED, CONDITIONAL, REJECTED = "adopted", "conditional", "rejected"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """The verdict (None: the sheet cannot be decided) and why."""

    verdict: str | None
    shortcut: bool = False
    problems: tuple[Problem, ...] = ()
    improvements: tuple[str, ...] = field(default=())  # the B items whose improvement is to be tracked

    @property
    def decided(self) -> bool:
        return self.verdict is not None


def applicable(ve: VendorEvaluation, pattern: str) -> list[VendorItem]:
    """The items marked ○ in the pattern's column (評価方法)."""
    return [item for item in ve.items if pattern in item.patterns]


def decide(ve: VendorEvaluation, *, pattern: str, grades: Mapping[str, str], improvements: Mapping[str, str],
           pmark: bool | None = None, no_leak_2y: bool | None = None, claim_shortcut: bool = False) -> Result:
    """The 最終判定 of one sheet, exactly per E-26."""
    if pattern not in ("I", "II", "III", "IV"):
        return Result(None, problems=(Problem("pattern", _("委託パターンを選択してください")),))
    if claim_shortcut:
        if pattern not in ve.shortcut_patterns:
            return Result(None, problems=(Problem("shortcut_pattern", _(
                "委託パターン%(p)sでは、プライバシーマーク等による評価項目の省略はできません") % {"p": pattern}),))
        if not (pmark is True and no_leak_2y is True):
            return Result(None, problems=(Problem("shortcut_unmet", _(
                "評価項目の省略には、プライバシーマーク付与事業者であり、かつ過去2年間に漏えい事故がないことが必要です")),))
        return Result(ADOPTED, shortcut=True)
    items = applicable(ve, pattern)
    numbers = {item.no for item in items}
    stray = tuple(no for no, grade in grades.items() if no not in numbers and (grade or "").strip())
    if stray:
        return Result(None, problems=(Problem("not_applicable", _(
            "委託パターン%(p)sに該当しない項目が判定されています: %(n)s") % {"p": pattern, "n": "、".join(stray)},
            stray),))
    ungraded = tuple(item.no for item in items if grades.get(item.no) not in ("A", "B", "C"))
    if ungraded:
        return Result(None, problems=(Problem("ungraded", _(
            "委託パターン%(p)sで「○」の項目は、すべて A・B・C で判定してください（未判定: %(n)s）")
            % {"p": pattern, "n": "、".join(ungraded)}, ungraded),))
    if any(grades[item.no] == "C" for item in items):
        return Result(REJECTED)
    b_items = tuple(item.no for item in items if grades[item.no] == "B")
    if b_items:
        missing = tuple(no for no in b_items if not (improvements.get(no) or "").strip())
        if missing:
            return Result(None, problems=(Problem("b_without_improvement", _(
                "判定 B の項目には「改善措置等」を記入してください（未記入: %(n)s）") % {"n": "、".join(missing)},
                missing),))
        return Result(CONDITIONAL, improvements=b_items)
    return Result(ADOPTED)


def blocks_work(ve: VendorEvaluation, verdict: str, open_improvements: int) -> bool:
    """Does this verdict keep work from the vendor now? 不採用 always; a conditional adoption while an
    improvement is open, where the profile makes that blocking."""
    if verdict == REJECTED or not verdict:
        return True
    return verdict == CONDITIONAL and ve.b_grade_blocks_until_closed and open_improvements > 0
