"""Vault screens a clerk can work with (issue 18 items 3 and 5): search results that confirm the person,
a revealed number grouped and hidden again, the correction form with the current values and a history in
field names, 性別 chosen, a date that does not exist answered as such, every problem of an entry at once."""

from __future__ import annotations

import re

import pytest

from tokutei.policy import Actor
from tokutei.vault.models import PersonCorrection
from tokutei.vault.services import intake_person

from .test_intake import number
from .test_web import signed_in


@pytest.fixture
def term(make_terminal):
    return make_terminal("窓口端末S")


@pytest.fixture
def person(clerk, term, payroll_file):
    return intake_person(actor=Actor(user=clerk, terminal=term[0], purpose="payroll"), file=payroll_file,
                         values={"my_number": number(31), "name": "山田 太郎", "birth_date": "1960-01-01",
                                 "address": "仙台市青葉区1-1"}).person


def _kept(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} on the page"
    return found[1]


def _with_purpose(clerk, term, purpose="payroll"):
    c = signed_in(clerk, term[1])
    c.post("/vault/purpose/", {"purpose": purpose, "next": "/vault/search/"})
    return c


def test_search_results_show_the_name_and_birth_date_and_label_the_internal_number(clerk, term, person):
    c = _with_purpose(clerk, term)
    html = c.post("/vault/search/", {"by": "my_number", "value": number(31)}).content.decode()
    table = html.split("検索結果", 1)[1]
    assert "山田 太郎" in table and "昭和35年1月1日" in table and "給与ファイル" in table
    assert "個人番号ではありません" in table and number(31) not in html
    assert "住所" not in table.split("</thead>")[0]  # only what confirms the person, not every field


def test_a_revealed_number_is_grouped_in_fours_and_can_be_hidden_again(clerk, term, person):
    c = _with_purpose(clerk, term)
    shown = c.post(f"/vault/people/{person.pk}/", {"reveal": "1"}, headers={"HX-Request": "true"}).content.decode()
    n = number(31)
    assert f"{n[:4]} {n[4:8]} {n[8:]}" in shown and "個人番号を隠す" in shown
    hidden = c.post(f"/vault/people/{person.pk}/", {"reveal": "0"}, headers={"HX-Request": "true"}).content.decode()
    assert n[:4] not in hidden and "●●●● ●●●● ●●●●" in hidden and "個人番号を表示" in hidden


def test_the_correction_form_shows_the_current_values_and_the_history_names_fields(clerk, clerk2, term, person):
    c = _with_purpose(clerk, term)
    form = c.get(f"/vault/people/{person.pk}/correct/").content.decode()
    assert "現在: 仙台市青葉区1-1" in form and "現在: ●●●● ●●●● ●●●●" in form and number(31) not in form
    c.post(f"/vault/people/{person.pk}/correct/", {"f_address": "仙台市泉区2-2", "instructed_by": clerk2.pk,
                                                   "reason": "転居届"})
    assert PersonCorrection.objects.filter(person=person).exists()
    page = c.get(f"/vault/people/{person.pk}/").content.decode()
    history = page.split("訂正履歴", 1)[1]
    assert "<td>住所</td>" in history and "address" not in history


def test_the_intake_form_offers_sex_as_a_choice(make_user, t99, term):
    from tokutei.vault.services import create_file

    insurer = make_user("hoken", "clerk", tasks=["insurance"])
    f = create_file(actor=Actor(user=insurer, terminal=term[0]), name="健保ファイル", tasks=["insurance"])
    c = _with_purpose(insurer, term, "insurance")
    html = c.get(f"/vault/files/{f.pk}/intake/").content.decode()
    assert re.search(r'<select name="f_sex"[^>]*>.*<option value="男">男</option>.*<option value="女">女</option>',
                     html, re.S)


def test_it_answers_thirteenth_month_as_no_such_date_and_shows_every_problem_at_once(clerk, term, payroll_file):
    c = _with_purpose(clerk, term)
    bad = number(40)[:11] + str((int(number(40)[11]) + 1) % 10)
    html = c.post(f"/vault/files/{payroll_file.pk}/intake/", {
        "f_my_number": bad, "f_name": "", "f_birth_date": "昭和35年13月40日"}).content.decode()
    assert "存在しない日付です" in html and "形で入力してください" not in html
    assert "チェックデジットが正しくありません" in html  # the first refusal …
    assert html.count('class="errorlist') >= 2  # … and the others beside their fields, in the same answer
    assert "昭和35年13月40日" in html and bad not in html  # the input is kept, the number never echoed


