"""Information assets and terminals (000 §18; 002 §31–34). Issue 17.

* an asset has a kind, owner, room, classification and status; the registered terminals of the staff app are
  assets (``sync_terminals`` adds the missing ones, linked);
* a terminal is taken out or brought in only with the profile's approval (002: the 保護管理者, E-18), used
  once, naming that terminal — ``terminal_carry_out`` / ``terminal_bring_in`` in the approval engine;
* the allow-list of recording devices per terminal (002 §34, E-17) is kept here. The system cannot block a
  USB port: the terminal-management tool does, and its report of connections is imported (CSV) and each
  connection of a device not on the list is flagged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals.services import consume_approval, require_approval
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import get_profile

from ..models import AllowedDevice, Asset, DeviceConnection, Medium, Room, TerminalMovement
from ..rules import asset_article, device_article

MOVEMENT_OPERATION = {"out": "terminal_carry_out", "in": "terminal_bring_in"}


def _no(actor: Actor, message: str, *, action: Action, code: str, target: tuple[str, Any], article: str = "",
        details: dict | None = None):
    return refuse(message, action=str(action), article=article or asset_article(get_profile()), code=code,
                  target_type=target[0], target_id=target[1], details=details or {}, **actor.log_fields())


def _room(actor: Actor, action: Action, room_id: int | None) -> Room | None:
    if room_id in (None, ""):
        return None
    room = Room.objects.filter(pk=room_id, retired_at__isnull=True).first()
    if room is None:
        raise _no(actor, _("室・区域が見つかりません"), action=action, code="not_found", target=("room", room_id))
    return room


def register_asset(*, actor: Actor, tag: str, name: str, kind: str, owner=None, room_id: int | None = None,
                   classification: str = "", acquired_on: dt.date | None = None, terminal=None) -> Asset:
    """An information asset (R-ASSET-1)."""
    require(actor, Action.ASSET_REGISTER, target=("asset", tag[:60]))
    if kind not in Asset.Kind.values or not tag.strip() or not name.strip():
        raise _no(actor, _("資産番号・名称・種別を入力してください"), action=Action.ASSET_REGISTER, code="invalid",
                  target=("asset", tag[:60]))
    room = _room(actor, Action.ASSET_REGISTER, room_id)
    try:
        with transaction.atomic(durable=True):
            asset = Asset.objects.create(tag=tag.strip()[:60], name=name.strip()[:200], kind=kind, owner=owner,
                                         room=room, classification=classification.strip()[:60],
                                         acquired_on=acquired_on, terminal=terminal, created_by=actor.user)
            record(action=Action.ASSET_REGISTER, **actor.log_fields(), target_type="asset", target_id=asset.pk,
                   details={"kind": kind, "room_id": getattr(room, "pk", None),
                            "terminal_id": getattr(terminal, "pk", None)})
    except IntegrityError:
        raise _no(actor, _("この資産番号（又は端末）は既に登録されています"), action=Action.ASSET_REGISTER,
                  code="duplicate", target=("asset", tag[:60])) from None
    return asset


def sync_terminals(*, actor: Actor) -> int:
    """The registered terminals (staff app) that are not yet assets become assets of kind terminal."""
    from tokutei.staff.models import Terminal

    require(actor, Action.ASSET_REGISTER, target=("asset", "terminals"))
    missing = list(Terminal.objects.filter(asset__isnull=True, revoked_at__isnull=True, is_service_client=False))
    if not missing:
        return 0
    with transaction.atomic(durable=True):
        for t in missing:
            tag = (t.asset_tag or f"T-{t.pk:04d}")[:60]
            if Asset.objects.filter(tag=tag).exists():
                tag = f"T-{t.pk:04d}"
            Asset.objects.create(tag=tag, name=t.name, kind=Asset.Kind.TERMINAL, terminal=t, created_by=actor.user,
                                 classification=_("登録端末"))
        record(action=Action.ASSET_REGISTER, **actor.log_fields(), target_type="asset", target_id="terminals",
               count=len(missing), details={"terminal_ids": [t.pk for t in missing]})
    return len(missing)


def change_asset(*, actor: Actor, asset_id: int, room_id: int | None = None, status: str | None = None,
                 owner=None) -> Asset:
    """A new room, status (廃棄 with the date) or owner for an asset."""
    asset = get_or_refuse(actor, Action.ASSET_CHANGE, Asset.objects.all(), pk=asset_id)
    room = _room(actor, Action.ASSET_CHANGE, room_id)
    if status is not None and status not in Asset.Status.values:
        raise _no(actor, _("状態が正しくありません"), action=Action.ASSET_CHANGE, code="invalid",
                  target=("asset", asset.pk))
    fields: list[str] = []
    with transaction.atomic(durable=True):
        if room is not None:
            asset.room, fields = room, [*fields, "room"]
        if status is not None:
            asset.status, fields = status, [*fields, "status"]
            if status == Asset.Status.DISPOSED:
                asset.disposed_on, fields = timezone.localdate(), [*fields, "disposed_on"]
        if owner is not None:
            asset.owner, fields = owner, [*fields, "owner"]
        if fields:
            asset.save(update_fields=fields)
        record(action=Action.ASSET_CHANGE, **actor.log_fields(), target_type="asset", target_id=asset.pk,
               details={"changed": fields, "room_id": asset.room_id, "status": asset.status})
    return asset


def place_medium(*, actor: Actor, medium_id: int, room_id: int) -> Medium:
    """The room a recording medium is kept in (R-MED-2, R-ROOM-8)."""
    medium = get_or_refuse(actor, Action.MEDIA_MOVE, Medium.objects.all(), pk=medium_id)
    room = _room(actor, Action.MEDIA_MOVE, room_id)
    with transaction.atomic(durable=True):
        medium.room = room
        medium.storage_place = str(room)[:200] if room is not None else medium.storage_place
        medium.save(update_fields=["room", "storage_place"])
        record(action=Action.MEDIA_MOVE, **actor.log_fields(), target_type="medium", target_id=medium.pk,
               details={"room_id": getattr(room, "pk", None)})
    return medium


# --- 端末の持出し・持込み (002 §32.2, E-18) -------------------------------------------------------------------


def move_terminal(*, actor: Actor, asset_id: int, direction: str, reason: str,
                  approval_id: int | str | None = None) -> TerminalMovement:
    """Take a terminal out or bring one in: the profile's approval, naming this terminal, used once."""
    asset = get_or_refuse(actor, Action.TERMINAL_MOVEMENT, Asset.objects.filter(kind=Asset.Kind.TERMINAL),
                          pk=asset_id)
    target = ("asset", asset.pk)
    if direction not in MOVEMENT_OPERATION or not reason.strip():
        raise _no(actor, _("持出し・持込みの別と目的を入力してください"), action=Action.TERMINAL_MOVEMENT,
                  code="invalid", target=target)
    operation = MOVEMENT_OPERATION[direction]

    def scope(p: dict[str, Any]) -> str | None:
        named = [str(v) for v in (p.get("asset_id"), p.get("terminal_id")) if v not in (None, "")]
        if not named:
            return _("承認に端末が指定されていません")
        if str(asset.pk) != str(p.get("asset_id", "")) and str(asset.terminal_id or "") != str(p.get("terminal_id", "")):
            return _("端末が承認と異なります")
        return None

    approval = require_approval(operation=operation, actor=actor, approval_id=approval_id, particulars_check=scope,
                                action=Action.TERMINAL_MOVEMENT, target_type="asset", target_id=asset.pk)
    with transaction.atomic(durable=True):
        if approval is not None:
            consume_approval(request_id=approval.pk, operation=operation, actor=actor, check=scope)
        movement = TerminalMovement.objects.create(asset=asset, direction=direction, reason=reason.strip()[:200],
                                                   approval=approval, by=actor.user)
        asset.status = Asset.Status.OUT if direction == "out" else Asset.Status.IN_USE
        asset.save(update_fields=["status"])
        record(action=Action.TERMINAL_MOVEMENT, **actor.log_fields(), target_type="asset", target_id=asset.pk,
               article=approval.article if approval is not None else "",
               details={"direction": direction, "approval_id": getattr(approval, "pk", None)})
    return movement


