"""The UI is Japanese first; choosing English in the header's language selector shows English pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


def _choose_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_sign_in_page_is_japanese_by_default(client, activate):
    activate("T99")
    body = client.get("/login/").content.decode()
    assert '<html lang="ja">' in body
    assert "サインイン" in body and "ユーザID" in body
    assert "Sign in" not in body


def test_after_choosing_english_the_sign_in_page_is_english(client, activate):
    activate("T99")
    _choose_english(client)
    body = client.get("/login/").content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body and "User ID" in body and "Password" in body
    assert "サインイン" not in body and "ユーザID" not in body and "パスワード" not in body
    assert "Specific Personal Information Security Management System" in body
    assert "特定個人情報等 安全管理システム" not in body


def test_an_english_browser_gets_the_english_sign_in_page(client, activate):
    activate("T99")
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in" in body and "サインイン" not in body


def test_the_dashboard_of_a_signed_in_user_is_english_after_choosing_english(client, activate, make_user):
    activate("T99")
    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    client.force_login(clerk)
    japanese = client.get("/").content.decode()
    assert "ダッシュボード" in japanese and "あなたの役割と指定" in japanese

    _choose_english(client)
    body = client.get("/").content.decode()
    assert "Dashboard" in body and "Your roles and designations" in body and "Sign out" in body
    assert "All operations are logged." in body
    for japanese_label in ("ダッシュボード", "あなたの役割と指定", "サインアウト", "操作はすべて記録されています。"):
        assert japanese_label not in body


def test_choosing_japanese_again_restores_japanese(client, activate, make_user):
    activate("T99")
    client.force_login(make_user("clerk", "clerk", tasks=["payroll"]))
    _choose_english(client)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    body = client.get("/").content.decode()
    assert "ダッシュボード" in body and "サインアウト" in body
    assert "Dashboard" not in body and "Sign out" not in body


def test_the_menu_and_the_vault_search_page_are_english_for_a_handler(client, activate, make_user, make_terminal):
    activate("T99")
    _terminal, credential = make_terminal()
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    client.force_login(make_user("clerk", "clerk", tasks=["payroll"]))
    _choose_english(client)
    body = client.get("/vault/search/").content.decode()
    assert "Search for a person" in body and "Search by" in body and "Name in kana" in body
    assert "Registered terminal" in body and "Sign-in methods" in body
    for japanese_label in ("本人の検索", "検索方法", "カナ氏名", "登録端末", "サインイン方法"):
        assert japanese_label not in body


def test_a_failed_sign_in_is_explained_in_english_after_choosing_english(client, activate, make_user):
    activate("T99")
    make_user("clerk", "clerk", tasks=["payroll"])
    _choose_english(client)
    body = client.post("/login/", {"username": "clerk", "password": "wrong"}).content.decode()
    assert "The user ID or password is incorrect." in body
    assert "ユーザIDまたはパスワードが正しくありません。" not in body


def test_the_operation_log_shows_results_in_english_after_choosing_english(client, activate, make_user):
    activate("T99")
    make_user("clerk", "clerk", tasks=["payroll"])
    client.post("/login/", {"username": "clerk", "password": "wrong"})  # logged as staff.sign_in_failed
    client.force_login(make_user("auditor", "auditor"))
    japanese = client.get("/log/").content.decode()
    assert "失敗" in japanese

    _choose_english(client)
    body = client.get("/log/").content.decode()
    assert "staff.sign_in_failed" in body and "Failed" in body and "Search the operation log" in body
    assert "失敗" not in body and "操作履歴の検索" not in body


def test_role_names_follow_the_page_language_and_fall_back_to_the_regulations_japanese(client, activate, make_user):
    activate("T99")  # the clerk role has an English name; the payroll task has none
    client.force_login(make_user("clerk", "clerk", tasks=["payroll"]))
    assert "<td>事務取扱担当者</td>" in client.get("/").content.decode()

    _choose_english(client)
    body = client.get("/").content.decode()
    assert "<td>Clerk</td>" in body and "事務取扱担当者" not in body
    assert "給与所得の源泉徴収票作成事務" in body



def _catalogue_entries(po_text: str) -> list[str]:
    return [e for e in po_text.split("\n\n")[1:] if "#~" not in e]  # the first block is the header


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is needed to extract messages")
def test_every_message_of_the_code_and_templates_has_an_english_text(tmp_path):
    """Extract the messages of today's code and templates into a copy of the catalogue (Django's
    makemessages): none may be missing or a fuzzy guess — gettext drops those, and an English reader
    would see Japanese."""
    source = Path(settings.BASE_DIR) / "tokutei"
    copy = tmp_path / "tokutei"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "static"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tokutei.settings_test"}
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "--no-location"],
                   cwd=copy, env=env, check=True, capture_output=True)
    entries = _catalogue_entries((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 500
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""')]
    assert not untranslated, "no English text: " + " | ".join(untranslated[:5])
    assert not fuzzy, "a guessed English text: " + " | ".join(fuzzy[:5])
