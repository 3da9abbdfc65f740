"""The log pages: who may read them, search, downloads, chart, review sign-off, integrity."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry, LogReview
from tokutei.auditlog.services import record


@pytest.fixture
def some_log(clerk, signing_key):
    record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=1)
    record(action="vault.view", actor=clerk, purpose="payroll", target_type="person", target_id=2,
           result="refused", reason="指定外", article="T99 §5")
    record(action="staff.sign_in", actor=clerk)


def test_the_auditor_searches_the_whole_log(client, auditor, some_log):
    client.force_login(auditor)
    response = client.get(reverse("auditlog:search"), {"user": "clerk", "action": "vault."})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2
    assert b"<svg" in response.content and b"style=" not in response.content and b"<script>" not in response.content
    searched = Entry.objects.filter(action="log.search", actor_id=auditor.pk).get()
    assert searched.details["filters"] == ["user", "action"]  # which filters, never their values


def test_it_filters_by_result_and_target(client, auditor, some_log):
    client.force_login(auditor)
    response = client.get(reverse("auditlog:search"), {"result": "refused", "target_id": "2"})
    assert [e.target_id for e in response.context["entries"]] == ["2"]


def test_it_refuses_and_logs_a_clerk_opening_the_log(client, clerk, some_log):
    client.force_login(clerk)
    response = client.get(reverse("auditlog:search"))
    assert response.status_code == 403
    assert "テスト規程第16条" in response.content.decode()  # the profile's article, as people read it
    assert Entry.objects.filter(action="log.search", result="refused", actor_id=clerk.pk).exists()


def test_it_shows_a_clear_error_for_a_bad_date_and_changes_nothing(client, auditor, some_log):
    client.force_login(auditor)
    before = Entry.objects.count()
    response = client.get(reverse("auditlog:search"), {"date_from": "2026-02-30"})
    assert "存在しない日付" in response.content.decode()
    # Nothing is searched; the one new entry is the refusal of the input (field and rule, not the value).
    (refusal,) = Entry.objects.order_by("seq")[before:]
    assert refusal.result == "refused" and refusal.details["code"] == "invalid_input"
    assert "2026-02-30" not in str(refusal.details)


def test_it_downloads_csv_and_excel_and_logs_the_export(client, auditor, some_log):
    client.force_login(auditor)
    csv_response = client.get(reverse("auditlog:search"), {"user": "clerk", "format": "csv"})
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("番号,日時,ユーザID") and text.count("vault.view") == 2
    xlsx = client.get(reverse("auditlog:search"), {"user": "clerk", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4 and sheet["C2"].value == "clerk"
    assert Entry.objects.filter(action="log.export", actor_id=auditor.pk).count() == 2


def test_a_unit_manager_sees_only_the_staff_of_their_unit(client, org, make_user, signing_key):
    from tokutei.staff.models import Unit

    somu = Unit.objects.create(key="somu", name_ja="総務課")
    other = Unit.objects.create(key="zeimu", name_ja="税務課")
    boss = make_user("boss", "manager", unit=somu)
    mine = make_user("mine", "clerk", tasks=["payroll"], unit=somu)
    theirs = make_user("theirs", "clerk", tasks=["payroll"], unit=other)
    record(action="vault.view", actor=mine)
    record(action="vault.view", actor=theirs)
    client.force_login(boss)
    response = client.get(reverse("auditlog:search"), {"action": "vault.view"})
    assert [e.actor_username for e in response.context["entries"]] == ["mine"]


def test_the_auditor_signs_off_a_review(client, auditor, some_log):
    client.force_login(auditor)
    today = timezone.localdate()
    response = client.post(reverse("auditlog:reviews"), {
        "period_from": (today - dt.timedelta(days=7)).isoformat(), "period_to": today.isoformat(),
        "findings": "拒否1件を確認。問題なし。"})
    assert response.status_code == 302
    review = LogReview.objects.get()
    logged = Entry.objects.get(action="log.review")
    assert review.reviewer == auditor
    before = Entry.objects.filter(seq__lt=logged.seq).order_by("-seq").first()
    assert before is not None and review.through_seq == before.seq
    assert Entry.objects.filter(action="log.review", target_id=str(review.pk)).exists()


def test_a_review_of_the_future_is_refused_with_a_message(client, auditor, some_log):
    client.force_login(auditor)
    today = timezone.localdate()
    response = client.post(reverse("auditlog:reviews"), {
        "period_from": today.isoformat(), "period_to": (today + dt.timedelta(days=3)).isoformat(),
        "findings": "x"})
    assert response.status_code == 200 and "未来の期間" in response.content.decode()
    assert not LogReview.objects.exists()


def test_the_integrity_page_verifies_and_links_a_printable_checkpoint(client, auditor, some_log):
    client.force_login(auditor)
    response = client.post(reverse("auditlog:integrity"))
    assert response.context["report"].ok
    cp = response.context["checkpoints"][0]
    printed = client.get(reverse("auditlog:checkpoint_print", args=[cp.pk]))
    assert cp.hash in printed.content.decode()
    pem = client.get(reverse("auditlog:public_key"))
    assert pem.content.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_the_dashboard_shows_refusals_to_the_auditor_and_disk_space_to_the_sysadmin(client, auditor, sysadmin,
                                                                                   some_log):
    client.force_login(auditor)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "最近の拒否" in page and "操作履歴の完全性" in page and "ディスクの空き容量" not in page
    client.force_login(sysadmin)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "ディスクの空き容量" in page


def test_the_low_disk_warning_is_loud(client, sysadmin, auditor, settings, some_log):
    settings.AUDIT_DISK_MIN_FREE_PERCENT = 100.0
    for user in (sysadmin, auditor):
        client.force_login(user)
        page = client.get(reverse("core:dashboard")).content.decode()
        assert "ディスクの空き容量が不足しています" in page


def test_the_api_lets_the_auditor_search_and_refuses_a_clerk(client, auditor, clerk, some_log):
    client.force_login(auditor)
    response = client.get("/api/v1/log/entries", {"user": "clerk", "result": "refused"})
    assert response.status_code == 200
    assert [e["target_id"] for e in response.json()] == ["2"]
    status = client.get("/api/v1/log/status").json()
    assert status["guards"] is True and status["head_seq"] >= 3
    assert client.post("/api/v1/log/verify").json()["verified"] is True
    client.force_login(clerk)
    refused = client.get("/api/v1/log/entries")
    assert refused.status_code == 403 and refused.json()["article"] == "T99 §16"  # machine form in JSON


def test_a_printed_search_names_its_conditions_in_words_and_who_printed_it(client, auditor):
    """A printout of a search is evidence: it says what was searched (the operation's name, 和暦 dates),
    by whom and when — never an operation code."""
    client.force_login(auditor)
    body = client.get("/log/", {"action": "staff.sign_in", "date_from": "2026-12-01"}).content.decode()
    criteria = body.split('<p class="print-only">', 1)[1].split("</p>", 1)[0]
    assert "サインイン" in criteria and "令和8年12月1日" in criteria
    assert "staff.sign_in" not in criteria
    head = body.split('print-head">', 1)[1].split("</p>", 1)[0]
    assert "印刷日時" in head and auditor.username in head


def test_an_entry_shows_its_task_and_target_in_words_and_the_entries_around_it(client, auditor, some_log):
    viewed = Entry.objects.filter(action="vault.view", result="ok").get()
    client.force_login(auditor)
    html = client.get(reverse("auditlog:entry", args=[viewed.seq])).content.decode()
    assert "前後の操作履歴" in html and "本人 #1" in html
    assert ">payroll<" not in html and "person 1" not in html  # no codes
    after = Entry.objects.filter(action="staff.sign_in").get()
    assert reverse("auditlog:entry", args=[after.seq]) in html  # the next entry one click away


def test_each_finding_of_the_analysis_links_to_its_entry(client, auditor, some_log):
    refused = Entry.objects.filter(action="vault.view", result="refused").get()
    day = timezone.localtime(refused.at).date()
    client.force_login(auditor)
    html = client.get(reverse("auditlog:analysis"), {"date_from": day.isoformat(), "date_to": day.isoformat()}
                      ).content.decode()
    assert f'href="{reverse("auditlog:entry", args=[refused.seq])}"' in html
