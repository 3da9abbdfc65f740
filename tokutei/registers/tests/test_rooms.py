"""Rooms and the entry/exit book (000 §13; 002 §36.1): a visitor or vendor entry without identification and a
named escort is refused (E-20); a member of staff enters a level room only with a permission in force, which
the entry links (E-19); an asset or medium in a room of the wrong class is flagged (R-ROOM-8)."""

from __future__ import annotations

import pytest

from tokutei.approvals import services as approvals
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import Medium, RoomEntry
from tokutei.registers.services import assets, media, rooms


def test_a_vendor_entry_without_an_escort_is_refused_in_000(officers000):
    admin, operator = officers000["sys_admin"], officers000["operator"]
    room = rooms.register_room(actor=Actor.console(admin), name="端末室A", room_class="l1")
    with pytest.raises(Refused, match="立会者"):
        rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                           affiliation="株式会社保守", purpose="端末の保守", identification="社員証", name_tag="V-3")
    refusal = Entry.objects.get(action="room.entry", result="refused")
    assert refusal.article == "000 §13.4"
    assert not RoomEntry.objects.exists()
    entry = rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                               affiliation="株式会社保守", purpose="端末の保守", identification="社員証",
                               name_tag="V-3", escort=operator)
    assert entry.escort == operator and Entry.objects.filter(action="room.entry", result="ok").count() == 1


def test_a_vendor_without_identification_is_refused_and_the_escort_must_be_an_operator(officers000):
    admin = officers000["sys_admin"]
    room = rooms.register_room(actor=Actor.console(admin), name="端末室A", room_class="l1")
    with pytest.raises(Refused, match="本人確認と名札"):
        rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="visitor", visitor_name="来訪 花子",
                           purpose="見学", escort=officers000["operator"])
    with pytest.raises(Refused, match="立会者は システム操作者"):
        rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                           purpose="保守", identification="社員証", name_tag="V-1", escort=officers000["chief"])


def test_a_vendor_entry_without_an_escort_is_refused_in_002(activate, make_user):
    activate("sayama")
    owner = make_user("johosys", "sys_pm")
    staff = make_user("shokuin", "staff", tasks=["x"])
    room = rooms.register_room(actor=Actor.console(owner), name="サーバ室", room_class="system_room")
    with pytest.raises(Refused, match="立会者"):
        rooms.record_entry(actor=Actor.console(owner), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                           purpose="保守", identification="社員証", name_tag="V-1")
    assert Entry.objects.get(action="room.entry", result="refused").article == "002 §36.1"
    rooms.record_entry(actor=Actor.console(owner), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                       purpose="保守", identification="社員証", name_tag="V-1", escort=staff)  # any member of staff


def test_staff_enter_a_level_room_only_with_a_permission_in_force_which_the_entry_links(officers000):
    admin, operator = officers000["sys_admin"], officers000["operator"]
    room = rooms.register_room(actor=Actor.console(admin), name="端末室A", room_class="l1")
    with pytest.raises(Refused, match="入室許可がありません"):
        rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="staff", person=operator,
                           purpose="業務")
    req = approvals.create_request(actor=Actor.console(officers000["site_admin"]), operation="room_entry_l1",
                                   subject=operator)
    approvals.decide(actor=Actor.console(admin), request_id=req.pk, approve=True)
    entry = rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="staff", person=operator,
                               purpose="業務")
    assert entry.permission == req
    rooms.record_exit(actor=Actor.console(admin), entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.exited_at is not None


def test_a_medium_or_terminal_in_a_room_of_the_wrong_class_is_flagged(officers000):
    admin = officers000["sys_admin"]
    media_room = rooms.register_room(actor=Actor.console(admin), name="媒体保管室", room_class="l3")
    terminal_room = rooms.register_room(actor=Actor.console(admin), name="端末室", room_class="l1")
    m = media.register_medium(actor=Actor.console(admin), label="M-1", kind="usb", storage_place="端末室")
    assets.place_medium(actor=Actor.console(admin), medium_id=m.pk, room_id=terminal_room.pk)
    pc = assets.register_asset(actor=Actor.console(admin), tag="PC-1", name="業務端末1", kind="terminal",
                               room_id=media_room.pk)
    flagged = {f["label"]: f for f in rooms.misplaced()}
    assert set(flagged) == {"M-1", str(pc)}
    assert "記録媒体の保管室" in flagged["M-1"]["expected"]
    assets.place_medium(actor=Actor.console(admin), medium_id=m.pk, room_id=media_room.pk)
    assets.change_asset(actor=Actor.console(admin), asset_id=pc.pk, room_id=terminal_room.pk)
    assert rooms.misplaced() == []
    assert Medium.objects.get().storage_place == "媒体保管室"


def test_a_measure_is_checked_with_its_evidence(officers000):
    admin = officers000["sys_admin"]
    room = rooms.register_room(actor=Actor.console(admin), name="端末室", room_class="l1")
    rooms.check_measure(actor=Actor.console(admin), room_id=room.pk, measure="名札の着用", in_place=True,
                        evidence="点検記録 R8-04")
    state = {s["measure"]: s["check"] for s in rooms.measures_state(room)}
    assert state["名札の着用"].evidence == "点検記録 R8-04" and state["入退室管理簿への記入"] is None


def test_only_the_keepers_register_rooms(officers000):
    with pytest.raises(Refused):
        rooms.register_room(actor=Actor.console(officers000["operator"]), name="端末室", room_class="l1")
