"""Every record book prints on A4 with its columns whole and its pages numbered (issue 17, item 5): the print
pages wrap their table in the print sheet, whose static stylesheet fixes the table to the page's width and
wraps its cells (an inline style would be blocked by the Content-Security-Policy)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tokutei.ledgers.tests.test_every_profile import PROFILES
from tokutei.ledgers.tests.test_real_profiles import _shipped


def test_the_print_sheet_is_a4_with_whole_columns_repeated_headers_and_page_numbers():
    # The table rules are the registers' print rules (css/app.css, on every page); the sheet is landscape.
    ledgers, app = (open(str(finders.find(name)), encoding="utf-8").read() for name in ("ledgers/ledgers.css", "css/app.css"))
    assert "size: A4 landscape" in ledgers and "counter(page)" in ledgers
    for rule in (".print-sheet table { width: 100%; table-layout: auto", ".print-sheet td { overflow-wrap: anywhere",
                 ".print-sheet thead { display: table-header-group"):
        assert rule in app, rule


@pytest.mark.parametrize("name", PROFILES)
def test_every_print_page_of_the_record_books_uses_the_print_sheet(activate, make_user, client, name):
    _shipped(name)
    profile = activate(name)
    client.force_login(make_user("everyone", *profile.roles, tasks=list(profile.selectable_tasks())))
    urls = [reverse("ledgers:handling_print"), reverse("ledgers:file_register_print"),
            *(reverse("ledgers:register_print", args=[k]) for k in profile.registers)]
    for url in urls:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert 'class="print-sheet"' in html and "ledgers/ledgers.css" in html, url
        assert "<style" not in html and "onclick" not in html, url
