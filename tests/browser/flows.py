"""The main flows of every role, in a real browser, written once and run on two profiles (004, 000).

Each flow is what an office does in a day — the clerk's intake, the second person's check, a search and a
reveal, an export, a carry-out with its approvals, the auditor's log search and verification, a register
printed on A4 — driven through the pages only. Every page visited is checked for horizontal scrolling at
1366×768 (``look``). The profile test modules (test_flows_004.py, test_flows_000.py) name the people.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .office import (
    Office,
    choose_record,
    field,
    fill,
    look,
    pdf_first_page,
    pdf_pages,
    record_number,
    select_option_matching,
    use_purpose,
)

# What a clerk types for each kind of field (the labels are the profile's: 生年月日 in one, 出生の年月日 in another).
BY_KIND = {"name": "試験 花子", "kana": "シケン ハナコ", "date": "昭和50年4月1日", "sex": "女", "address": "県庁所在地1-1"}
PERSON = {"氏名": BY_KIND["name"]}


def a_number(seed: int) -> str:
    from tokutei.core.synthetic import with_check_digit

    return with_check_digit(87654321000 + seed)


def grouped(number: str) -> re.Pattern[str]:
    """The number as the page may show it: 1234 5678 9012 or 123456789012."""
    return re.compile(r"\s?".join(number[i:i + 4] for i in (0, 4, 8)))


def intake(page, *, profile, task: str, number: str, shot: str) -> int:
    """A clerk enters a person from a document the person presented (本人からの提供, 個人番号カード)."""
    page.get_by_role("link", name="特定個人情報ファイル").first.click()
    use_purpose(page, task)
    look(page, f"{shot}-files")
    page.get_by_role("row").filter(has_text="全事務").get_by_role("link", name="本人の登録").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("本人の登録")
    fill(page, "個人番号", number)
    for spec in profile.fields.values():
        if spec.kind in BY_KIND and field(page, spec.ja).count():
            fill(page, spec.ja, BY_KIND[spec.kind])
    route = page.get_by_label(re.compile(r"^\s*取得経路"))
    if route.count():
        select_option_matching(route, "本人")
        page.get_by_role("radio", name=re.compile("本人確認書類の提示")).check()
        page.get_by_role("checkbox", name="個人番号カード", exact=True).check()
    look(page, f"{shot}-intake")
    page.get_by_role("button", name="登録").click()
    status = page.get_by_role("status").filter(has_text="登録しました")
    expect(status).to_be_visible()
    look(page)
    return record_number(status.inner_text())


def confirm_as_second_person(page, *, task: str, number: str, entered_by: str, shot: str) -> None:
    """Another clerk re-enters the number from the source document and confirms the entry."""
    page.get_by_role("link", name=re.compile("確認待ち")).first.click()
    use_purpose(page, task)
    look(page, f"{shot}-queue")
    page.get_by_role("row").filter(has_text=entered_by).get_by_role("link", name="確認する").click()
    expect(page.get_by_text(PERSON["氏名"])).to_be_visible()
    expect(page.get_by_text(grouped(number))).to_have_count(0)  # masked until asked for
    page.get_by_label(re.compile("個人番号（再入力")).fill(number)
    page.get_by_role("checkbox", name=re.compile("原票と一致")).check()
    look(page, f"{shot}-confirm")
    page.get_by_role("button", name="確認済みにする").click()
    expect(page.get_by_role("status").filter(has_text="確認済み")).to_be_visible()
    look(page)


def search_and_reveal(page, *, task: str, number: str, shot: str) -> None:
    """Find the person by 個人番号, open the record, and reveal the number (a logged operation)."""
    page.get_by_role("link", name="本人の検索").first.click()
    use_purpose(page, task)
    page.get_by_label(re.compile(r"^\s*個人番号 / ")).fill(number)
    page.get_by_role("button", name="検索").click()
    results = page.get_by_role("heading", name=re.compile("検索結果")).locator("xpath=following::table[1]")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and one person
    expect(results).to_contain_text("確認済")
    look(page, f"{shot}-search")
    results.get_by_role("link").first.click()
    expect(page.get_by_text(PERSON["氏名"])).to_be_visible()
    expect(page.get_by_text(grouped(number))).to_have_count(0)
    page.get_by_role("button", name=re.compile("個人番号を表示")).click()
    expect(page.get_by_text(grouped(number))).to_be_visible()
    look(page, f"{shot}-reveal")


def export(page, *, task: str, recipient: str, bulk_approval: int | None, shot: str) -> str:
    """Export the task's people as an encrypted file; the passphrase is shown once. Returns the passphrase."""
    page.get_by_role("link", name=re.compile("出力（暗号化ファイル）")).first.click()
    select_option_matching(page.get_by_label(re.compile("事務（利用目的）")), re.escape(task))
    fill(page, "受領者（提供先）", recipient)
    if bulk_approval is not None:
        choose_record(page, "大量取扱いの承認", bulk_approval)
    look(page, f"{shot}-export-form")
    page.get_by_role("button", name="出力する").click()
    expect(page.get_by_role("heading", name="出力しました")).to_be_visible()
    passphrase = page.locator("code").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9]{5}(-[A-Z0-9]{5}){4}", passphrase)
    look(page, f"{shot}-export-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="暗号化ファイルをダウンロード").click()
    assert download.value.suggested_filename
    return passphrase


def request_approval(page, *, operation: str, task: str | None = None, limit: int | None = None,
                     carry_out: int | None = None, carry_out_to: str = "", reason: str, shot: str) -> int:
    """Ask for an approval of ``operation`` (the profile's name of it): the kind is chosen from the list of
    operations, then its own form is filled (a carry-out chosen by its number or whom it goes to); returns
    the request's number."""
    page.get_by_role("link", name="承認・申請").first.click()
    page.get_by_role("link", name="承認を申請する").click()
    page.get_by_role("link", name=re.compile(re.escape(operation))).first.click()
    if task is not None:
        select_option_matching(page.get_by_label(re.compile(r"事務（利用目的）")), re.escape(task))
    if limit is not None:
        page.get_by_label(re.compile("件数の上限")).fill(str(limit))
    if carry_out is not None:
        choose_record(page, "持出し（持出し前の記録）", carry_out, text=carry_out_to)
    page.get_by_label(re.compile("申請理由")).fill(reason)
    look(page, f"{shot}-approval-request")
    page.get_by_role("button", name=re.compile("送信|申請する")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("#")
    look(page)
    return record_number(page.get_by_role("heading", level=1).inner_text())


def confirm(page) -> None:
    """An irreversible action asks first, spelling out its consequence: go ahead (実行する)."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="実行する").click()


def approve(page, *, number: int, shot: str | None = None) -> None:
    """An approver opens the request from the list of requests waiting for them and approves it."""
    page.get_by_role("link", name="承認・申請").first.click()
    waiting = page.get_by_role("region", name=re.compile("承認待ち"))
    look(page, f"{shot}-approvals" if shot else None)
    waiting.get_by_role("link", name=f"#{number}", exact=True).click()
    look(page, f"{shot}-approval-detail" if shot else None)
    page.get_by_role("button", name="承認する").click()
    confirm(page)
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_be_visible()
    look(page)


def plan_carry_out(page, *, task: str, counterpart: str, medium: str, protection: str, shot: str) -> int:
    """Record a planned carry-out (持出しの計画): whom it goes to, what, how it is protected."""
    page.get_by_role("link", name="持出し", exact=True).first.click()
    fill(page, "相手方", counterpart)
    fill(page, "記録媒体の種類", medium)
    fill(page, "数量", "1")
    fill(page, "記録件数", "3")
    page.get_by_role("checkbox", name=protection).check()
    select_option_matching(page.get_by_label(re.compile("持出しの目的")), re.escape(task))
    fill(page, "目的の説明", "定例の提出")
    look(page, f"{shot}-carry-out-form")
    page.get_by_role("button", name="記録").click()
    expect(page.get_by_role("status").filter(has_text="記録しました")).to_be_visible()
    expect(page.get_by_text("持出し前").first).to_be_visible()
    look(page)
    return record_number(page.get_by_role("heading", level=1).inner_text())


def carry_out(page, *, number: int, approval: int | None, shot: str) -> None:
    """Open the carry-out and record that the medium left (with its approval where the profile asks one)."""
    page.get_by_role("link", name="持出し", exact=True).first.click()
    page.get_by_role("link", name=f"#{number}", exact=True).click()
    if approval is not None:
        expect(page.get_by_text("承認済")).to_be_visible()
        choose_record(page, "承認番号|承認", approval)
    look(page, f"{shot}-carry-out-detail")
    page.get_by_role("button", name="持ち出したことを記録").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_be_visible()
    expect(page.get_by_text("持出し前")).to_have_count(0)
    look(page)


def search_log_and_verify(page, *, operation: str, user: str, shot: str) -> None:
    """The auditor filters the log by operation and user, opens an entry, and verifies the whole chain."""
    page.get_by_role("link", name=re.compile("操作履歴")).first.click()
    expect(page.get_by_role("heading", name="操作履歴の検索")).to_be_visible()
    select_option_matching(page.get_by_role("combobox", name=re.compile(r"^\s*操作")), re.escape(operation))
    user_field = page.get_by_label(re.compile(r"^\s*(ユーザID|ユーザ|職員)"))
    if user_field.evaluate("e => e.tagName") == "SELECT":
        select_option_matching(user_field, re.escape(user))
    else:
        user_field.fill(user)
    page.get_by_role("button", name="検索").click()
    results = page.get_by_role("table").last
    expect(results).to_contain_text(operation)
    look(page, f"{shot}-log-search")
    results.get_by_role("link").first.click()
    expect(page.get_by_text(operation).first).to_be_visible()
    look(page, f"{shot}-log-entry")
    page.get_by_role("link", name=re.compile("完全性")).first.click()
    page.get_by_role("button", name=re.compile("検証する")).click()
    expect(page.get_by_text(re.compile("検証しました.*(異常はありません|問題ありません)|改ざん.*(ありません|検出されませんでした)")).first).to_be_visible()
    look(page, f"{shot}-log-verified")


def print_register(page, *, link: str, title: str, shot: str, row: str | None = None) -> None:
    """Open a register's print view: it prints on A4 (pages counted in Chromium's PDF) and, in print media,
    its tables fit the page width (no column cut off)."""
    scope = page.get_by_role("row").filter(has_text=row) if row else page
    anchor = scope.get_by_role("link", name=link).first
    if anchor.get_attribute("target") == "_blank":
        with page.context.expect_page() as opened:
            anchor.click()
        page = opened.value
    else:
        anchor.click()
    expect(page.get_by_text(title).first).to_be_visible()
    look(page, f"{shot}-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf_pages(pdf) >= 1
    pdf_first_page(pdf, f"{shot}-a4")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4's 190 mm between 10 mm margins, at 96 dpi
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"印刷で右端が切れます (scrollWidth {widths[0]} > {widths[1]})"


def reveal_through_service(username: str) -> None:
    """``username`` reveals one confirmed person of their task on the terminal, as the person page does."""
    from tokutei.core.inforce import in_force_q
    from tokutei.policy import Actor
    from tokutei.staff.models import RoleAssignment, Terminal, User
    from tokutei.vault.models import Person
    from tokutei.vault.services.reading import get_person, view_person

    user = User.objects.get(username=username)
    tasks = [t for a in RoleAssignment.objects.filter(in_force_q(), user=user) for t in a.tasks]
    person = Person.objects.filter(status=Person.Status.CONFIRMED, task__in=tasks).order_by("pk").first()
    assert person is not None
    actor = Actor(user=user, terminal=Terminal.objects.get(name="窓口端末1"), purpose=person.task)
    view_person(actor=actor, person=get_person(actor=actor, pk=person.pk, action=Action_reveal()), reveal=True)


def Action_reveal():
    from tokutei.auditlog.actions import Action

    return Action.VAULT_REVEAL


__all__ = ["Office", "approve", "carry_out", "confirm_as_second_person", "export", "intake", "plan_carry_out",
           "print_register", "request_approval", "search_and_reveal", "search_log_and_verify"]