# --- 記録機能付機器の許可一覧 (002 §34, E-17) -------------------------------------------------------------------


def allow_device(*, actor: Actor, asset_id: int, device: str, identifier: str) -> AllowedDevice:
    asset = get_or_refuse(actor, Action.DEVICE_ALLOW, Asset.objects.filter(kind=Asset.Kind.TERMINAL), pk=asset_id)
    if not device.strip() or not identifier.strip():
        raise _no(actor, _("機器・媒体と識別番号を入力してください"), action=Action.DEVICE_ALLOW, code="invalid",
                  article=device_article(get_profile()),
                  target=("asset", asset.pk))
    with transaction.atomic(durable=True):
        allowed = AllowedDevice.objects.create(asset=asset, device=device.strip()[:100],
                                               identifier=identifier.strip()[:100], permitted_by=actor.user,
                                               permitted_on=timezone.localdate())
        record(action=Action.DEVICE_ALLOW, **actor.log_fields(), target_type="asset", target_id=asset.pk,
               details={"allowed_id": allowed.pk, "removed": False})
    return allowed


def remove_device(*, actor: Actor, allowed_id: int) -> AllowedDevice:
    allowed = get_or_refuse(actor, Action.DEVICE_ALLOW, AllowedDevice.objects.filter(removed_on__isnull=True),
                            pk=allowed_id)
    with transaction.atomic(durable=True):
        allowed.removed_on = timezone.localdate()
        allowed.save(update_fields=["removed_on"])
        record(action=Action.DEVICE_ALLOW, **actor.log_fields(), target_type="asset", target_id=allowed.asset_id,
               details={"allowed_id": allowed.pk, "removed": True})
    return allowed


