"""Each shipped profile says what its regulation says on the points of issue 21 (item 3), and what the text
leaves open is an explicit ``open`` marker; the ``profiles check`` rules added for them refuse a broken file."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tokutei.profiles.loader import ProfileError, parse_profile
from tokutei.profiles.summary import summary_lines

from .conftest import DATA_DIR


def _opens(profile) -> dict[str, str]:
    return {path: p.note for path, p in profile.open_parameters()}


# --- 000 ------------------------------------------------------------------------------------------------------

def test_000_the_entry_book_has_separate_in_and_out_times_and_a_name_tag_column(shipped):
    fields = {f.key: f for f in shipped["sendai-kyosai"].registers["room_entry"].current_fields()}
    assert fields["entered_at"].type == fields["exited_at"].type == "datetime"  # §13.3
    assert fields["name_tag"].ja == "名札"  # §13.4


def test_000_the_vendor_measures_apply_to_every_room_class(shipped):
    profile = shipped["sendai-kyosai"]
    assert {r.level for r in profile.rooms.values()} == {1, 2, 3}
    for key, room in profile.rooms.items():  # §13.4: 業者 — 記載・名札・システム操作者の立会い, in every class
        assert room.visitors is not None and room.visitors.identification and room.visitors.escort, key
        assert room.visitors.escort_roles == ["operator"] and room.visitors.article == "000 §13.4", key
        assert any("名札" in m for m in room.measures) and any("立会い" in m for m in room.measures), key
        assert "§13.4" in room.article, key


def test_000_the_council_may_hear_related_staff_and_outside_experts(shipped):
    gb = shipped["sendai-kyosai"].governance_body
    assert gb.may_hear == ["staff", "expert"] and gb.hearing_article == "000 §8.5"
    assert not gb.may_request_materials  # §8.5 says 意見又は説明を聴く only


# --- 001 ------------------------------------------------------------------------------------------------------

def test_001_the_resident_card_transitional_rule_belongs_to_the_amendment_in_force_on_2016_01_01(shipped):
    versions = {v.in_force: v for v in shipped["kokubunji"].organisation.versions}
    assert "住民基本台帳カード" in versions[dt.date(2016, 1, 1)].note
    assert "平成27年訓令第27号" in versions[dt.date(2016, 1, 1)].note
    assert "住基カード" not in versions[dt.date(2015, 6, 30)].note
    assert "訓令第22号" in versions[dt.date(2015, 6, 30)].note


def test_001_lists_the_eight_hazard_classes_of_s8(shipped):
    hazards = shipped["kokubunji"].safeguards["hazards"]
    assert hazards.article == "001 §8" and hazards.roles == ["sec_officer"]
    assert hazards.items == ["電気的及び機械的障害", "水又は蒸気による障害", "火災による障害", "地震による障害",
                             "急激な温湿度変化等による障害", "転倒、移動等による障害", "落雷による障害", "その他の障害"]


def test_001_the_incident_route_reaches_the_mayor_and_the_general_head_together_with_jlis_support(shipped):
    inc = shipped["kokubunji"].incident
    assert inc.route == ["sec_officer", "mayor", "general_head"] and inc.together == [["mayor", "general_head"]]
    assert inc.measures["external_support"].article == "001 §9.1"
    assert "地方公共団体情報システム機構" in inc.measures["external_support"].ja


def test_001_the_committee_may_call_non_members_and_ask_them_for_materials(shipped):
    gb = shipped["kokubunji"].governance_body
    assert gb.may_hear == ["other"] and gb.may_request_materials and gb.hearing_article == "001 §15"


# --- 002 ------------------------------------------------------------------------------------------------------

def test_002_every_protection_manager_post_of_s4_1_is_a_post(shipped):
    profile = shipped["sayama"]
    posts = {profile.posts[k].ja for k in profile.roles["pm"].posts}
    for named in ("出先機関等の長（課長職にある者に限る）", "教育委員会事務局の課の長",
                  "教育委員会の機関又は施設の長（課長職にある者に限る）", "水道事業及び下水道事業の課長", "議会事務局次長",
                  "選挙管理委員会事務局長", "監査委員事務局次長", "農業委員会事務局長"):
        assert named in posts, named
    assert all(profile.posts[k].unit for k in profile.roles["pm"].posts)  # each post acts for its own unit


def test_002_the_training_duty_of_s8_is_scheduled_and_required(shipped):
    profile = shipped["sayama"]
    assert profile.schedules["training"].kind == "training" and profile.schedules["training"].article == "002 §8"
    awareness, system = profile.audits.training["awareness"], profile.audits.training["system"]
    assert awareness.trainers == ["general_pm"] and "staff" in awareness.audience  # §8.1
    assert system.trainers == ["sys_pm"] and system.audience == ["staff"]  # §8.2: 当該所管の職員, not the trainer
    assert "§8.3" in profile.roles["pm"].article  # §8.3: 参加の機会の付与


def test_002_the_handling_area_measures_come_from_s20_not_from_004(shipped):
    area = shipped["sayama"].rooms["handling_area"]
    assert area.article == "002 §20" and area.open is not None
    assert not [m for m in area.measures if "間仕切り" in m or "座席" in m]  # 004 §12.2(2)'s words
    assert area.measures == ["特定個人情報等を取り扱う事務を実施する区域の明確化", "物理的な安全管理措置"]


def test_002_the_date_in_force_is_marked_open(shipped):
    assert "organisation.versions.0.open" in _opens(shipped["sayama"])


# --- 003 ------------------------------------------------------------------------------------------------------

def test_003_name_kana_cites_no_article_that_does_not_exist(shipped):
    field = shipped["inabe"].fields["name_kana"]
    assert "§7" not in field.article and field.article == "003 別表（その他届出書類等記載事項）"
    assert "fields.name_kana.open" in _opens(shipped["inabe"])


def test_003_the_network_measures_of_s16_are_checklist_items(shipped):
    network = shipped["inabe"].safeguards["network"]
    assert network.article == "003 §16" and len(network.items) == 5
    assert network.items[0].startswith("情報システムと外部ネットワークとの接続箇所にファイアウォール")
    assert network.items[4] == "ログの分析を定期的に行い不正アクセス等の有無を検知する"


# --- 004 ------------------------------------------------------------------------------------------------------

def test_004_storage_is_not_a_stage_of_the_s9_form(shipped):
    profile = shipped["hyogo-kyosai"]
    stages = {s for c in profile.handling_status.categories.values() for s in c.stages}
    assert "storage" not in stages  # §9.1 lists four items; 保管 is §14(4), recorded in 別紙2
    assert "§14(4)" in profile.handling_status.note and "別紙2" in profile.handling_status.note


def test_004_the_incident_route_is_marked_open(shipped):
    assert "incident.open" in _opens(shipped["hyogo-kyosai"])


def test_004_the_audit_officer_comes_from_the_closed_set_of_s5(shipped):
    role = shipped["hyogo-kyosai"].roles["audit_officer"]
    assert role.eligible_units == ["jimukyoku", "nenkin"] and "004 §5" in role.article


# --- profiles check rules -------------------------------------------------------------------------------------

def _broken(name: str, change) -> str:
    data = yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_check_refuses_a_stage_written_under_two_headings_of_the_form():
    def change(data):
        data["handling_status"]["categories"]["disposal_deletion"]["stages"].append("input")
    with pytest.raises(ProfileError, match=r"handling_status\.categories\.disposal_deletion\.stages"):
        parse_profile(_broken("hyogo-kyosai", change))


def test_check_refuses_a_together_group_that_is_not_consecutive_in_the_route():
    def change(data):
        data["incident"]["together"] = [["sec_officer", "general_head"]]
    with pytest.raises(ProfileError, match=r"incident\.together\.0"):
        parse_profile(_broken("kokubunji", change))


def test_check_refuses_an_unknown_role_in_the_safeguards_and_the_discipline():
    def change(data):
        data["safeguards"]["hazards"]["roles"] = ["boss"]
        data["org"]["discipline"]["visible_to"] = ["personnel"]
    with pytest.raises(ProfileError) as error:
        parse_profile(_broken("kokubunji", change))
    assert "safeguards.hazards.roles" in str(error.value) and "org.discipline.visible_to" in str(error.value)


@pytest.mark.parametrize("name", ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"])
def test_profiles_show_prints_the_corrected_points(shipped, name):
    text = "\n".join(summary_lines(shipped[name], name))
    expected = {
        "sendai-kyosai": ["関係職員・外部の専門家", "業者・来訪者: 識別（名札）・立会い"],
        "kokubunji": ["市長・住基ネット情報セキュリティ総括責任者（同時）", "落雷による障害", "資料の提出を求める",
                      "2016-01-01: 平成27年訓令第27号。経過措置"],
        "sayama": ["organisation.versions.0.open", "rooms.handling_area.open"],
        "inabe": ["ファイアウォール", "fields.name_kana.open"],
        "hyogo-kyosai": ["incident.open", "段階: 削除・廃棄"],
    }[name]
    for part in expected:
        assert part in text, part
