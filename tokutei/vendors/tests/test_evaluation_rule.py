"""別紙3: the verdict follows the rule of requirements §4.5 / E-26 for every pattern and grade combination.

The oracle below is written from the form's text (評価方法, 選定基準, ※2), independently of the code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokutei.vendors import evaluation


def _ve():
    from pathlib import Path

    import yaml

    from tokutei.profiles.schema import Profile

    path = Path(__file__).resolve().parents[2] / "profiles" / "data" / "hyogo-kyosai.yaml"
    return Profile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).outsourcing.vendor_evaluation


VE = _ve()
COLUMNS = {  # the form's ○ per pattern, counted by hand from 別紙3
    "I": [str(n) for n in range(1, 17)], "II": [str(n) for n in range(1, 21)],
    "III": [str(n) for n in range(1, 7)], "IV": ["1", "2", "3", "5", "6"]}


def oracle(pattern, grades, improvements, pmark, no_leak, claim):
    if claim:
        if pattern != "I" or not (pmark and no_leak):
            return None
        return "adopted"
    marked = COLUMNS[pattern]
    if any(grades.get(no) for no in grades if no not in marked):
        return None
    if any(grades.get(no) not in ("A", "B", "C") for no in marked):
        return None
    if "C" in [grades[no] for no in marked]:
        return "rejected"
    bs = [no for no in marked if grades[no] == "B"]
    if bs:
        return None if any(not improvements.get(no, "").strip() for no in bs) else "conditional"
    return "adopted"


@st.composite
def sheets(draw):
    pattern = draw(st.sampled_from(["I", "II", "III", "IV"]))
    # mostly the pattern's items, graded; sometimes an ungraded/— one, sometimes a stray grade
    marked = COLUMNS[pattern]
    grades = {no: draw(st.sampled_from(["A", "A", "B", "C", "-", ""]) if draw(st.booleans()) else
                       st.sampled_from(["A", "B"])) for no in marked}
    if draw(st.integers(0, 9)) == 0:
        other = [str(n) for n in range(1, 21) if str(n) not in marked]
        if other:
            grades[draw(st.sampled_from(other))] = draw(st.sampled_from(["A", "B", "C"]))
    improvements = {no: draw(st.sampled_from(["", " ", "手順書を改訂予定（令和8年度中）"])) for no in grades
                    if grades[no] == "B"}
    return (pattern, grades, improvements, draw(st.booleans()), draw(st.booleans()),
            draw(st.integers(0, 4)) == 0)


@settings(max_examples=600, deadline=None)
@given(sheets())
def test_the_verdict_is_exactly_the_rule_of_the_form(sheet):
    pattern, grades, improvements, pmark, no_leak, claim = sheet
    result = evaluation.decide(VE, pattern=pattern, grades=grades, improvements=improvements, pmark=pmark,
                               no_leak_2y=no_leak, claim_shortcut=claim)
    assert result.verdict == oracle(*sheet)
    if result.verdict is None:
        assert result.problems and result.problems[0].message
    if result.verdict == "conditional":
        assert set(result.improvements) == {no for no in COLUMNS[pattern] if grades[no] == "B"}


@pytest.mark.parametrize("pattern", ["I", "II", "III", "IV"])
@pytest.mark.parametrize("grade", ["A", "B", "C", "-"])
def test_every_pattern_and_grade_one_item_at_a_time(pattern, grade):
    """All A but one item at ``grade``: A → 採用, B with 改善措置 → 条件付, B without → refused,
    C → 不採用, — on an applicable item → no verdict."""
    marked = COLUMNS[pattern]
    for no in marked:
        grades = {n: "A" for n in marked} | {no: grade}
        plain = evaluation.decide(VE, pattern=pattern, grades=grades, improvements={})
        noted = evaluation.decide(VE, pattern=pattern, grades=grades, improvements={no: "改善計画を提出済み"})
        expected = {"A": ("adopted", "adopted"), "B": (None, "conditional"), "C": ("rejected", "rejected"),
                    "-": (None, None)}[grade]
        assert (plain.verdict, noted.verdict) == expected, (pattern, no, grade)
    if grade == "-":
        assert plain.problems[0].code == "ungraded"
    if grade == "B":
        assert plain.problems[0].code == "b_without_improvement"


def test_the_items_per_pattern_are_the_forms_columns():
    assert {p: [i.no for i in evaluation.applicable(VE, p)] for p in COLUMNS} == COLUMNS


def test_the_shortcut_needs_both_pmark_and_no_leak_and_pattern_i():
    all_blank: dict[str, str] = {}
    assert evaluation.decide(VE, pattern="I", grades=all_blank, improvements={}, pmark=True, no_leak_2y=True,
                             claim_shortcut=True).verdict == "adopted"
    for pmark, no_leak in ((True, False), (False, True), (None, True)):
        r = evaluation.decide(VE, pattern="I", grades=all_blank, improvements={}, pmark=pmark, no_leak_2y=no_leak,
                              claim_shortcut=True)
        assert r.verdict is None and r.problems[0].code == "shortcut_unmet"
    r = evaluation.decide(VE, pattern="II", grades=all_blank, improvements={}, pmark=True, no_leak_2y=True,
                          claim_shortcut=True)
    assert r.verdict is None and r.problems[0].code == "shortcut_pattern"


def test_a_conditional_adoption_blocks_work_only_where_the_profile_says_so():
    assert not evaluation.blocks_work(VE, "conditional", 2)
    blocking = VE.model_copy(update={"b_grade_blocks_until_closed": True})
    assert evaluation.blocks_work(blocking, "conditional", 1)
    assert not evaluation.blocks_work(blocking, "conditional", 0)
    assert evaluation.blocks_work(VE, "rejected", 0)