def on_list(asset: Asset, identifier: str, day: dt.date) -> bool:
    return AllowedDevice.objects.filter(asset=asset, identifier=identifier, permitted_on__lte=day).exclude(
        removed_on__lt=day).exists()


CSV_COLUMNS = ("端末", "識別番号", "機器", "接続日時")


def _parse_moment(text: str) -> dt.datetime:
    text = text.strip().replace("/", "-").replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValueError(text)


def import_connections(*, actor: Actor, data: bytes | str) -> dict[str, int]:
    """Import the terminal-management tool's report (CSV, UTF-8 with or without BOM; columns 端末 (the asset
    number or the terminal's name), 識別番号, 機器, 接続日時). Returns counts; connections off the list are
    flagged (``allowed=False``). A row already imported is skipped. Bad rows are refused as a whole."""
    require(actor, Action.DEVICE_IMPORT, target=("asset", "connections"))
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or any(c not in reader.fieldnames for c in ("端末", "識別番号", "接続日時")):
        raise _no(actor, _("CSV の見出しは「%(cols)s」にしてください") % {"cols": ",".join(CSV_COLUMNS)},
                  action=Action.DEVICE_IMPORT, code="invalid", article=device_article(get_profile()),
                  target=("asset", "connections"))
    terminals = {a.tag: a for a in Asset.objects.filter(kind=Asset.Kind.TERMINAL).select_related("terminal")}
    terminals.update({a.terminal.name: a for a in terminals.copy().values() if a.terminal is not None})
    rows = []
    for n, line in enumerate(reader, start=2):
        asset = terminals.get((line.get("端末") or "").strip())
        try:
            at = _parse_moment(line.get("接続日時") or "")
        except ValueError:
            at = None
        identifier = (line.get("識別番号") or "").strip()[:100]
        if asset is None or at is None or not identifier:
            raise _no(actor, _("%(n)d行目: 端末・識別番号・接続日時を確認してください") % {"n": n},
                      action=Action.DEVICE_IMPORT, code="invalid", article=device_article(get_profile()),
                  target=("asset", "connections"))
        rows.append((asset, identifier, (line.get("機器") or "").strip()[:100], at))
    added = flagged = 0
    with transaction.atomic(durable=True):
        for asset, identifier, device, at in rows:
            if DeviceConnection.objects.filter(asset=asset, identifier=identifier, connected_at=at).exists():
                continue
            allowed = on_list(asset, identifier, timezone.localtime(at).date())
            DeviceConnection.objects.create(asset=asset, identifier=identifier, device=device, connected_at=at,
                                            allowed=allowed, imported_by=actor.user)
            added += 1
            flagged += 0 if allowed else 1
        record(action=Action.DEVICE_IMPORT, **actor.log_fields(), target_type="asset", target_id="connections",
               count=max(added, 1), details={"rows": len(rows), "added": added, "not_allowed": flagged})
    return {"rows": len(rows), "added": added, "not_allowed": flagged}
