"""The typed registers' demo entries (issue 17), after the rooms and terminal assets of ``demo.py``.

Each part goes through the services, by a holder of the roles the profile gives, and only where the profile
keeps it; a part the profile refuses is reported as a line and the rest still loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import struct

from django.conf import settings
from django.utils import timezone

from tokutei.approvals import services as approvals
from tokutei.approvals.demo import _holder
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.actions import Action
from tokutei.core.errors import Refused
from tokutei.policy import Actor, decide
from tokutei.staff.models import User

from .models import Asset, Medium, Room
from .rules import ASSET_REGISTER_KEYS, LINKAGE_REGISTER_KEY, room_keepers, typed_keepers
from .services import assets, linkage, rooms

VENDOR = {"visitor_name": "保守 健一（デモ）", "affiliation": "デモ保守株式会社", "identification": "社員証（写真付き）",
          "name_tag": "V-01"}


class _Gap(Exception):
    """Something the demo needs is missing from the demo staff (no approver of a step)."""


def load(profile) -> list[str]:
    lines: list[str] = []
    for part in (_entry_book, _assets_in_rooms, _allow_lists, _terminal_out_and_back, _biometric, _linkage_ids):
        try:
            lines += part(profile)
        except (Refused, _Gap) as exc:  # a demo must not stop the whole demo load
            lines.append(f"記録簿デモの一部を作成できませんでした: {exc}")
    return lines


def _room_for(kind: str) -> Room | None:
    """A demo room whose class holds ``kind`` (R-ROOM-8), else the first one."""
    held = rooms.classes_for(kind)
    found = Room.objects.filter(room_class__in=held).order_by("id").first() if held else None
    return found or Room.objects.order_by("id").first()


def _approver(req: ApprovalRequest, not_: User) -> User | None:
    """Someone who may decide a step of ``req`` now (the roles of its steps, within their reach)."""
    from tokutei.approvals.selectors import can_decide_now

    roles = {r for step in req.rule.get("steps", []) for r in step["roles"]}
    from tokutei.staff.selectors import holders_of

    for role in sorted(roles):
        for user in holders_of(role).exclude(pk=not_.pk).order_by("id"):
            if can_decide_now(req, user) and decide(Actor.console(user), Action.APPROVALS_APPROVE, req):
                return user
    return None


def _approved(operation: str, applicant: User, *, subject=None, particulars=None) -> ApprovalRequest | None:
    """Apply for ``operation`` and have every step approved; None where the profile names no such approval."""
    if approvals.rule_for(operation) is None:
        return None
    req = approvals.create_request(actor=Actor.console(applicant), operation=operation, subject=subject,
                                   particulars={"note": "デモ申請", **(particulars or {})})
    for _step in req.rule.get("steps", []):
        req.refresh_from_db()
        if req.status != ApprovalRequest.Status.PENDING:
            break
        approver = _approver(req, applicant)
        if approver is None:
            raise _Gap(f"{req.rule.get('ja', operation)}の承認者がいません")
        approvals.decide(actor=Actor.console(approver), request_id=req.pk, approve=True, comment="デモ承認")
    req.refresh_from_db()
    return req


def _entry_book(profile) -> list[str]:
    """入退室管理簿: a vendor with identification, name tag and escort (E-20); a member of staff where the room
    needs no entry permission (E-19)."""
    keeper = _holder(room_keepers(profile))
    with_visitors = [k for k, c in profile.rooms.items() if c.visitors is not None]  # E-20 applies there
    room = (Room.objects.filter(room_class__in=with_visitors).order_by("id").first()
            or Room.objects.order_by("id").first())
    if keeper is None or room is None:
        return []
    actor = Actor.console(keeper)
    cls = rooms.room_class(room)
    rule = cls.visitors if cls is not None else None
    escort = (_holder(rule.escort_roles) if rule is not None and rule.escort_roles else None) or keeper
    now = timezone.now()
    vendor = rooms.record_entry(actor=actor, room_id=room.pk, kind="vendor", purpose="端末の定期保守（デモ）",
                                entered_at=now - dt.timedelta(hours=3), escort=escort, **VENDOR)
    rooms.record_exit(actor=actor, entry_id=vendor.pk, exited_at=now - dt.timedelta(hours=2))
    lines = [f"入退室管理簿: {room.name} に業者の入退室（立会者 {escort.username}）"]
    handler = _holder(profile.handler_roles())
    if handler is not None and rooms.permission_operation(room) is None:
        rooms.record_entry(actor=actor, room_id=room.pk, kind="staff", person=handler, purpose="書類の保管（デモ）",
                           entered_at=now - dt.timedelta(hours=1))
    return lines


def _assets_in_rooms(profile) -> list[str]:
    """The terminal assets, a server and the demo medium in rooms of the classes that hold them (R-ROOM-8)."""
    keeper = _holder(typed_keepers(profile, ASSET_REGISTER_KEYS))
    if keeper is None or not Room.objects.exists() or not decide(Actor.console(keeper), Action.ASSET_REGISTER):
        return []
    actor = Actor.console(keeper)
    room = _room_for("terminal")
    for asset in Asset.objects.filter(kind=Asset.Kind.TERMINAL, room__isnull=True):
        assets.change_asset(actor=actor, asset_id=asset.pk, room_id=room.pk if room else None, owner=keeper)
    server_room = _room_for("server")
    assets.register_asset(actor=actor, tag="DEMO-SV-01", name="個人番号管理サーバ（デモ）", kind="server",
                          classification="機密性3", owner=keeper, room_id=server_room.pk if server_room else None)
    medium = Medium.objects.filter(label="DEMO-M-001").first()
    media_room = _room_for("medium")
    admin = _holder(profile.admin_roles())
    if medium is not None and media_room is not None and admin is not None \
            and decide(Actor.console(admin), Action.MEDIA_MOVE):
        assets.place_medium(actor=Actor.console(admin), medium_id=medium.pk, room_id=media_room.pk)
    return [f"情報資産: 端末・サーバを室に配置（{keeper.username}）"]


def _allow_lists(profile) -> list[str]:
    """E-17: one allowed USB memory per terminal (the system cannot block a port; the list is for checking)."""
    keeper = _holder(typed_keepers(profile, ASSET_REGISTER_KEYS))
    if keeper is None or not decide(Actor.console(keeper), Action.DEVICE_ALLOW):
        return []
    terminals = list(Asset.objects.filter(kind=Asset.Kind.TERMINAL).order_by("id"))
    for n, asset in enumerate(terminals, start=1):
        assets.allow_device(actor=Actor.console(keeper), asset_id=asset.pk, device="暗号化USBメモリ（デモ）",
                            identifier=f"DEMO-USB-{n:04d}")
    return [f"接続を許可する機器: 端末 {len(terminals)} 台に登録"] if terminals else []


def _terminal_out_and_back(profile) -> list[str]:
    """E-18: a terminal taken out for training and brought back, each with its approval where the profile names
    one (002: the 保護管理者's), else recorded without."""
    asset = Asset.objects.filter(kind=Asset.Kind.TERMINAL).order_by("id").first()
    mover = _holder(profile.handler_roles())
    if asset is None or mover is None or not decide(Actor.console(mover), Action.TERMINAL_MOVEMENT):
        return []
    lines = []
    for direction, operation, reason in (("out", "terminal_carry_out", "研修会場へ持出し（デモ）"),
                                         ("in", "terminal_bring_in", "研修会場から持込み（デモ）")):
        rule = approvals.rule_for(operation)
        applicant = (_holder(rule.applicant_roles) if rule is not None and rule.applicant_roles else None) or mover
        approval = _approved(operation, applicant, particulars={"asset_id": asset.pk})
        assets.move_terminal(actor=Actor.console(applicant), asset_id=asset.pk, direction=direction, reason=reason,
                             approval_id=approval.pk if approval else None)
        lines.append(f"端末の{'持出し' if direction == 'out' else '持込み'}: {asset.tag}"
                     + (f"（承認 #{approval.pk}）" if approval else "（承認を要しない組織）"))
    return lines


def _biometric(profile) -> list[str]:
    """照合情報管理簿: an authenticator enrolled (with the 拠点管理者's approved application where the profile
    requires it, E-10) and then deleted by the administrator's reset (with its approved deletion), so the line
    shows both dates. The demo key is thrown away: nobody is left with an authenticator they do not hold."""
    from tokutei.staff import factors
    from tokutei.staff.selectors import allowed_factor_kinds
    from tokutei.staff.services import reset_credentials

    from .services.ids import DELETE_OPERATION, REGISTER_OPERATION

    admin, person = _holder(profile.admin_roles()), _holder(profile.handler_roles())
    if "webauthn" not in allowed_factor_kinds() or admin is None or person is None or admin == person:
        return []

    def applicant(operation: str) -> User:
        rule = approvals.rule_for(operation)
        return (_holder(rule.applicant_roles) if rule is not None and rule.applicant_roles else None) or admin

    _approved(REGISTER_OPERATION, applicant(REGISTER_OPERATION), subject=person)
    options, challenge = factors.registration_options(person)
    factors.enrol_webauthn(user=person, challenge=challenge, response=_demo_attestation(options),
                           name="生体認証（デモ）")
    deletion = _approved(DELETE_OPERATION, applicant(DELETE_OPERATION), subject=person)
    reset_credentials(actor=Actor.console(admin), user=person, second_factors=True,
                      approval_id=deletion.pk if deletion else None)
    return [f"照合情報管理簿: {person.username} の登録と削除（機器の更新、デモ）"]


def _demo_attestation(options_json: str) -> str:
    """A registration response of a throw-away software authenticator ("none" attestation, user verified)."""
    import cbor2
    from cryptography.hazmat.primitives.asymmetric import ec
    from webauthn.helpers import bytes_to_base64url

    options = json.loads(options_json)
    numbers = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()  # the key is thrown away
    credential_id = secrets.token_bytes(32)
    cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
    auth_data = (hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([0x01 | 0x04 | 0x40])
                 + struct.pack(">I", 0) + bytes(16) + struct.pack(">H", len(credential_id)) + credential_id + cose)
    client_data = json.dumps({"type": "webauthn.create", "challenge": options["challenge"],
                              "origin": next(iter(settings.WEBAUTHN_ORIGINS)), "crossOrigin": False}).encode()
    cid = bytes_to_base64url(credential_id)
    return json.dumps({"id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {}, "response": {
        "clientDataJSON": bytes_to_base64url(client_data),
        "attestationObject": bytes_to_base64url(cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data}))}})


def _linkage_ids(profile) -> list[str]:
    """004 §14(2), §14(7), E-44: the applications to the 連合会 and an ID activated on one."""
    officer = _holder(typed_keepers(profile, (LINKAGE_REGISTER_KEY,)))
    if LINKAGE_REGISTER_KEY not in profile.registers or officer is None:
        return []
    from tokutei.staff.selectors import holders_of

    handlers = [u for k in sorted(profile.handler_roles()) for u in holders_of(k).order_by("id")][:2]
    today = timezone.localdate()
    actor = Actor.console(officer)
    for n, handler in enumerate(handlers, start=1):
        linkage.record_application(actor=actor, holder=handler, applied_on=today - dt.timedelta(days=14),
                                   reference=f"DEMO-RENGO-{n:03d}")
    if handlers:
        linkage.activate(actor=actor, holder=handlers[0], linkage_id="DEMO-NK-0001",
                         issued_on=today - dt.timedelta(days=7), activated_on=today - dt.timedelta(days=6))
    return [f"情報連携システムID: 申請 {len(handlers)} 件、利用開始 {min(len(handlers), 1)} 件"]
