"""The demo loads for every shipped profile without a refusal and fills the registers (issue 17): the
entry/exit book with a vendor and their escort, the terminals in rooms with their device allow-lists, a
terminal taken out and brought back (with the approvals where the profile names them), a 照合情報 line, and —
in the demo's profile, 004 — the 情報連携システムIDs on their applications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tokutei.auditlog.models import Entry
from tokutei.registers import demo
from tokutei.registers.models import (
    AllowedDevice,
    Asset,
    BiometricRecord,
    LinkageId,
    RoomEntry,
    TerminalMovement,
)

PROFILES = ["hyogo-kyosai", "sendai-kyosai", "kokubunji", "sayama", "inabe"]


@pytest.fixture
def demo_staff(settings):
    from tokutei.staff import demo as staff_demo
    from tokutei.staff.models import RoleAssignment, User

    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = ["http://localhost:8000"]

    def load(profile):
        admin = User.objects.create_user(username="admin", password="x" * 16)
        for key in profile.admin_roles():
            RoleAssignment.objects.create(user=admin, role_key=key, basis="bootstrap", start_date="2020-04-01")
        staff_demo.load()
        return admin
    return load


@pytest.mark.parametrize("name", PROFILES)
def test_the_registers_demo_loads_without_refusals_in_every_profile(activate, demo_staff, name):
    profile = activate(name)
    demo_staff(profile)
    lines = demo.load()
    assert lines and not any("できませんでした" in line for line in lines), lines
    assert not Entry.objects.filter(result="refused").exists(), list(
        Entry.objects.filter(result="refused").values_list("action", "details"))
    vendor = RoomEntry.objects.get(kind="vendor")
    assert vendor.escort is not None and vendor.name_tag and vendor.identification and vendor.exited_at
    terminals = Asset.objects.filter(kind="terminal")
    assert terminals.exists() and not terminals.filter(room__isnull=True).exists()
    assert AllowedDevice.objects.filter(asset__in=terminals).count() == terminals.count()
    assert set(TerminalMovement.objects.values_list("direction", flat=True)) == {"out", "in"}
    needs = {op for op in ("terminal_carry_out", "terminal_bring_in") if op in profile.approvals}
    assert TerminalMovement.objects.filter(approval__isnull=False).count() == len(needs)


def test_the_demo_takes_a_terminal_out_with_the_protection_managers_approval_in_002(activate, demo_staff):
    demo_staff(activate("sayama"))
    demo.load()
    out = TerminalMovement.objects.get(direction="out")
    assert out.approval is not None and out.approval.operation == "terminal_carry_out"
    assert out.approval.status == "used" and out.approval.particulars["asset_id"] == out.asset_id


def test_the_demo_of_004_shows_every_register_it_fills(activate, demo_staff, client):
    profile = activate("hyogo-kyosai")
    admin = demo_staff(profile)
    demo.load()
    line = BiometricRecord.objects.get()
    assert line.registered_at and line.deleted_at
    assert LinkageId.objects.filter(status="active").count() == 1
    assert LinkageId.objects.filter(status="applied").exists()
    client.force_login(admin)
    rooms_page = client.get(reverse("registers:room", args=[RoomEntry.objects.get(kind="vendor").room_id]))
    assert "保守 健一（デモ）" in rooms_page.content.decode()
    asset_page = client.get(reverse("registers:asset", args=[Asset.objects.filter(kind="terminal").earliest("id").pk]))
    assert "DEMO-USB-0001" in asset_page.content.decode() and "研修会場" in asset_page.content.decode()
    assert "B0" in client.get(reverse("registers:ids")).content.decode()


def test_every_demo_loader_runs_in_order_for_the_demo_profile_without_a_gap(activate, settings):
    """What ``make demo`` runs (every app's demo loader, tokutei.core.hooks) on the demo's profile, 004."""
    from tokutei.core.hooks import app_hooks
    from tokutei.staff.models import RoleAssignment, User

    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = ["http://localhost:8000"]
    profile = activate("hyogo-kyosai")
    admin = User.objects.create_user(username="admin", password="x" * 16)
    for key in profile.admin_roles():
        RoleAssignment.objects.create(user=admin, role_key=key, basis="bootstrap", start_date="2020-04-01")
    lines = [line for hook in app_hooks("demo_loader") for line in hook.target() or []]
    assert not any("できませんでした" in line for line in lines), lines
    assert any(line.startswith("入退室管理簿") for line in lines)
    assert any(line.startswith("情報連携システムID") for line in lines)
