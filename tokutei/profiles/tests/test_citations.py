"""Articles as people read them: the regulation's short name and 第N条第M項, from the profile's form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from tokutei.profiles.citations import cite
from tokutei.profiles.loader import load_profile_file

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def hyogo():
    return load_profile_file(DATA / "hyogo-kyosai.yaml")


@pytest.fixture(scope="module")
def sendai():
    return load_profile_file(DATA / "sendai-kyosai.yaml")


@pytest.mark.parametrize(("article", "read"), [
    ("004 §14(7)", "取扱要綱第14条第7号"),
    ("004 §3(2)ハ", "取扱要綱第3条第2号ハ"),
    ("004 §14(6), §15", "取扱要綱第14条第6号、第15条"),
    ("004 §14(1)（一括取得に用いる）", "取扱要綱第14条第1号（一括取得に用いる）"),
    ("004 §14(7)（requirements §6）", "取扱要綱第14条第7号"),
    ("004 §9, 別紙1", "取扱要綱第9条、別紙1"),
    ("004 §11; 規則 §2(3)", "取扱要綱第11条；規則第2条第3号"),
])
def test_it_reads_the_hyogo_articles(hyogo, article, read):
    assert cite(article, hyogo) == read


@pytest.mark.parametrize(("article", "read"), [
    ("000 §11.3", "セキュリティ管理規程第11条第3項"),
    ("000 §22.2(7)", "セキュリティ管理規程第22条第2項第7号"),
    ("000 §1, §2, 附則", "セキュリティ管理規程第1条、第2条、附則"),
])
def test_it_reads_paragraphs_and_items(sendai, article, read):
    assert cite(article, sendai) == read


def test_a_range_reads_from_to(sendai):
    assert cite("000 §10–§16", sendai) == "セキュリティ管理規程第10条から第16条まで"


def test_english_reads_articles_in_english(hyogo):
    with translation.override("en"):
        assert cite("004 §14(7)", hyogo) == "Handling Guidelines Art. 14, item 7"


def test_no_article_reads_as_nothing(hyogo):
    assert cite("", hyogo) == cite("—", hyogo) == ""


@pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_article_reads_without_the_machine_form(path):
    """No 「§」, no requirement id is left for a user to decode, in any article of the five profiles."""
    profile = load_profile_file(path)
    for article in set(re.findall(r'article: "([^"]*)"', path.read_text(encoding="utf-8"))):
        read = cite(article, profile)
        assert "§" not in read and "requirements" not in read, (article, read)
        assert read.startswith(profile.organisation.short_ja) or read.startswith("規則"), (article, read)
