"""The main flows of every role on profile 004 (兵庫県市町村職員共済組合), in Chromium at 1366×768.

004 asks a second person to confirm every manually entered number (the queue), needs no approval for an
export or a carry-out (a 別紙1 record and traceable mail instead), and prints 別紙1. The people are the demo's:
handler2 and handler3 (事務取扱担当者), audit_officer1 (監査責任者).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import flows
from .office import task_label

pytestmark = pytest.mark.browser
PROFILE = "hyogo-kyosai"


def test_a_clerk_enters_a_person_and_a_second_clerk_confirms_it_then_finds_and_reveals_the_number(page, office):
    o = office(PROFILE)
    task = task_label(o, "handler2", "handler3")
    number = flows.a_number(4)
    o.sign_in(page, "handler2")
    page.goto("/")
    flows.look(page, "004-clerk-dashboard")
    person = flows.intake(page, profile=o.profile, task=task, number=number, shot="004-clerk")

    o.sign_in(page, "handler3")
    page.goto("/")
    flows.confirm_as_second_person(page, task=task, number=number, entered_by=o.user("handler2").full_name,
                                   shot="004-second")
    flows.search_and_reveal(page, task=task, number=number, shot="004-clerk")
    from tokutei.auditlog.models import Entry

    assert Entry.objects.filter(action="vault.reveal", actor_username="handler3", target_id=str(person)).exists()


def test_a_clerk_exports_the_task_as_an_encrypted_file_without_an_approval(page, office):
    o = office(PROFILE, unconfirmed=0)  # 004 refuses unconfirmed people in an export: the queue is done
    o.sign_in(page, "handler3")
    page.goto("/")
    flows.export(page, task=task_label(o, "handler3"), recipient="日本年金機構", bulk_approval=None,
                 shot="004-clerk")


def test_a_carry_out_is_recorded_with_its_traceable_mail_and_no_approver(page, office):
    o = office(PROFILE)
    o.sign_in(page, "handler2")
    page.goto("/")
    number = flows.plan_carry_out(page, task=task_label(o, "handler2"), counterpart="日本年金機構 年金給付部",
                                  medium="書類（請求書の写し）", protection="封筒に封緘し、郵送の履歴が残る方法で郵送",
                                  shot="004-clerk")
    flows.carry_out(page, number=number, approval=None, shot="004-clerk")


def test_the_auditor_finds_a_reveal_in_the_log_and_verifies_the_chain(page, office):
    o = office(PROFILE)
    _reveal_as(o, "handler1")
    o.sign_in(page, "audit_officer1")
    page.goto("/")
    flows.look(page, "004-auditor-dashboard")
    flows.search_log_and_verify(page, operation="個人番号の表示", user="handler1", shot="004-auditor")


def test_the_handling_record_prints_on_a4(page, office):
    o = office(PROFILE)
    o.sign_in(page, "nenkin_kacho")
    page.goto("/")
    flows.look(page, "004-manager-dashboard")
    page.get_by_role("link", name="特定個人情報等の運用状況記録票（別紙1）").first.click()
    flows.look(page, "004-manager-handling")
    flows.print_register(page, link="印刷用ページ", title="運用状況記録票", shot="004-manager-handling")


def _reveal_as(o, username: str) -> None:
    """A clerk's reveal of a person, made through the service as the person page makes it."""
    flows.reveal_through_service(username)


def test_an_export_of_chosen_people_needs_no_internal_id(page, office):
    o = office(PROFILE)
    o.sign_in(page, "handler3")
    page.goto("/registers/exports/")
    assert page.get_by_label(re.compile("内部ID")).count() == 0
    # With people awaiting their check in the task, everyone already confirmed is one choice away.
    expect(page.get_by_label(re.compile("入力内容の確認が済んだ本人のみ"))).to_be_visible()
