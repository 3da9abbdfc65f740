"""本人確認 at intake, per route (issue 18 item 3; 004 §8): the page shows each route's documents in their own
group (JavaScript hides the others), and without JavaScript the server refuses a document that does not
belong to the route chosen."""

from __future__ import annotations

import re

import pytest

from tokutei.vault.models import Person

from .test_hyogo import hyogo, nenkin, pension  # noqa: F401  (fixtures)
from .test_intake import number
from .test_web import signed_in


@pytest.fixture
def page(nenkin, pension, make_terminal):  # noqa: F811
    _terminal, token = make_terminal("窓口端末R")
    c = signed_in(nenkin[0], token)
    c.post("/vault/purpose/", {"purpose": "p1_ha", "next": "/vault/files/"})
    return c, f"/vault/files/{pension.pk}/intake/"


def _group(html: str, value: str) -> str:
    box = re.search(rf'<div data-routes="([^"]+)"><label[^>]*><input[^>]*value="{value}"', html)
    assert box, value
    return box[1]


def test_each_document_is_shown_for_the_routes_it_belongs_to(page):
    c, url = page
    html = c.get(url).content.decode()
    assert "data-route-choice" in html
    assert _group(html, "my_number_card") == "documents preprinted"  # a 番号確認書類: also for the returned print
    assert _group(html, "identity_document") == "documents"
    assert re.search(r'data-routes="agent">.*?authority_document', html, re.S)
    assert "<script>" not in html and " style=" not in html  # app.js does it (the CSP forbids inline code)


def test_without_javascript_a_document_of_another_route_is_refused(page):
    c, url = page
    html = c.post(url, {"f_my_number": number(61), "f_name": "山田 太郎", "f_birth_date": "昭和30年4月1日",
                        "channel": "agent", "route": "agent", "presentation": "original", "documents": ["my_number_card"],
                        "agent_documents": ["authority_document", "agent_identity",
                                            "principal_number_document"]}).content.decode()
    assert "その方法の書類だけを選択してください" in html and not Person.objects.exists()


def test_the_returned_print_takes_number_documents_only(page):
    c, url = page
    html = c.post(url, {"f_my_number": number(62), "f_name": "山田 太郎", "f_birth_date": "昭和30年4月1日",
                        "channel": "person", "route": "preprinted", "presentation": "original",
                        "documents": ["my_number_card", "identity_document"],
                        "preprinted_match": "on"}).content.decode()
    assert "番号確認書類だけを選択してください" in html and not Person.objects.exists()


def test_the_routes_own_documents_register_the_person(page):
    c, url = page
    c.post(url, {"f_my_number": number(63), "f_name": "山田 太郎", "f_birth_date": "昭和30年4月1日",
                 "channel": "agent", "route": "agent", "presentation": "original",  # hidden, still sent
                 "agent_documents": ["authority_document", "agent_identity", "principal_number_document"]})
    assert Person.objects.count() == 1
