"""The log as the auditor reads it: conditions chosen from lists of names, targets named with their file,
an entry in words with the entries around it, findings one click from their entries (issue 18, item 1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tokutei.auditlog.services import record


@pytest.fixture
def hanako(make_user, org):
    from tokutei.staff.models import User

    user = make_user("yamada", "clerk", tasks=["payroll"])
    User.objects.filter(pk=user.pk).update(full_name="山田 花子", full_name_kana="ヤマダ ハナコ")
    user.refresh_from_db()
    return user


@pytest.fixture
def person_in_file(db):
    """本人 in 「給与所得者ファイル」 (the row only: the log names a person by the file, never by a value)."""
    from tokutei.vault.models import Person, SpecificFile

    kept = SpecificFile.objects.create(name="給与所得者ファイル", tasks=["payroll"])
    return Person.objects.create(file=kept, task="payroll", data=b"x", key_id=1, bi_key=1,
                                 entered_at=timezone.now())


def _select(html: str, name: str) -> str:
    assert f'<select name="{name}"' in html, f"{name} is not a list to choose from"
    return html.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]


def test_the_log_search_offers_staff_tasks_terminals_and_targets_by_name_not_text_boxes(
        client, auditor, hanako, terminal, signing_key):
    client.force_login(auditor)
    html = client.get(reverse("auditlog:search")).content.decode()
    users = _select(html, "user")
    assert '<option value="yamada">山田 花子（yamada）</option>' in users
    assert "給与所得の源泉徴収票作成事務" in _select(html, "purpose")
    assert '<option value="窓口端末1">窓口端末1（本庁舎2階）</option>' in _select(html, "terminal")
    targets = _select(html, "target_type")
    assert '<option value="person">本人</option>' in targets and ">person<" not in targets


def test_a_unit_manager_is_offered_only_the_staff_they_supervise(client, org, make_user, signing_key):
    from tokutei.staff.models import Unit

    somu = Unit.objects.create(key="somu", name_ja="総務課")
    other = Unit.objects.create(key="zeimu", name_ja="税務課")
    boss = make_user("boss", "manager", unit=somu)
    make_user("mine", "clerk", tasks=["payroll"], unit=somu)
    make_user("theirs", "clerk", tasks=["payroll"], unit=other)
    client.force_login(boss)
    users = _select(client.get(reverse("auditlog:search")).content.decode(), "user")
    assert "mine 太郎（mine）" in users and "theirs" not in users


def test_links_with_codes_in_the_address_keep_working_and_show_the_names(client, auditor, hanako, terminal,
                                                                          signing_key):
    record(action="vault.view", actor=hanako, terminal=terminal, purpose="payroll", target_type="person",
           target_id=1)
    record(action="vault.view", actor=hanako, purpose="payroll", target_type="person", target_id=2)
    client.force_login(auditor)
    response = client.get(reverse("auditlog:search"), {"user": "yamada", "purpose": "payroll",
                                                       "terminal": "窓口端末1", "target_type": "person"})
    assert [e.target_id for e in response.context["entries"]] == ["1"]
    html = response.content.decode()
    assert '<option value="yamada" selected>山田 花子（yamada）</option>' in html
    # A user ID no longer on the staff list (a link from an old report) is searched as given.
    gone = client.get(reverse("auditlog:search"), {"user": "someone-gone"})
    assert gone.status_code == 200 and gone.context["page"].paginator.count == 0
    assert '<option value="someone-gone" selected>someone-gone</option>' in gone.content.decode()


def test_a_target_reads_as_the_person_and_their_file(client, auditor, hanako, person_in_file, signing_key):
    record(action="vault.view", actor=hanako, purpose="payroll", target_type="person", target_id=person_in_file.pk)
    client.force_login(auditor)
    html = client.get(reverse("auditlog:search"), {"action": "vault.view"}).content.decode()
    assert f"本人 #{person_in_file.pk}（給与所得者ファイル）" in html
    assert f"person {person_in_file.pk}" not in html


def test_naming_the_targets_costs_the_same_queries_for_one_row_or_fifty(client, auditor, hanako, signing_key):
    from tokutei.vault.models import Person, SpecificFile

    kept = SpecificFile.objects.create(name="扶養控除ファイル", tasks=["payroll"])
    people = [Person.objects.create(file=kept, task="payroll", data=b"x", key_id=1, bi_key=1,
                                    entered_at=timezone.now()) for _ in range(50)]
    client.force_login(auditor)

    def queries_for(n: int) -> int:
        for p in people[:n]:
            record(action="vault.view", actor=hanako, purpose="payroll", target_type="person", target_id=p.pk)
        with CaptureQueriesContext(connection) as seen:
            client.get(reverse("auditlog:search"), {"action": "vault.view", "date_from": "2000-01-01"})
        return len(seen)

    queries_for(0)  # the first page of a session reads what later ones have cached
    assert queries_for(1) == queries_for(49)


def test_an_entry_speaks_japanese_and_lists_a_few_entries_before_and_after_it(
        client, auditor, hanako, person_in_file, signing_key):
    for i in range(8):
        record(action="staff.sign_in", actor=hanako, details={"i": i})
    opened = record(action="vault.export", actor=hanako, purpose="payroll", target_type="person",
                    target_id=person_in_file.pk, details={"format": "csv", "channel": "web", "fields": ["name"],
                                                          "file_id": person_in_file.file_id})
    for _i in range(8):
        record(action="staff.sign_out", actor=hanako)
    client.force_login(auditor)
    html = client.get(reverse("auditlog:entry", args=[opened.seq])).content.decode()
    main = html.split("<h2>", 1)[0]
    assert "給与所得の源泉徴収票作成事務" in main and f"本人 #{person_in_file.pk}（給与所得者ファイル）" in main
    assert "出力形式" in main and "CSV" in main and "操作の経路" in main and "画面" in main
    assert f"ファイル #{person_in_file.file_id}" in main
    for code in ("payroll", "vault.export", "person ", "format", "channel", "file_id", ">web<"):
        assert code not in main, code
    around = html.split("前後の操作履歴", 1)[1]
    for seq in [*range(opened.seq - 5, opened.seq), *range(opened.seq + 1, opened.seq + 6)]:
        assert reverse("auditlog:entry", args=[seq]) + '"' in around
    assert reverse("auditlog:entry", args=[opened.seq - 6]) + '"' not in around


def test_the_integrity_page_says_why_each_checkpoint_was_made_in_japanese(client, auditor, signing_key):
    from tokutei.auditlog.checkpoints import checkpoint

    record(action="staff.sign_in", actor=auditor)
    checkpoint(reason="manual")
    record(action="staff.sign_out", actor=auditor)  # past the checkpoint: verifying signs a new one
    client.force_login(auditor)
    client.post(reverse("auditlog:integrity"))
    html = client.get(reverse("auditlog:integrity")).content.decode()
    table = html.split("署名付きチェックポイント</h2>", 1)[1]
    assert "手動" in table and "検証時" in table
    assert ">manual<" not in table and ">verify<" not in table


def test_a_finding_without_one_entry_links_to_the_search_of_that_users_day(client, auditor, hanako, settings,
                                                                            signing_key):
    settings.AUDIT_VOLUME_MIN = 3
    for i in range(4):
        record(action="vault.view", actor=hanako, purpose="payroll", target_type="person", target_id=i + 1)
    day = timezone.localdate()
    client.force_login(auditor)
    html = client.get(reverse("auditlog:analysis"), {"date_from": day.isoformat(),
                                                     "date_to": day.isoformat()}).content.decode()
    section = html.split('id="r-volume"', 1)[1].split("</section>", 1)[0]
    link = f"/log/?user=yamada&amp;date_from={day.isoformat()}&amp;date_to={day.isoformat()}"
    assert link in section and "該当の操作を検索" in section
    found = client.get("/log/", {"user": "yamada", "date_from": day.isoformat(), "date_to": day.isoformat()})
    assert found.context["page"].paginator.count == 4


def test_the_details_of_an_entry_are_named_in_japanese_and_dates_read_as_wareki(db):
    from tokutei.auditlog.details import readable

    known, other = readable({"start_date": "2026-04-01", "expires_at": "2027-01-06", "terminal_ids": [3, 4],
                             "direction": "in", "changed": ["name"], "unknown_key": 1})
    shown = dict(known)
    assert shown["開始日"] == "令和8年4月1日" and shown["有効期限"] == "令和9年1月6日"
    assert shown["端末"] == "端末 #3、端末 #4" and "入退の別" in shown and "変更した項目" in shown
    assert other == [("unknown_key", "1")]  # what has no name yet is kept apart, as stored
