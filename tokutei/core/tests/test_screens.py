"""The shell a Japanese office works in (issue 18 items 6 and 7): Japanese error pages inside the layout,
the terminal badge right after enrolment, the idle-logoff warning that keeps the session on a click, the
demo's one address (127.0.0.1 sent on to localhost)."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from tokutei.policy import Actor


def test_an_address_nobody_answers_is_a_japanese_page_for_a_visitor_too(client, org):
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404 and "ページが見つかりません" in html and "Not Found" not in html


def test_a_stale_form_is_refused_with_a_japanese_page_saying_what_to_do(org, clerk):
    c = Client(enforce_csrf_checks=True)
    c.force_login(clerk)
    page = c.post("/logout/", {})
    html = page.content.decode()
    assert page.status_code == 403 and "読み込み直して" in html and "CSRF" not in html


def test_a_server_error_page_is_japanese(rf, org):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "システムエラー" in html and "Server Error" not in html


def test_the_header_names_the_terminal_right_after_enrolment(client, org, sysadmin):
    from tokutei.staff import services

    _terminal, code = services.register_terminal(actor=Actor(user=sysadmin), name="年金課1")
    html = client.post("/terminal/enrol/", {"code": code}).content.decode()
    header = html.split("</header>")[0]
    assert "登録端末: 年金課1" in header and "未登録端末" not in header


def test_every_page_carries_the_idle_warning_with_its_keep_alive_address(client, org, clerk):
    client.force_login(clerk)
    html = client.get("/").content.decode()
    assert 'id="idle-warning"' in html and "操作を続ける" in html and 'data-keep-alive-url="/session/keep-alive/"' in html


def test_continuing_from_the_warning_keeps_the_session(client, org, clerk, settings):
    from tokutei.staff.middleware import IDLE_KEY

    client.force_login(clerk)
    client.get("/")
    session = client.session
    limit = org.authentication.idle_logoff_minutes * 60
    session[IDLE_KEY] = time.time() - limit + 30  # 30 s left: the warning is showing
    session.save()
    assert client.post("/session/keep-alive/").status_code == 200
    session = client.session
    session_after = float(session[IDLE_KEY])
    assert time.time() - session_after < 5  # the limit runs anew from the click
    assert client.get("/").status_code == 200  # still signed in


def test_keep_alive_after_the_limit_does_not_revive_the_session(client, org, clerk):
    from tokutei.staff.middleware import IDLE_KEY

    client.force_login(clerk)
    client.get("/")
    session = client.session
    session[IDLE_KEY] = time.time() - org.authentication.idle_logoff_minutes * 60 - 5
    session.save()
    response = client.post("/session/keep-alive/")
    assert response.status_code == 302 and "idle=1" in response["Location"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "[::1]:8000"])
def test_the_demo_sends_a_loopback_ip_on_to_localhost(client, org, settings, host):
    settings.CANONICAL_HOST = "localhost:8000"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "[::1]"]
    response = client.get("/login/?next=/vault/", HTTP_HOST=host)
    assert response.status_code == 302 and response["Location"] == "http://localhost:8000/login/?next=/vault/"
    assert client.get("/login/", HTTP_HOST="localhost:8000").status_code == 200


def test_without_a_canonical_host_nothing_is_redirected(client, org, settings):
    settings.CANONICAL_HOST = ""
    assert client.get("/login/", HTTP_HOST="127.0.0.1:8000").status_code == 200


def test_every_destructive_button_asks_for_confirmation_with_the_consequence():
    """A 'danger' button sends its form only after the confirmation (data-confirm, app.js)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = []
    for path in root.glob("*/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b.*?</form>", text, re.S):
            if 'class="danger"' in form and "data-confirm=" not in form.split(">", 1)[0]:
                missing.append(str(path.relative_to(root)))
    assert missing == []


def test_the_confirmation_dialog_is_on_every_page_and_safe_by_default(client, org, clerk):
    client.force_login(clerk)
    html = client.get("/").content.decode()
    dialog = html.split('id="confirm-dialog"', 1)[1].split("</dialog>")[0]
    assert "この操作は取り消せません" in dialog and "data-confirm-no autofocus" in dialog


def test_the_terminal_revocation_spells_out_what_follows(client, org, sysadmin):
    from tokutei.staff import services

    services.register_terminal(actor=Actor(user=sysadmin), name="年金課1")
    client.force_login(sysadmin)
    page = client.get("/staff/terminals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-confirm="[^"]*直ちに特定個人情報等を扱えなくなり', html)


def test_the_active_profile_page_shows_the_regulation_roles_tasks_and_rules(client, org, clerk):
    client.force_login(clerk)
    html = client.get("/profile/").content.decode()
    assert org.organisation.instrument in html
    assert all(t.ja in html for t in org.selectable_tasks().values())
    assert all(r.ja in html for r in org.roles.values())
    assert "無操作時の自動サインアウト" in html and f"{org.authentication.idle_logoff_minutes} 分" in html
    assert 'href="/profile/"' in client.get("/").content.decode()  # one click from every page


def test_no_page_relies_on_inline_styles_or_handlers_the_csp_blocks():
    """CSP style-src/script-src 'self': an inline <style> or onclick= does nothing in the browser (the print
    button of the registers' A4 page did not print)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for p in root.glob("*/templates/**/*.html")
                 if re.search(r"<style\b|\son(click|submit|change|load)=", p.read_text(encoding="utf-8"))]
    assert offenders == []
