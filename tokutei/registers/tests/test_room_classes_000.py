"""000 §13.3–§13.4 apply to every room class: a vendor entering the media store (L3) or the server room (L2)
fills in the entry book, wears a name tag and is escorted by a システム操作者, as in the terminal room (L1)."""

from __future__ import annotations

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import RoomEntry
from tokutei.registers.services import rooms


@pytest.mark.parametrize("room_class", ["l3", "l2", "l1"])
def test_000_a_vendor_needs_a_name_tag_and_an_operators_escort_in_every_room_class(officers000, room_class):
    admin, operator = officers000["sys_admin"], officers000["operator"]
    room = rooms.register_room(actor=Actor.console(admin), name=f"室{room_class}", room_class=room_class)
    with pytest.raises(Refused, match="立会者"):
        rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                           affiliation="株式会社保守", purpose="機器の保守", identification="社員証", name_tag="V-1")
    with pytest.raises(Refused, match="立会者は システム操作者"):
        rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                           affiliation="株式会社保守", purpose="機器の保守", identification="社員証", name_tag="V-1",
                           escort=officers000["chief"])
    assert set(Entry.objects.filter(action="room.entry", result="refused").values_list("article", flat=True)) \
        == {"000 §13.4"}
    entry = rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                               affiliation="株式会社保守", purpose="機器の保守", identification="社員証",
                               name_tag="V-1", escort=operator)
    assert RoomEntry.objects.get() == entry and entry.name_tag == "V-1"
    rooms.record_exit(actor=Actor.console(admin), entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.entered_at is not None and entry.exited_at is not None and entry.exited_at >= entry.entered_at
