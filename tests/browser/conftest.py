"""Browser tests: Debian chromium driven by Playwright (sync API) against pytest-django's live server.

Skipped cleanly when /usr/bin/chromium is missing (CI installs it). Never `playwright install`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told this is safe (it is: the test and the live server use their own connections).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("TOKUTEI_CHROMIUM", "/usr/bin/chromium"))  # another path: to try the skip
VIEWPORT = {"width": 1366, "height": 768}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):  # .ci/run installs it: a missing browser there is a failure, not a skip
            pytest.fail("/usr/bin/chromium is missing on CI")
        pytest.skip("/usr/bin/chromium がありません (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    # 1366×768: the smallest screen of an office PC the screens must fit without horizontal scrolling.
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport=VIEWPORT)
    page = context.new_page()
    # Generous waits: on CI's two cores the browser shares them with the other test worker. A wait only
    # lasts this long when something is wrong, so a real failure still fails (later).
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    yield page
    context.close()


@pytest.fixture
def org(activate, transactional_db):
    from tokutei.staff.services import ensure_org_structure

    profile = activate("T99")
    ensure_org_structure()
    return profile


@pytest.fixture
def clerk(org, make_user):
    from tokutei.staff.models import Unit

    return make_user("clerk", "clerk", tasks=["payroll"], unit=Unit.objects.get(key="somu"))


@pytest.fixture
def signed_in(live_server):
    """signed_in(page, user): put a real server-side session for ``user`` into the browser."""
    from django.conf import settings
    from django.test import Client

    def _sign_in(page, user):
        client = Client()
        client.force_login(user)
        session = client.session
        import time

        from tokutei.staff.middleware import IDLE_KEY

        session[IDLE_KEY] = time.time()
        session.save()
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                                   "url": live_server.url}])

    return _sign_in


@pytest.fixture
def office(transactional_db, live_server, make_terminal, signed_in, monkeypatch):
    """office("hyogo-kyosai") → an Office: the profile initialised as ``tokutei init`` does, the demo data of
    every app (``tokutei demo``: staff for every role, files, synthetic people, pending approvals) and one
    registered terminal; ``office.sign_in(page, "handler2")`` makes that page a signed-in session of the
    demo user on the terminal (server-side, as after a real sign-in: the WebAuthn page has its own test)."""
    from .office import Office

    def _office(profile: str, *, people: int = 40, unconfirmed: int = 12) -> Office:
        return Office.start(profile, live_server=live_server, make_terminal=make_terminal, signed_in=signed_in,
                            monkeypatch=monkeypatch, people=people, unconfirmed=unconfirmed)

    return _office
