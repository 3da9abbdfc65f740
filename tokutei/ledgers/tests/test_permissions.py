"""Who may open which ledger page (T97 roles): generated over every role × page."""

from __future__ import annotations

import pytest
from django.urls import reverse

PAGES = {
    "handling": ("ledgers:handling", []),
    "handling_new": ("ledgers:handling_new", []),
    "handling_export": ("ledgers:handling_export", []),
    "files": ("ledgers:file_register", []),
    "room_entry": ("ledgers:register", ["room_entry"]),
    "room_entry_new": ("ledgers:register_new", ["room_entry"]),
    "key_custody_new": ("ledgers:register_new", ["key_custody"]),
}

ALLOWED = {
    "clerk": {"handling", "handling_new", "handling_export", "files"},
    "manager": {"handling", "handling_export", "files", "room_entry", "key_custody_new"},
    "sysadmin": {"handling", "handling_export", "files", "room_entry", "room_entry_new"},
    "auditor": {"handling", "handling_export", "files", "room_entry"},
    None: set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("page", list(PAGES))
def test_each_role_reaches_exactly_its_pages(org, client, make_user, role, page):
    user = make_user("someone", *([role] if role else []), tasks=["payroll"] if role == "clerk" else [])
    client.force_login(user)
    name, args = PAGES[page]
    status = client.get(reverse(name, args=args)).status_code
    assert status == (200 if page in ALLOWED[role] else 403)
