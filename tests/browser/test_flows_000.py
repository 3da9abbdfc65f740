"""The main flows of every role on profile 000 (仙台市職員共済組合, 住基ネットのセキュリティ管理規程), in Chromium.

000 has no second-person check of an entry; handling more than the profile's bulk threshold needs the
本人確認情報管理責任者's prior approval, and carrying a medium outside needs two approvals by two different
people (本人確認情報管理責任者 and 住基ネットシステム管理者). The system administrator reads the log. The
people are the demo's: operator1 (システム操作者), jimukyoku_jicho (本人確認情報管理責任者), somu_kakaricho
(住基ネットシステム管理者).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import flows
from .office import task_label

pytestmark = pytest.mark.browser
PROFILE = "sendai-kyosai"


def test_an_operator_enters_a_person_then_finds_and_reveals_the_number(page, office):
    o = office(PROFILE)
    task = task_label(o, "operator1")
    number = flows.a_number(5)
    o.sign_in(page, "operator1")
    page.goto("/")
    flows.look(page, "000-operator-dashboard")
    flows.intake(page, profile=o.profile, task=task, number=number, shot="000-operator")
    flows.search_and_reveal(page, task=task, number=number, shot="000-operator")


def test_a_bulk_export_is_made_with_the_managers_prior_approval(page, office):
    o = office(PROFILE)
    task = task_label(o, "operator1")
    o.sign_in(page, "operator1")
    page.goto("/")
    approval = flows.request_approval(page, operation="大量の本人確認情報の取扱い", task=task, limit=5000,
                                      reason="年次の現況確認のため全件を出力", shot="000-operator-bulk")
    o.sign_in(page, "jimukyoku_jicho")
    page.goto("/")
    flows.look(page, "000-manager-dashboard")
    flows.approve(page, number=approval, shot="000-manager-bulk")
    o.sign_in(page, "operator1")
    page.goto("/")
    flows.export(page, task=task, recipient="地方公共団体情報システム機構", bulk_approval=approval,
                 shot="000-operator")


def test_a_bulk_export_without_the_approval_is_refused(page, office):
    o = office(PROFILE)
    o.sign_in(page, "operator1")
    page.goto("/registers/exports/")
    flows.select_option_matching(page.get_by_label(re.compile("事務（利用目的）")), re.escape(task_label(o, "operator1")))
    flows.fill(page, "受領者（提供先）", "地方公共団体情報システム機構")
    page.get_by_role("button", name="出力する").click()
    expect(page.get_by_role("heading", name="出力しました")).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="承認が必要")).to_be_visible()
    flows.look(page)


def test_a_medium_is_carried_out_only_after_two_different_people_approve(page, office):
    o = office(PROFILE)
    task = task_label(o, "operator1")
    o.sign_in(page, "operator1")
    page.goto("/")
    carry = flows.plan_carry_out(page, task=task, counterpart="地方公共団体情報システム機構", medium="光ディスク",
                                 protection="施錠できる容器の使用", shot="000-operator")
    approval = flows.request_approval(page, operation="記録媒体の外部への持出し", carry_out=carry,
                                      carry_out_to="地方公共団体情報システム機構", reason="住基ネット連携データの提出", shot="000-operator-carry-out")
    o.sign_in(page, "jimukyoku_jicho")
    page.goto("/")
    flows.approve(page, number=approval, shot="000-manager-carry-out")
    page.goto(f"/approvals/{approval}/")  # one approver is not enough: the second step is still open
    expect(page.get_by_text(re.compile("未承認"))).to_contain_text("住基ネットシステム管理者")
    o.sign_in(page, "somu_kakaricho")
    page.goto("/")
    flows.look(page, "000-sysadmin-dashboard")
    flows.approve(page, number=approval, shot="000-sysadmin-carry-out")
    o.sign_in(page, "operator1")
    page.goto("/")
    flows.carry_out(page, number=carry, approval=approval, shot="000-operator")


def test_the_system_administrator_finds_a_reveal_in_the_log_and_verifies_the_chain(page, office):
    o = office(PROFILE)
    flows.reveal_through_service("operator1")
    o.sign_in(page, "somu_kakaricho")
    page.goto("/")
    flows.search_log_and_verify(page, operation="個人番号の表示", user="operator1", shot="000-sysadmin")


def test_the_carry_out_register_prints_on_a4(page, office):
    o = office(PROFILE)
    o.sign_in(page, "jimukyoku_jicho")
    page.goto("/")
    page.get_by_role("link", name="台帳の印刷・Excel").first.click()
    flows.look(page, "000-manager-registers")
    flows.print_register(page, link="印刷", row="持出しの記録", title="持出し", shot="000-manager-carry-outs")


def test_the_approval_request_offers_the_carry_outs_to_choose_from(page, office):
    """A carry-out is asked for by choosing the clerk's own planned carry-out, not by typing its number."""
    o = office(PROFILE)
    o.sign_in(page, "operator1")
    page.goto("/approvals/new/")
    page.get_by_role("link", name=re.compile("記録媒体の外部への持出し")).first.click()
    carry_outs = page.get_by_label(re.compile("持出し（持出し前の記録）"))
    assert carry_outs.evaluate("e => e.tagName") == "SELECT"
    assert carry_outs.locator("option").filter(has_text="デモ提出先").count() == 1
    assert page.get_by_role("spinbutton").count() == 0


def test_the_export_offers_the_granted_bulk_approvals_to_choose_from(page, office):
    o = office(PROFILE)
    o.sign_in(page, "operator1")
    page.goto("/registers/exports/")
    assert page.get_by_label(re.compile("大量取扱いの承認")).evaluate("e => e.tagName") == "SELECT"
