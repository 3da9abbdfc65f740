"""The article-by-article maps (tokutei/audits/maps/*.yaml) cover every article of every regulation, and
what they claim the system enforces is enforced: the rule has a registered action and the tests named for
it exist."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from tokutei.auditlog.actions import lookup
from tokutei.audits.maps import MAPS, ROOT, controls, named_test_exists, regulation_map

# The regulations' texts sit beside the repository (../shared/regulations, as requirements.md does).
REGULATIONS = Path(os.environ.get("TOKUTEI_REGULATIONS_DIR", ROOT.parent / "shared" / "regulations"))
if not REGULATIONS.is_dir():
    REGULATIONS = Path("/work/shared/regulations")
PROFILES = Path(__file__).resolve().parents[2] / "profiles" / "data"
CODES = ["000", "001", "002", "003", "004"]

ARTICLE = re.compile(r"^\s*(?:[-*]\s*)?第\s*([0-9]+)\s*条(?:の\s*([0-9]+))?(?=\s)", re.M)
ANNEX = re.compile(r"^\s*(別表|別紙\s*[0-9]*|別記様式|附\s*則)", re.M)


def articles_of_text(text: str) -> list[str]:
    """Every article (第N条 → §N, 第N条のM → §N-M) and annex heading (別表, 別紙N, 別記様式, 附則) of a text."""
    text = unicodedata.normalize("NFKC", text)
    found = [f"§{m.group(1)}" + (f"-{m.group(2)}" if m.group(2) else "") for m in ARTICLE.finditer(text)]
    found += [re.sub(r"\s", "", m.group(1)) for m in ANNEX.finditer(text)]
    return list(dict.fromkeys(found))


def regulation_text(code: str) -> str:
    files = sorted(REGULATIONS.glob(f"{code}_*.txt"))
    if not files:
        pytest.skip(f"the text of regulation {code} is not beside the repository ({REGULATIONS})")
    return files[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("code", CODES)
def test_every_article_of_the_regulation_text_is_in_its_map(code):
    reg = regulation_map(code)
    assert reg is not None and reg.regulation == code and reg.version >= 1
    in_text = articles_of_text(regulation_text(code))
    assert len(in_text) >= 16  # the extractor found the articles (sanity: the shortest regulation has 16)
    missing = [a for a in in_text if reg.article(a) is None]
    assert missing == []


@pytest.mark.parametrize("code", CODES)
def test_every_article_in_a_map_is_one_of_the_regulation(code):
    """No invented article: each entry is an article of the text, or an annex the text names."""
    text = unicodedata.normalize("NFKC", regulation_text(code))
    in_text = set(articles_of_text(text))
    raw = yaml.safe_load((MAPS / f"{code}.yaml").read_text(encoding="utf-8"))["articles"]
    for art in regulation_map(code).articles:  # type: ignore[union-attr]
        assert art.key in in_text or art.key in text.replace(" ", "") or raw[art.key].get("absent_from_text"), art.key


def test_the_extractor_reads_full_width_and_spaced_article_numbers():
    text = "（目的）\n第１条 この規程は\n第 19 条 職員は\n- 第41条 監査責任者は\n第2条の2 追加\n附 則\n別紙1\n"
    assert articles_of_text(text) == ["§1", "§19", "§41", "§2-2", "附則", "別紙1"]


def test_every_shipped_profile_has_the_map_of_its_regulation():
    for path in sorted(PROFILES.glob("*.yaml")):
        code = yaml.safe_load(path.read_text(encoding="utf-8"))["organisation"]["code"]
        assert (MAPS / f"{code}.yaml").is_file(), path.name


@pytest.mark.parametrize("code", CODES)
def test_every_article_has_an_honest_status(code):
    known = controls()
    ids = set()
    for art in regulation_map(code).articles:  # type: ignore[union-attr]
        assert art.enforced or art.records or art.checklist or art.general or art.open, art.key
        for rule in art.enforced:
            assert known[rule].status == "enforced" and known[rule].tested, (art.key, rule)
        for item in art.checklist:
            assert item.id not in ids, item.id
            ids.add(item.id)
            if item.kind == "ENF":  # a rule the system does not enforce is checked by hand, never claimed
                assert known[item.rule].status == "open", (art.key, item.rule)
        for code_ in art.records:
            assert lookup(code_) is not None, (art.key, code_)


def test_an_enforced_control_names_registered_actions_and_existing_tests():
    for key, control in controls().items():
        if control.status != "enforced":
            assert not control.tests, key
            continue
        assert control.tests and all(named_test_exists(t) for t in control.tests), key
        for action in control.actions:
            assert lookup(action) is not None, (key, action)  # its refusals are logged under this code


def test_a_missing_test_is_noticed():
    assert not named_test_exists("tokutei/audits/tests/test_maps.py::test_that_does_not_exist")
    assert named_test_exists("tokutei/audits/tests/test_maps.py::test_a_missing_test_is_noticed")
