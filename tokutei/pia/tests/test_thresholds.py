"""The しきい値判断 as the rules file states it: each band and exemption, each with its source."""

from __future__ import annotations

import pytest

from tokutei.pia import rules_file
from tokutei.pia.rules_file import Inputs, evaluate

RULES = rules_file.load()


@pytest.mark.parametrize(("people", "handlers", "serious", "level", "rule"), [
    (999, 900, True, "none", "under_1000"),  # under 1,000: not required, whatever the other factors
    (1_000, 0, False, "basic", "1k_10k"),
    (9_999, 900, True, "basic", "1k_10k"),  # 1,000–9,999: 基礎項目 only, whatever the other factors
    (10_000, 499, False, "basic", "10k_100k"),
    (10_000, 500, False, "focused", "10k_100k_risk"),
    (99_999, 0, True, "focused", "10k_100k_risk"),
    (100_000, 499, False, "focused", "100k_300k"),
    (100_000, 500, False, "full", "100k_300k_risk"),
    (299_999, 0, True, "full", "100k_300k_risk"),
    (300_000, 0, False, "full", "over_300k"),
])
def test_it_gives_the_level_of_each_band(people, handlers, serious, level, rule):
    result = evaluate(RULES, Inputs(people=people, handlers=handlers, serious=serious))
    assert (result.level, result.rule_id) == (level, rule)
    assert result.version == RULES.version


def test_it_exempts_a_paper_only_file():
    assert evaluate(RULES, Inputs(people=50_000, handlers=10, serious=False, kind="紙ファイル")).level == "none"


def test_every_reason_cites_its_source_and_says_whether_it_was_verified():
    result = evaluate(RULES, Inputs(people=10_000, handlers=500, serious=False))
    assert [r.rule_id for r in result.reasons] == ["people", "handlers", "serious_incident", "10k_100k_risk"]
    for reason in result.reasons:
        assert reason.source.startswith(("特定個人情報保護評価指針", "特定個人情報保護評価に関する規則"))
        assert reason.verified in {"true", "partial", "false"}
    assert "取扱者数が500人以上" in result.reasons[-1].text


def test_every_band_and_exemption_in_the_file_names_a_source():
    for entry in RULES.entries():
        assert RULES.cite(entry["cite"]).split()[0] in {s["ja"] for s in RULES.source_refs()}, entry["id"]
        assert str(entry["cite"]["verified"]).lower() in {"true", "partial", "false"}, entry["id"]


def test_the_file_leaves_no_count_without_a_band():
    for people in (0, 1, 999, 1_000, 5_000, 10_000, 50_000, 100_000, 200_000, 300_000, 10_000_000):
        for handlers in (0, 499, 500, 10_000):
            for serious in (False, True):
                evaluate(RULES, Inputs(people=people, handlers=handlers, serious=serious))


def test_it_names_the_range_as_the_form_does():
    assert RULES.range_label(999, "people_ranges") == "1,000人未満"
    assert RULES.range_label(12_000, "people_ranges") == "1万人以上10万人未満"
    assert RULES.range_label(300_000, "people_ranges") == "30万人以上"
    assert RULES.range_label(500, "handlers_ranges") == "500人以上"
