"""The vault pages: purpose per session, search by POST, masked view and logged reveal, intake checklist,
second-person queue, correction form; refusals render the 403 page with the article."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tokutei.auditlog.models import Entry
from tokutei.policy import Actor
from tokutei.vault.models import Person
from tokutei.vault.services import intake_person

from .test_intake import full_width, number


def signed_in(user, credential) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    return c


@pytest.fixture
def term(make_terminal):
    return make_terminal("窓口端末W")


@pytest.fixture
def person(clerk, term, payroll_file):
    return intake_person(actor=Actor(user=clerk, terminal=term[0], purpose="payroll"), file=payroll_file,
                         values={"my_number": number(31), "name": "山田 太郎", "birth_date": "1960-01-01"}).person


def test_a_clerk_chooses_a_purpose_searches_and_reveals(clerk, term, person):
    c = signed_in(clerk, term[1])
    page = c.get("/vault/search/")
    assert "利用目的（事務）を選択してください" in page.content.decode()
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/vault/search/"})
    page = c.post("/vault/search/", {"by": "my_number", "value": full_width(number(31))})
    html = page.content.decode()
    assert f"#{person.pk}" in html and number(31) not in html
    page = c.get(f"/vault/people/{person.pk}/")
    html = page.content.decode()
    assert "●●●● ●●●● ●●●●" in html and number(31) not in html and "山田 太郎" in html
    page = c.post(f"/vault/people/{person.pk}/", {"reveal": "1"}, headers={"HX-Request": "true"})
    n = number(31)
    assert f"{n[:4]} {n[4:8]} {n[8:]}" in page.content.decode()  # grouped as on the card
    assert Entry.objects.filter(action="vault.reveal", target_id=str(person.pk), purpose="payroll").exists()


def test_an_unregistered_terminal_sees_the_refusal_page(clerk, person):
    c = Client()
    c.force_login(clerk)
    page = c.get(f"/vault/people/{person.pk}/?purpose=payroll")
    assert page.status_code == 403
    assert "登録端末" in page.content.decode()


def test_a_view_outside_the_purpose_is_refused_with_the_article(clerk, term, person):
    c = signed_in(clerk, term[1])
    page = c.get(f"/vault/people/{person.pk}/?purpose=insurance")
    assert page.status_code == 403
    assert "範囲外" in page.content.decode()


def test_intake_checklist_and_second_person_queue(handler, checker, make_terminal, pension_file):
    _t, cred = make_terminal("年金課端末")
    c = signed_in(handler, cred)
    page = c.get(f"/vault/files/{pension_file.pk}/intake/?purpose=pension")
    html = page.content.decode()
    assert "個人番号カード" in html and "代理人の書類" in html
    bad = number(55)[:11] + str((int(number(55)[11]) + 1) % 10)
    page = c.post(f"/vault/files/{pension_file.pk}/intake/", {
        "f_my_number": bad, "f_name": "山田 太郎", "channel": "from_person", "route": "documents",
        "documents": ["my_number_card"], "presentation": "original"})
    html = page.content.decode()
    assert "チェックデジットが正しくありません" in html and bad not in html
    page = c.post(f"/vault/files/{pension_file.pk}/intake/", {
        "f_my_number": full_width(number(55)), "f_name": "山田 太郎", "channel": "from_person",
        "route": "documents", "documents": ["my_number_card"], "presentation": "original"})
    assert page.status_code == 302
    person = Person.objects.get()
    assert person.status == "unconfirmed"
    assert "自分の入力" in c.get("/vault/queue/").content.decode()
    # The person who entered the number cannot confirm it: the page says so (no server error), nothing changes.
    page = c.post(f"/vault/people/{person.pk}/confirm/", {"checks": ["re_entry"], "my_number": number(55)})
    html = page.content.decode()
    assert page.status_code == 200 and "入力した本人は確認できません" in html and "テスト要綱第14条第3号" in html
    assert number(55) not in html
    c2 = signed_in(checker, cred)
    c2.get("/vault/queue/?purpose=pension")
    page = c2.post(f"/vault/people/{person.pk}/confirm/", {"checks": ["re_entry"], "my_number": number(56)})
    assert page.status_code == 200 and number(56) not in page.content.decode()
    person.refresh_from_db()
    assert person.status == "unconfirmed"
    c2.get("/vault/queue/?purpose=pension")
    page = c2.post(f"/vault/people/{person.pk}/confirm/", {"checks": ["re_entry"], "my_number": number(55)})
    assert page.status_code == 302
    person.refresh_from_db()
    assert person.status == "confirmed" and person.confirmed_by == checker


def test_the_correction_form_records_the_instructor(clerk, clerk2, term, person):
    c = signed_in(clerk, term[1])
    c.get("/vault/?purpose=payroll")
    page = c.post(f"/vault/people/{person.pk}/correct/", {"f_address": "兵庫県神戸市中央区1-1",
                                                          "instructed_by": clerk2.pk, "reason": "届出"})
    assert page.status_code == 302
    entry = Entry.objects.filter(action="vault.correct").get()
    assert entry.details["instructed_by"] == clerk2.pk and entry.details["fields"] == ["address"]


def test_the_files_page_lists_files_for_the_purpose(clerk, term, payroll_file, person):
    c = signed_in(clerk, term[1])
    html = c.get("/vault/?purpose=payroll").content.decode()
    assert "給与ファイル" in html


def test_a_purpose_outside_the_scope_is_refused_and_never_kept(clerk, term, person):
    c = signed_in(clerk, term[1])
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/vault/search/"})
    page = c.get(f"/vault/people/{person.pk}/?purpose=insurance")
    assert page.status_code == 403
    assert Entry.objects.filter(action="vault.view", result="refused", purpose="insurance").exists()
    assert c.session.get("vault_purpose") == "payroll"
    page = c.get(f"/vault/people/{person.pk}/")
    assert page.status_code == 200  # still the clerk's own purpose
    page = c.post("/vault/purpose/", {"purpose": "insurance", "next": "/vault/search/"}, follow=True)
    assert "指定の範囲外" in page.content.decode()


def test_the_dashboard_card_shows_the_number_waiting_for_confirmation(clerk2, term, payroll_file, person):
    import re

    c = signed_in(clerk2, term[1])
    # The count is of the task chosen for the session (the menu asks the policy like the pages do).
    assert not re.search(r"入力の確認待ち（他の職員の入力）: <strong>\d+</strong> 件", c.get("/").content.decode())
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/vault/"})
    html = c.get("/").content.decode()
    assert re.search(r"入力の確認待ち（他の職員の入力）: <strong>\d+</strong> 件", html)
