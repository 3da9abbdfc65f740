"""Demo data: a medium, a document and a planned carry-out (with its approval request, where one is needed);
one room of each class with the entry/exit book (a member of staff, a vendor with identification, name tag and
escort), the terminals as assets in their rooms with their device allow-lists, a terminal taken out and brought
back (with the approvals, where the profile names them), a 照合情報 line, and 004's 情報連携システムIDs.

Generic over profiles: everything goes through the services and the approvals the profile names, by holders
of the roles the profile gives; what a profile does not keep is left out (demo_registers.py).
"""

from __future__ import annotations

from tokutei.approvals import services
from tokutei.approvals.demo import _holder
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile

from .services import media


def load() -> list[str]:
    profile = get_profile()
    lines: list[str] = []
    admin = _holder(profile.admin_roles())
    handler = _holder(profile.handler_roles())
    if admin is None or handler is None:
        return lines
    try:
        medium = media.register_medium(actor=Actor.console(admin), label="DEMO-M-001", kind="optical",
                                       storage_place="記録媒体保管庫（施錠）", record_count=120,
                                       content_summary="デモ用 年次処理データ")
        media.register_document(actor=Actor.console(admin), title="システム運用手順書（デモ）", kind="operation",
                                storage_place="総務担当 書庫")
        policy = media.carry_out_policy(profile)
        protection = next(iter(policy.protection_any_of or policy.protection_all_of or {"strict_packaging": ""}))
        purpose = next(iter(policy.allowed_purposes), "")
        co = media.create_carry_out(actor=Actor.console(handler), counterparty="デモ提出先", media_type=medium.get_kind_display(),
                                    quantity=1, record_count=medium.record_count, protections=[protection],
                                    purpose_key=purpose, medium_id=medium.pk)
        if policy.approval and services.rule_for(policy.approval, profile):
            req = media.request_carry_out_approval(actor=Actor.console(handler), carry_out_id=co.pk)
            lines.append(f"承認待ち: 持出しの承認申請 #{req.pk}（申請者 {handler.username}）")
    except Refused as exc:  # a demo must not stop the whole demo load
        lines.append(f"記録簿デモの一部を作成できませんでした: {exc}")
    lines += _rooms_and_assets(profile)
    from . import demo_registers

    lines += demo_registers.load(profile)
    return lines


def _rooms_and_assets(profile) -> list[str]:
    """One room of each class of the profile, and the registered terminals as assets (issue 17)."""
    from tokutei.auditlog.actions import Action
    from tokutei.policy import decide

    from .rules import ROOM_REGISTER_KEYS, typed_keepers
    from .services import assets, rooms

    lines: list[str] = []
    keeper = _holder(typed_keepers(profile, ROOM_REGISTER_KEYS))
    if keeper is None or not profile.rooms:
        return lines
    actor = Actor.console(keeper)
    try:
        if decide(actor, Action.ROOM_REGISTER):
            for key, cls in profile.rooms.items():
                rooms.register_room(actor=actor, name=f"{cls.ja[:40]}（デモ）", room_class=key)
            lines.append(f"室・区域: {len(profile.rooms)} 件（{keeper.username}）")
        if decide(actor, Action.ASSET_REGISTER):
            lines.append(f"情報資産: 登録端末 {assets.sync_terminals(actor=actor)} 台")
    except Refused as exc:
        lines.append(f"室・区域デモの一部を作成できませんでした: {exc}")
    return lines
