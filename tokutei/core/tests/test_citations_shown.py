"""Citations as people read them (issue 18 item 6): the regulation's name and 第N条第M項, never the
profile's machine form — on the profile page of every shipped profile too."""

from __future__ import annotations

import re

import pytest

from tokutei.profiles.citations import cite

SHIPPED = ["hyogo-kyosai", "sayama", "inabe", "kokubunji", "sendai-kyosai"]


def test_a_circled_sub_item_is_cited_in_the_article_form(activate):
    activate("hyogo-kyosai")
    assert cite("004 §14(3)②") == "取扱要綱第14条第3号②"


@pytest.mark.parametrize("name", SHIPPED)
def test_the_profile_page_shows_no_article_in_its_machine_form(activate, make_user, client, name):
    activate(name)
    client.force_login(make_user("miru", "handler" if name != "sayama" else "staff"))
    html = client.get("/profile/").content.decode()
    body = html.split("<main", 1)[1]
    assert "§" not in body and not re.search(r"\d+\(\d+\)", body)


def test_articles_inside_a_profiles_free_text_read_as_articles(activate):
    from tokutei.profiles.citations import cite_in_text

    activate("sendai-kyosai")
    assert cite_in_text("規程（§9 本人確認の措置、§18 事故対応）") == "規程（第9条 本人確認の措置、第18条 事故対応）"
    assert cite_in_text("住民基本台帳法 §30-9（年金）") == "住民基本台帳法第30条の9（年金）"
    assert cite_in_text("住民基本台帳法 §7(8の2); 番号法 §7") == "住民基本台帳法第7条第8号の2; 番号法第7条"
    assert cite_in_text("ポリシー（CISO、§39.4）") == "ポリシー（CISO、第39条第4項）"


def test_a_birth_date_reads_as_wareki_with_the_seireki_year_never_iso():
    from tokutei.vault.services.reading import _with_wareki

    assert _with_wareki("1960-01-01") == "昭和35年1月1日（1960年）"
