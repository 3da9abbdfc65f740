"""The staff JSON API: the terminal header and the personal-data guard over JSON."""

from __future__ import annotations


def test_the_api_reports_roles_and_the_terminal_from_the_header(client, clerk, make_terminal):
    _terminal, credential = make_terminal("窓口端末1")
    client.force_login(clerk)
    data = client.get("/api/v1/staff/me", headers={"X-Tokutei-Terminal": credential}).json()
    assert data["terminal"] == "窓口端末1" and data["assignments"][0]["tasks"] == ["payroll"]


def test_the_api_guard_refuses_an_unregistered_terminal_with_403_and_the_article(client, clerk, org, make_terminal):
    client.force_login(clerk)
    response = client.get("/api/v1/staff/personal-data-access")
    assert response.status_code == 403 and response.json()["article"] == org.authentication.article
    _terminal, credential = make_terminal()
    ok = client.get("/api/v1/staff/personal-data-access", headers={"X-Tokutei-Terminal": credential})
    assert ok.status_code == 200 and ok.json() == {"allowed": True}
