"""A 個人番号 put into an address never comes back: not in a redirect, not in a hidden ``next`` field
(issue 19: the refusal page, the language form and the sign-in redirect echoed it)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.conf import settings
from django.test import Client

from tokutei.core.synthetic import my_number

NUMBER = my_number(7)
SPELLINGS = [NUMBER, f"{NUMBER[:4]}+{NUMBER[4:8]}+{NUMBER[8:]}", f"{NUMBER[:4]}.{NUMBER[4:8]}.{NUMBER[8:]}",
             "".join(f"%EF%BC%9{d}" for d in NUMBER), f"{NUMBER[:4]}%20{NUMBER[4:8]}%20{NUMBER[8:]}"]


def shows_number(text: str) -> bool:
    import unicodedata

    plain = unicodedata.normalize("NFKC", unquote(unquote(text)))
    return NUMBER in "".join(c for c in plain if c.isdigit())


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_sign_in_redirect_carries_no_number(org, spelling):
    r = Client().get(f"/vault/search/?value={spelling}")
    assert r.status_code == 302
    assert not shows_number(r["Location"]), r["Location"]
    page = Client().get(r["Location"]).content.decode()
    assert not shows_number(page)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_sign_in_page_does_not_echo_a_number_in_next(org, spelling):
    page = Client().get(f"/login/?next=/vault/search/%3Fvalue%3D{spelling}").content.decode()
    assert not shows_number(page)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_refusal_page_and_the_language_form_do_not_echo_a_number(clerk, make_terminal, spelling):
    _t, cred = make_terminal("窓口端末N")
    c = Client()
    c.force_login(clerk)
    c.cookies[settings.TERMINAL_COOKIE_NAME] = cred
    for path in (f"/vault/search/?value={spelling}", f"/vault/people/1/?q={spelling}"):
        r = c.get(path)  # no purpose chosen yet: the purpose form or the refusal page, each with ``next``
        html = r.content.decode()
        assert r.status_code in (200, 403, 404) and 'name="next"' in html
        assert not shows_number(html), path


def test_a_redirect_keeps_its_other_parameters(org):
    from tokutei.core.mynumber import clean_redirect

    assert clean_redirect(f"/login/?next=/vault/?v={NUMBER}&lang=ja") == "/login/?lang=ja"
    assert clean_redirect("/login/?next=/vault/people/5/") == "/login/?next=/vault/people/5/"
