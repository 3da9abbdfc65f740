"""The shipped profiles: 004 別紙1 (hyogo-kyosai) and 003 §7 five stages (inabe)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tokutei.auditlog.services import record
from tokutei.core.errors import Refused
from tokutei.ledgers import services
from tokutei.ledgers.selectors import form_tables, handling_records
from tokutei.policy import Actor
from tokutei.profiles.loader import ProfileError, find_profile
from tokutei.staff.models import Unit


def _shipped(name: str) -> None:
    try:
        find_profile(name)
    except ProfileError:
        pytest.skip(f"profile {name} not shipped yet")


@pytest.fixture
def hyogo(activate):
    _shipped("hyogo-kyosai")
    return activate("hyogo-kyosai")


@pytest.fixture
def inabe(activate):
    _shipped("inabe")
    return activate("inabe")


def test_hyogo_a_sealed_mailing_lands_in_the_carry_out_column_of_bessi_1(hyogo, make_user, client):
    handler = make_user("nenkin1", "handler", tasks=["p1_i"])
    services.add_manual_record(actor=Actor.console(handler), stage="submission", occurred_on=timezone.localdate(), count=2,
                               recipient="地方公務員共済組合連合会年金業務部", method="簡易書留", item="年金請求書")
    table = form_tables(hyogo, list(handling_records(hyogo)), category="carry_out")[0]
    assert table["columns"] == ["年月日", "進達（提出）先", "書類・媒体", "件数", "郵送方法", "担当者", "備考"]
    cells = table["rows"][0]["cells"]
    assert cells[1:5] == ["地方公務員共済組合連合会年金業務部", "年金請求書", "2", "簡易書留"]
    assert cells[0].startswith("令和") and "nenkin1" in cells[5]
    client.force_login(handler)
    wb = load_workbook(io.BytesIO(client.get(reverse("ledgers:handling_export")).content))
    assert [ws.title[:6] for ws in wb.worksheets] == ["特定個人情報", "特定個人情報", "書類・媒体等", "特定個人情報"]
    assert wb.worksheets[2]["C5"].value == "地方公務員共済組合連合会年金業務部"


def test_hyogo_a_refused_reveal_appears_in_use_and_output_with_its_purpose(hyogo, make_user):
    handler = make_user("nenkin1", "handler", tasks=["p1_i"])
    from tokutei.auditlog.services import refuse

    refuse("この事務では個人番号を表示できません", action="vault.reveal", article="004 §2", actor=handler,
           purpose="p1_i", target_type="person", target_id=11)
    services.sync_from_log()
    table = form_tables(hyogo, list(handling_records(hyogo)), category="use_output")[0]
    row = table["rows"][0]
    assert row["refused"] and hyogo.tasks["p1_i"].ja in row["cells"] and "拒否" in row["cells"][-1]


def test_inabe_the_acquisition_stage_names_records_by_id_never_by_personal_data(inabe, make_user):
    shokuin = Unit.objects.create(key="shokuin", name_ja="職員課")
    handler = make_user("shokuin1", "handler", tasks=["health_insurance_48"], unit=shokuin)
    record(action="vault.intake", actor=handler, purpose="health_insurance_48", target_type="person", target_id=42)
    services.sync_from_log()
    table = form_tables(inabe, list(handling_records(inabe)), category="acquisition")[0]
    assert table["columns"][:3] == ["取得年月日", "個人番号", "氏名"]
    cells = table["rows"][0]["cells"]
    assert cells[1] == "本人記録ID 42（1件）" and cells[2:6] == ["〃"] * 4
    assert "取扱者：" in cells[-1]  # the form has no column for who handled it: 備考 says so


def test_inabe_only_handlers_of_the_named_sections_record(inabe, make_user):
    other = Unit.objects.create(key="joho_suishin", name_ja="情報推進課")
    outsider = make_user("joho1", "handler", tasks=["health_insurance_48"], unit=other)
    with pytest.raises(Refused):
        services.add_manual_record(actor=Actor.console(outsider), stage="storage", occurred_on=timezone.localdate(), place="書庫")
    kaikei = Unit.objects.create(key="kaikei", name_ja="会計課")
    insider = make_user("kaikei1", "handler", tasks=["health_insurance_48"], unit=kaikei)
    row = services.add_manual_record(actor=Actor.console(insider), stage="storage", occurred_on=timezone.localdate(),
                                     place="会計課 施錠キャビネット2")
    table = form_tables(inabe, [row], category="storage")[0]
    assert table["columns"][:2] == ["届出書等の保管年月日", "保管場所"]
    assert table["rows"][0]["cells"][1] == "会計課 施錠キャビネット2"


def test_inabe_a_deletion_with_only_a_date_column_still_says_what_was_done(inabe, make_user):
    shokuin = Unit.objects.create(key="shokuin", name_ja="職員課")
    handler = make_user("shokuin1", "handler", tasks=["health_insurance_48"], unit=shokuin)
    services.add_manual_record(actor=Actor.console(handler), stage="disposal", occurred_on=timezone.localdate(), count=30,
                               method="シュレッダー細断", item="扶養控除等申告書")
    table = form_tables(inabe, list(handling_records(inabe)), category="deletion")[0]
    note = table["rows"][0]["cells"][-1]
    assert "廃棄（シュレッダー細断）" in note and "対象：扶養控除等申告書" in note and "件数：30" in note