def test_after_a_refusal_the_number_is_kept_masked_and_never_written_into_the_page(clerk, term, payroll_file):
    c = _with_purpose(clerk, term)
    n = number(41)
    html = c.post(f"/vault/files/{payroll_file.pk}/intake/", {
        "f_my_number": f"{n[:4]}-{n[4:8]}-{n[8:]}", "f_name": "", "f_birth_date": "昭和35年13月40日"}).content.decode()
    assert "存在しない日付です" in html
    assert n not in html and f"{n[:4]} {n[4:8]}" not in html and n[:8] not in html
    assert f"＊＊＊＊ ＊＊＊＊ {n[8:]}" in html and "入力済み・変更する場合は再入力" in html
    token = _kept(html, "kept_f_my_number")
    assert n not in token
    # the clerk corrects the other fields only: the kept number is used
    done = c.post(f"/vault/files/{payroll_file.pk}/intake/", {
        "f_my_number": "", "kept_f_my_number": token, "f_name": "山田 花子", "f_birth_date": "昭和35年4月1日",
        "f_address": "仙台市青葉区1-1"}, follow=True).content.decode()
    assert "を登録しました" in done and n not in done
    from tokutei.vault.services import search_people

    found = search_people(actor=Actor(user=clerk, terminal=term[0], purpose="payroll"), by="my_number", value=n)
    assert len(found) == 1


def test_a_kept_number_opens_only_in_the_session_that_kept_it(clerk, term, payroll_file):
    c = _with_purpose(clerk, term)
    n = number(42)
    html = c.post(f"/vault/files/{payroll_file.pk}/intake/", {
        "f_my_number": n, "f_name": "", "f_birth_date": "昭和35年13月40日"}).content.decode()
    token = _kept(html, "kept_f_my_number")
    other = _with_purpose(clerk, term)  # another sign-in: another session
    again = other.post(f"/vault/files/{payroll_file.pk}/intake/", {
        "f_my_number": "", "kept_f_my_number": token, "f_name": "山田 花子", "f_birth_date": "昭和35年4月1日",
        "f_address": "仙台市青葉区1-1"}).content.decode()
    assert "を登録しました" not in again and "入力済み" not in again


def test_a_wrong_number_is_not_kept(clerk, term, payroll_file):
    c = _with_purpose(clerk, term)
    bad = number(43)[:11] + str((int(number(43)[11]) + 1) % 10)
    html = c.post(f"/vault/files/{payroll_file.pk}/intake/", {"f_my_number": bad, "f_name": ""}).content.decode()
    assert "kept_f_my_number" not in html and "入力済み" not in html


def test_the_purpose_is_chosen_in_the_search_form_and_the_search_runs_for_it(clerk, term, person):
    c = signed_in(clerk, term[1])  # no purpose chosen yet
    html = c.post("/vault/search/", {"purpose": "payroll", "by": "my_number", "value": number(31)}).content.decode()
    assert "検索結果" in html and "山田 太郎" in html
    assert c.session["vault_purpose"] == "payroll"


def test_choosing_the_purpose_keeps_the_terms_typed_and_the_number_masked(clerk, term, person):
    c = signed_in(clerk, term[1])
    n = number(31)
    html = c.post("/vault/search/", {"purpose": "payroll", "choose_only": "1", "by": "my_number", "value": n,
                                     "kana": "ヤマダ タロウ"}).content.decode()
    assert "検索結果" not in html and c.session["vault_purpose"] == "payroll"
    assert 'value="ヤマダ タロウ"' in html and n not in html and f"＊＊＊＊ ＊＊＊＊ {n[8:]}" in html
    token = _kept(html, "kept_value")
    found = c.post("/vault/search/", {"purpose": "payroll", "by": "my_number", "value": "",
                                      "kept_value": token}).content.decode()
    assert "検索結果" in found and "山田 太郎" in found and n not in found


def test_a_purpose_outside_the_designation_is_refused_in_the_search_form_and_nothing_is_searched(clerk, term,
                                                                                                  person):
    c = _with_purpose(clerk, term)
    html = c.post("/vault/search/", {"purpose": "pension", "by": "my_number", "value": number(31)}).content.decode()
    assert "検索結果" not in html and "利用目的は変更していません" in html
    assert c.session["vault_purpose"] == "payroll"
