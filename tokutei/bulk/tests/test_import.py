"""J-LIS bulk import: validation, reject report, duplicates, dry run, refusals (004 §14(1), §14(3))."""

from __future__ import annotations

import csv

import pytest

from tokutei.bulk import synthetic
from tokutei.bulk.models import ImportJob
from tokutei.core.errors import Refused
from tokutei.policy import Actor

from .conftest import people

GOOD = [
    f"{synthetic.my_number(1)},佐藤　大輔,サトウ　ダイスケ,1958-04-01,男,兵庫県神戸市中央区本町1丁目2番3号,{synthetic.resident_code(1)},0400000001",
    f"{synthetic.my_number(2)},鈴木　陽子,スズキ　ヨウコ,昭和33年4月1日,女,兵庫県姫路市栄町2丁目3番4号,{synthetic.resident_code(2)},0400000002",
    f"{synthetic.my_number(3)},高橋　誠,タカハシ　マコト,1960/5/6,1,兵庫県明石市旭町3丁目4番5号,,0400000003",
]


def read_report(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def decrypt_all(specific_file):
    from tokutei.vault.codec import decrypt_person_fields

    return [decrypt_person_fields(p.data, file_id=specific_file.pk) for p in people(specific_file).order_by("pk")]


def test_it_loads_good_rows_sealed_and_indexed_like_the_vault(run_import, write_csv, pension_file):
    from tokutei.vault.codec import PersonCodec, lookup_digests

    result = run_import(write_csv(GOOD))
    assert (result.loaded, result.rejected) == (3, 0)
    rows = decrypt_all(pension_file)
    assert rows[0]["my_number"] == synthetic.my_number(1)
    assert rows[1]["birth_date"] == "1958-04-01"  # 昭和33年4月1日
    assert rows[2]["sex"] == "男"
    codec = PersonCodec.for_file(pension_file.pk)
    for person, values in zip(people(pension_file).order_by("pk"), rows, strict=True):
        expected = codec.indexes(values)
        assert person.bi_my_number == expected["bi_my_number"]
        assert person.bi_kana_birth == expected["bi_kana_birth"]
        assert person.bi_org_key == expected["bi_org_key"]
        assert person.bi_resident_code == expected["bi_resident_code"]
        assert person.channel == "jlis_bulk" and person.confirmation_method == "source"
    found = people(pension_file).filter(bi_my_number__in=lookup_digests("my_number", synthetic.my_number(2)))
    assert found.count() == 1


def test_it_reads_shift_jis_files(run_import, write_csv, pension_file):
    result = run_import(write_csv(GOOD, encoding="cp932"))
    assert result.encoding == "cp932" and result.loaded == 3
    assert decrypt_all(pension_file)[0]["name"] == "佐藤 大輔"


def test_it_finds_columns_in_any_order(run_import, tmp_path, pension_file):
    path = tmp_path / "shuffled.csv"
    stats = synthetic.generate(path, rows=40, bad=0, shuffle_columns=True, seed=7)
    result = run_import(path)
    assert result.loaded == stats.good == 40


def test_it_rejects_bad_rows_with_line_numbers_and_no_my_number(run_import, write_csv, pension_file):
    bad_check = synthetic.my_number(10)[:11] + str((int(synthetic.my_number(10)[11]) + 1) % 10)
    lines = [
        *GOOD,
        f"{bad_check},山田　太郎,ヤマダ　タロウ,1970-01-01,男,住所,,0400000010",  # line 5: check digit
        f"{synthetic.my_number(11)},山田　花子,ヤマダ　ハナコ,1970-02-30,女,住所,,0400000011",  # 6: no such day
        f"{synthetic.my_number(12)},山田　一郎,山田一郎,1970-01-01,男,住所,,0400000012",  # 7: kana
        f"{synthetic.my_number(13)},山田　二郎,ヤマダ　ジロウ,1970-01-01,X,住所,,0400000013",  # 8: sex
        f"{synthetic.my_number(14)},,ヤマダ,1970-01-01,男,住所,,0400000014",  # 9: empty name
        f"{synthetic.my_number(1)},佐藤　大輔,サトウ　ダイスケ,1958-04-01,男,住所,,0400000099",  # 10: duplicate
        f"{synthetic.my_number(15)},山田",  # 11: short row
        f"{synthetic.my_number(16)},山田　三郎,ヤマダ　サブロウ,1970-01-01,男,住所,,",  # 12: no org key
    ]
    result = run_import(write_csv(lines))
    assert (result.loaded, result.rejected) == (3, 8)
    report = read_report(result.report_path)
    assert report[0] == ["行番号", "理由", "参照符号"]
    by_line = {int(r[0]): r[1] for r in report[1:]}
    assert sorted(by_line) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert "チェックデジット" in by_line[5]
    assert "生年月日" in by_line[6]
    assert "氏名カナ" in by_line[7]
    assert "性別" in by_line[8]
    assert "氏名が空" in by_line[9]
    assert "重複" in by_line[10] or "既に登録" in by_line[10]
    assert "列の数" in by_line[11]
    assert "年金証書番号" in by_line[12]
    text = open(result.report_path, encoding="utf-8-sig").read()
    for i in (1, 10, 11, 12, 13, 14, 15, 16):
        assert synthetic.my_number(i) not in text
    assert bad_check not in text and "1970-02-30" not in text
    assert people(pension_file).count() == 3


def test_it_rejects_numbers_already_in_the_file(run_import, write_csv, pension_file, tmp_path):
    run_import(write_csv(GOOD[:1], name="first.csv"))
    result = run_import(write_csv(GOOD, name="second.csv"), report_path=tmp_path / "r2.csv")
    assert (result.loaded, result.rejected) == (2, 1)
    assert "既に登録" in read_report(result.report_path)[1][1]
    assert people(pension_file).count() == 3


def test_it_finds_duplicates_across_batches(run_import, write_csv, pension_file):
    lines = [*GOOD, GOOD[0].replace("0400000001", "0400000077")]
    result = run_import(write_csv(lines), batch_size=2)
    assert (result.loaded, result.rejected) == (3, 1)
    assert int(read_report(result.report_path)[1][0]) == 5


def test_dry_run_loads_nothing_and_reports(run_import, write_csv, pension_file):
    lines = [*GOOD, GOOD[1]]
    result = run_import(write_csv(lines), dry_run=True, batch_size=2)
    assert result.dry_run and (result.loaded, result.rejected) == (3, 1)
    assert people(pension_file).count() == 0
    assert ImportJob.objects.count() == 0


def test_it_refuses_a_missing_required_column_and_logs_it(run_import, write_csv, pension_file):
    from tokutei.auditlog.models import Entry

    path = write_csv(["1,2"], header="氏名,生年月日")
    with pytest.raises(Refused, match="個人番号"):
        run_import(path)
    assert Entry.objects.filter(action="bulk.import", result="refused").exists()
    assert people(pension_file).count() == 0


def test_it_refuses_a_task_outside_the_designation(run_import, write_csv, pension_file, make_user):
    outsider = make_user("payroll_clerk", "clerk", tasks=["payroll"])
    with pytest.raises(Refused):
        run_import(write_csv(GOOD), actor=outsider)
    assert people(pension_file).count() == 0


def test_it_refuses_the_same_file_twice(run_import, write_csv, pension_file):
    path = write_csv(GOOD)
    run_import(path)
    with pytest.raises(Refused, match="既に取り込み済み"):
        run_import(path)
    assert people(pension_file).count() == 3


def test_it_writes_one_log_entry_per_batch_and_one_for_the_import(run_import, write_csv, pension_file):
    from tokutei.auditlog.models import Entry

    result = run_import(write_csv([*GOOD, *GOOD[:1]]), batch_size=2)
    entries = list(Entry.objects.filter(action="bulk.import").order_by("seq"))
    assert [e.details.get("stage") for e in entries] == ["input", "input", "acquisition"]
    assert [e.count for e in entries] == [2, 1, 3]
    assert all(e.details["file_id"] == pension_file.pk for e in entries)
    assert entries[-1].details["rejected"] == result.rejected == 1
    for e in entries:
        assert synthetic.my_number(1) not in str(e.details)


def test_above_the_threshold_it_needs_an_approval(run_import, tmp_path, pension_file):
    path = tmp_path / "big.csv"
    synthetic.generate(path, rows=1001, bad=0)
    with pytest.raises(Refused, match="承認"):
        run_import(path)
    assert people(pension_file).count() == 0
    assert ImportJob.objects.count() == 0


def test_an_approved_bulk_request_lets_it_load_once(run_import, tmp_path, pension_file, clerk, make_user):
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.approvals.services import create_request, decide

    manager = make_user("manager", "manager")
    request = create_request(actor=Actor.console(clerk), operation="bulk_handling",
                             particulars={"purpose": "pension", "count_limit": 2000, "file_id": pension_file.pk})
    decide(actor=Actor.console(manager), request_id=request.pk, approve=True)
    path = tmp_path / "big.csv"
    synthetic.generate(path, rows=1001, bad=0)
    result = run_import(path, approval=request.pk)
    assert result.loaded == 1001
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalRequest.Status.USED
    assert ImportJob.objects.get().approval_id == request.pk
    other = tmp_path / "other.csv"
    synthetic.generate(other, rows=1001, bad=0, seed=9)
    with pytest.raises(Refused, match="既に使用"):
        run_import(other, approval=request.pk)


def test_the_command_lists_the_files_and_tasks_it_can_load_into(write_csv, pension_file, clerk):
    from django.core.management import CommandError, call_command

    path = write_csv(GOOD)
    with pytest.raises(CommandError) as missing:
        call_command("import_jlis", str(path), user=clerk.username)
    assert f"{pension_file.pk}: 年金受給者ファイル / pension（" in str(missing.value)
    with pytest.raises(CommandError, match="見つからない") as wrong:
        call_command("import_jlis", str(path), user=clerk.username, file_id=pension_file.pk + 99, purpose="pension")
    assert "年金受給者ファイル" in str(wrong.value)
    assert people(pension_file).count() == 0


def test_a_kana_of_dots_alone_is_refused_not_loaded(run_import, write_csv, pension_file):
    dotted = GOOD[0].replace("サトウ　ダイスケ", "・")
    assert dotted != GOOD[0]
    result = run_import(write_csv([dotted, GOOD[1]]))
    assert (result.loaded, result.rejected) == (1, 1)
    assert "カナで入力してください" in read_report(result.report_path)[1][1]


def test_it_rejects_controls_bidi_overrides_and_overlong_names_in_the_file(run_import, write_csv, pension_file):
    lines = [
        f"{synthetic.my_number(21)},山田\u202e太郎,ヤマダ　タロウ,1970-01-01,男,住所,,0400000021",
        f"{synthetic.my_number(22)},山田\x1b太郎,ヤマダ　タロウ,1970-01-01,男,住所,,0400000022",
        f"{synthetic.my_number(23)},{'山' * 101},ヤマダ　タロウ,1970-01-01,男,住所,,0400000023",
        f"{synthetic.my_number(24)},山田　太郎,ヤマダ　タロウ,0001-01-01,男,住所,,0400000024",
    ]
    result = run_import(write_csv(lines))
    assert (result.loaded, result.rejected) == (0, 4)
    assert people(pension_file).count() == 0
