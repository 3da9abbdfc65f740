"""Who may open which staff page: every role of every shipped profile × every staff page, web and API.

What each role may reach is read from the profile as the regulations put it (not from the rule book):
the system administrator (``administers_system``) runs staff, posts, terminals and credentials; the
designating roles (``designated_by`` of some role) and the administrator keep the operator register and
designate; the password-only exception is recorded by its ``granted_by`` roles; a designated handler on
a registered terminal sees their own scope. Every refusal is in the log with the profile's article, and
the menu shows exactly the pages that open.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from tokutei.auditlog.models import Entry
from tokutei.profiles.citations import cite

DATA = Path(__file__).resolve().parents[2] / "profiles" / "data"
CASES = []
for path in sorted(DATA.glob("*.yaml")):
    roles = yaml.safe_load(path.read_text(encoding="utf-8"))["roles"]
    CASES += [(path.stem, role) for role in [*roles, None]]

ADMIN_PAGES = ("staff:staff_list", "staff:staff_create", "staff:staff_detail", "staff:posts", "staff:terminals",
               "staff:provisioning")
DESIGNATOR_PAGES = ("staff:register", "staff:designation_create")
PAGES = (*ADMIN_PAGES, *DESIGNATOR_PAGES, "staff:password_only", "staff:my_scope")
MENU_PAGES = {"staff:staff_list", "staff:posts", "staff:terminals", "staff:provisioning", *DESIGNATOR_PAGES,
              "staff:password_only", "staff:my_scope"}


def expected_pages(profile, role_key: str | None) -> set[str]:
    if role_key is None:
        return set()
    role = profile.roles[role_key]
    designators = {k for r in profile.roles.values() for k in r.designated_by}
    pages = set()
    if role.administers_system:
        pages |= set(ADMIN_PAGES) | set(DESIGNATOR_PAGES)
    if role_key in designators:
        pages |= set(DESIGNATOR_PAGES)
    exception = profile.authentication.password_only_exception
    if exception.allowed and role_key in exception.granted_by:
        pages.add("staff:password_only")
    if role.handles_data:
        pages.add("staff:my_scope")
    return pages


def from_the_profile(article: str, profile) -> bool:
    """The article is one of the profile's (roles, authentication), or several of them joined."""
    auth = profile.authentication
    rest = article
    for known in sorted({r.article for r in profile.roles.values()} | {auth.article,
                        auth.password_only_exception.article}, key=len, reverse=True):
        rest = rest.replace(known, "")
    return rest.replace(";", "").strip() == ""


def _url(name: str, user) -> str:
    return reverse(name, args=[user.pk]) if name == "staff:staff_detail" else reverse(name)


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_each_role_reaches_exactly_its_staff_pages_and_every_refusal_is_logged(
        activate, make_user, make_terminal, client, profile_name, role):
    profile = activate(profile_name)
    tasks = list(profile.selectable_tasks())[:1]
    user = make_user("someone", *([role] if role else []),
                     tasks=tasks if role and profile.roles[role].handles_data else [])
    _terminal, credential = make_terminal()
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    client.force_login(user)
    allowed = expected_pages(profile, role)
    menu = {item.url for item in client.get(reverse("core:dashboard")).context["nav_items"]}
    for name in PAGES:
        before = Entry.objects.filter(result="refused").count()
        response = client.get(_url(name, user))
        if name in allowed:
            assert response.status_code == 200, (name, role)
            assert Entry.objects.filter(result="refused").count() == before
        else:
            assert response.status_code == 403, (name, role)
            refusal = Entry.objects.filter(result="refused").latest("seq")
            assert Entry.objects.filter(result="refused").count() == before + 1, (name, role)
            assert refusal.actor_id == user.pk and refusal.article, (name, role)
            assert from_the_profile(refusal.article, profile), (name, role, refusal.article)
            assert cite(refusal.article, profile) in response.content.decode()  # as the profile cites it
        if name in MENU_PAGES:
            assert (_url(name, user) in menu) is (name in allowed), (name, role)  # menu and page agree


@pytest.mark.parametrize(("profile_name", "role"), CASES)
def test_the_api_answers_personal_data_access_only_for_a_designated_handler(
        activate, make_user, make_terminal, client, profile_name, role):
    profile = activate(profile_name)
    handles = bool(role) and profile.roles[role].handles_data
    user = make_user("someone", *([role] if role else []), tasks=list(profile.selectable_tasks())[:1] if handles else [])
    _terminal, credential = make_terminal()
    client.force_login(user)
    url = "/api/v1/staff/personal-data-access"
    if profile.authentication.terminals_required:
        assert client.get(url).status_code == 403  # no terminal: refused whatever the role
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    response = client.get(url)
    assert response.status_code == (200 if handles else 403)
    if not handles:
        refusal = Entry.objects.filter(action="staff.access", result="refused").latest("seq")
        assert refusal.article == response.json()["article"] and refusal.article
