"""Information assets and terminals (002 §31–34): the registered terminals are assets; a terminal is taken
out only with the 保護管理者's approval naming it, used once (E-18); the allow-list of recording devices is kept
and the terminal-management tool's connections are imported, each device off the list flagged (E-17)."""

from __future__ import annotations

import pytest

from tokutei.approvals import services as approvals
from tokutei.approvals.tests.conftest import a_unit
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import Asset, DeviceConnection
from tokutei.registers.services import assets


@pytest.fixture
def sayama(activate, make_user, make_terminal):
    activate("sayama")
    unit = a_unit()
    terminal, _credential = make_terminal("税務課端末1")
    return {
        "sys_pm": make_user("johosys", "sys_pm", unit=unit),
        "pm": make_user("zeimu_kacho", "pm", unit=unit),
        "staff": make_user("zeimu1", "staff", tasks=["x"], unit=unit),
        "terminal": terminal,
    }


def _terminal_asset(people):
    assets.sync_terminals(actor=Actor.console(people["sys_pm"]))
    return Asset.objects.get(terminal=people["terminal"])


def test_the_registered_terminals_become_assets_once(sayama):
    asset = _terminal_asset(sayama)
    assert asset.kind == "terminal" and asset.name == "税務課端末1"
    assert assets.sync_terminals(actor=Actor.console(sayama["sys_pm"])) == 0


def test_a_terminal_is_taken_out_only_with_the_protection_managers_approval_naming_it(sayama):
    asset = _terminal_asset(sayama)
    staff = Actor.console(sayama["staff"])
    with pytest.raises(Refused, match="保護管理者"):
        assets.move_terminal(actor=staff, asset_id=asset.pk, direction="out", reason="研修会場")
    assert Entry.objects.filter(action="asset.terminal_movement", result="refused").get().article == "002 §32.2"
    other = approvals.create_request(actor=staff, operation="terminal_carry_out", particulars={"asset_id": 99})
    approvals.decide(actor=Actor.console(sayama["pm"]), request_id=other.pk, approve=True)
    with pytest.raises(Refused, match="端末が承認と異なります"):
        assets.move_terminal(actor=staff, asset_id=asset.pk, direction="out", reason="研修会場", approval_id=other.pk)
    req = approvals.create_request(actor=staff, operation="terminal_carry_out",
                                   particulars={"terminal_id": sayama["terminal"].pk})
    approvals.decide(actor=Actor.console(sayama["pm"]), request_id=req.pk, approve=True)
    movement = assets.move_terminal(actor=staff, asset_id=asset.pk, direction="out", reason="研修会場",
                                    approval_id=req.pk)
    asset.refresh_from_db()
    assert movement.approval == req and asset.status == "out"
    with pytest.raises(Refused, match="既に使用"):
        assets.move_terminal(actor=staff, asset_id=asset.pk, direction="out", reason="再度", approval_id=req.pk)


def test_a_terminal_moves_without_an_approval_where_the_profile_requires_none(officers000):
    admin = officers000["sys_admin"]
    pc = assets.register_asset(actor=Actor.console(admin), tag="PC-1", name="業務端末1", kind="terminal")
    assert assets.move_terminal(actor=Actor.console(admin), asset_id=pc.pk, direction="out", reason="修理").approval is None


CSV = "端末,識別番号,機器,接続日時\n税務課端末1,USB-0001,USBメモリ（許可）,2026-04-02 10:00\n" \
      "税務課端末1,PHONE-9,スマートフォン,2026-04-02 11:00\n"


def test_connections_of_devices_off_the_allow_list_are_flagged_when_imported(sayama):
    asset = _terminal_asset(sayama)
    keeper = Actor.console(sayama["sys_pm"])
    allowed = assets.allow_device(actor=keeper, asset_id=asset.pk, device="USBメモリ（許可）", identifier="USB-0001")
    allowed.permitted_on = allowed.permitted_on.replace(year=2026, month=4, day=1)
    allowed.save(update_fields=["permitted_on"])
    counts = assets.import_connections(actor=keeper, data=("\ufeff" + CSV).encode())
    assert counts == {"rows": 2, "added": 2, "not_allowed": 1}
    flagged = DeviceConnection.objects.get(allowed=False)
    assert flagged.identifier == "PHONE-9"
    assert assets.import_connections(actor=keeper, data=CSV)["added"] == 0  # already imported
    entry = Entry.objects.get(action="asset.device_import", result="ok", details__added=2)
    assert entry.details["not_allowed"] == 1


def test_a_bad_connection_report_is_refused_as_a_whole(sayama):
    _terminal_asset(sayama)
    with pytest.raises(Refused, match="4行目"):
        assets.import_connections(actor=Actor.console(sayama["sys_pm"]),
                                  data=CSV + "知らない端末,X,Y,2026-04-02 12:00\n")
    assert not DeviceConnection.objects.exists()


def test_the_terminal_page_says_the_system_cannot_block_a_usb_port(client, sayama):
    asset = _terminal_asset(sayama)
    client.force_login(sayama["sys_pm"])
    page = client.get(f"/registers/assets/{asset.pk}/").content.decode()
    assert "USB ポートを制御できません" in page
