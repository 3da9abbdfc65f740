import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import MINIMAL_PROFILE

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_japanese_and_loads_nothing_from_outside(client, activate):
    activate("T99")
    response = client.get(reverse("staff:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert "サインイン" in html
    for url in re.findall(r'(?:src|href|action)="([^"]+)"', html):
        assert not re.match(r"^(https?:)?//", url), f"external reference {url}"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]


def test_english_can_be_chosen(client, activate):
    activate("T99")
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    html = client.get(reverse("staff:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html


def test_dashboard_needs_sign_in(client, activate):
    activate("T99")
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_no_template_or_static_file_references_a_cdn():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*"):
        if path.suffix not in {".html", ".css"} or "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", text) or re.search(r"@import\s+url\(\s*['\"]?https?:", text):
            offenders.append(str(path))
    assert offenders == []


def test_init_creates_the_organisation_and_a_first_admin(settings, capsys):
    from tokutei.auditlog.models import Entry
    from tokutei.profiles.models import ActiveProfile
    from tokutei.staff.models import User

    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, MINIMAL_PROFILE.parent]
    call_command("init", profile="T99", admin="kanri")
    out = capsys.readouterr().out
    assert "初期化しました" in out and "kanri" in out
    admin = User.objects.get(username="kanri")
    assert admin.must_change_password
    assert set(admin.assignments.values_list("role_key", flat=True)) == {"sysadmin"}
    assert ActiveProfile.objects.get().org_code == "T99"
    assert Entry.objects.filter(action="system.init").count() == 1


def test_init_writes_the_profile_units_and_posts_and_logs_them(settings):
    """Units and posts are rows from the profile, written here (not when a page is first opened)."""
    from tokutei.auditlog.models import Entry
    from tokutei.staff.models import Post, Unit

    call_command("init", profile="hyogo-kyosai", admin="kanri")
    assert set(Unit.objects.values_list("key", flat=True)) == {"jimukyoku", "nenkin"}
    assert Post.objects.filter(key="nenkin_kacho", unit__key="nenkin").exists()
    entry = Entry.objects.get(action="system.init")
    assert entry.details["units"] == 2 and entry.details["posts"] == 2


def test_init_refuses_an_initialised_database(activate, settings):
    from django.core.management.base import CommandError

    activate("T99")
    with pytest.raises(CommandError, match="既に初期化"):
        call_command("init", profile="T99")


def test_init_can_declare_the_data_centre_site_where_the_profile_forbids_own_servers(settings, capsys):
    from tokutei.vault.services import installation_site

    call_command("init", profile="hyogo-kyosai", site="data_centre")
    assert installation_site() == "data_centre"
    assert "注意: この組織の規程" not in capsys.readouterr().out


def test_init_warns_when_the_profile_forbids_own_servers_and_no_site_is_declared(capsys):
    call_command("init", profile="hyogo-kyosai")
    out = capsys.readouterr().out
    assert "vault_site" in out
    assert "取扱要綱第14条第4号" in out, "the article as the organisation's staff read it"
    assert "004 §14(4)" not in out


def test_the_openapi_document_describes_each_search_with_its_own_schema(client, activate):
    activate("T99")
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "by" in schemas["VaultSearchIn"]["properties"]
    body = doc["paths"]["/api/v1/vault/search"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/VaultSearchIn")
