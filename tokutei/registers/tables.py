"""Every register of this app as one printable table (issue 17): columns and rows of strings, the same for
the A4 print page and the Excel file. 和暦 dates as the forms write them; a 確認印 box where the form has one
(``registers[<key>].seal`` in the profile). People are shown by name and user ID; nothing of the vault.

``TABLES[name]`` → (title, the action that reads it, builder(actor) → (columns, rows), the profile register
whose form it prints, if any).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core import jdates
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile

Rows = tuple[list[str], list[list[str]]]


def day(value: Any) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{jdates.to_wareki(value.date())} {value:%H:%M}"
    return jdates.to_wareki(value)


def only_day(value: Any) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return jdates.to_wareki(value)


def person(user: Any) -> str:
    return f"{user.display_name}（{user.username}）" if user is not None else ""


def _media(actor: Actor) -> Rows:
    from .models import Medium

    qs = restrict(Medium.objects.select_related("custodian", "room"), actor, Action.REGISTERS_VIEW)
    cols = [_("媒体番号"), _("種類"), _("内容"), _("記録件数"), _("保管場所"), _("管理者"), _("状態"), _("登録日"),
            _("廃棄日"), _("廃棄方法")]
    return cols, [[m.label, m.get_kind_display(), m.content_summary, str(m.record_count),
                   str(m.room) if m.room_id else m.storage_place, person(m.custodian), m.get_status_display(),
                   only_day(m.created_at), only_day(m.disposed_at), m.disposal_method] for m in qs]


def _checks(actor: Actor) -> Rows:
    """点検記録: media fault checks (000 §11.6), document storage checks and room measure checks."""
    from .models import DocumentEvent, MediumCheck, RoomMeasureCheck

    cols = [_("点検日"), _("対象"), _("点検の内容"), _("結果"), _("根拠・備考"), _("点検者")]
    rows: list[tuple[Any, list[str]]] = []
    for c in MediumCheck.objects.select_related("medium", "recorded_by")[:2000]:
        rows.append((c.checked_at, [day(c.checked_at), c.medium.label, _("障害の有無"),
                                    _("障害あり") if c.has_fault else _("障害なし"), c.description,
                                    person(c.recorded_by)]))
    for e in DocumentEvent.objects.filter(kind=DocumentEvent.Kind.CHECK).select_related("document", "by"):
        rows.append((e.at, [day(e.at), e.document.title, _("保管状況の確認"), _("確認"), e.note, person(e.by)]))
    for r in RoomMeasureCheck.objects.select_related("room", "checked_by"):
        rows.append((r.checked_on, [only_day(r.checked_on), str(r.room), r.measure,
                                    _("実施済み") if r.in_place else _("未実施"), r.evidence, person(r.checked_by)]))
    rows.sort(key=lambda t: str(t[0]), reverse=True)
    return cols, [r for _at, r in rows]


def _carry_outs(actor: Actor) -> Rows:
    from .models import CarryOut

    qs = restrict(CarryOut.objects.select_related("medium", "requested_by", "approval"), actor, Action.REGISTERS_VIEW)
    cols = [_("No."), _("相手方"), _("記録媒体の種類"), _("数量"), _("記録件数"), _("目的"), _("状態"), _("計画者"),
            _("持出し日時"), _("返却・引渡し日時"), _("承認番号")]
    return cols, [[str(c.pk), c.counterparty, c.media_type, str(c.quantity), str(c.record_count),
                   c.purpose_note or c.purpose_key, c.get_status_display(), person(c.requested_by),
                   day(c.carried_out_at), day(c.closed_at), str(c.approval_id or "")] for c in qs]


def _documents(actor: Actor) -> Rows:
    from .models import Document

    qs = restrict(Document.objects.prefetch_related("events"), actor, Action.REGISTERS_VIEW)
    cols = [_("ドキュメント名"), _("種類"), _("保管場所"), _("状態"), _("複製・持出し・返却・廃棄の記録")]
    rows = []
    for d in qs:
        events = "／".join(f"{only_day(e.at)} {e.get_kind_display()}" for e in d.events.all()[:20])
        rows.append([d.title, d.get_kind_display(), d.storage_place, d.get_status_display(), events])
    return cols, rows


def _approvals(actor: Actor) -> Rows:
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.approvals.services import operation_title, status_now

    qs = restrict(ApprovalRequest.objects.select_related("requester", "subject"), actor, Action.APPROVALS_VIEW)
    cols = [_("承認番号"), _("操作"), _("申請者"), _("対象者"), _("申請日時"), _("承認日時"), _("状態"), _("使用日時")]
    labels = dict(ApprovalRequest.Status.choices)
    return cols, [[str(r.pk), operation_title(r.operation, r.rule), person(r.requester), person(r.subject),
                   day(r.created_at), day(r.approved_at), str(labels.get(status_now(r), r.status)), day(r.used_at)]
                  for r in qs.order_by("-created_at")[:2000]]


def _room_entries(actor: Actor) -> Rows:
    from .models import RoomEntry

    qs = restrict(RoomEntry.objects.select_related("room", "person", "escort", "permission"), actor,
                  Action.TYPED_REGISTERS_VIEW)
    rooms = get_profile().rooms
    cols = [_("入室日時"), _("退室日時"), _("室・区域（区分）"), _("区分"), _("氏名"), _("所属"), _("用件"),
            _("本人確認・名札"), _("立会者"), _("入室許可")]
    return cols, [[day(e.entered_at), day(e.exited_at),
                   f"{e.room}（{rooms[e.room.room_class].ja if e.room.room_class in rooms else e.room.room_class}）",
                   e.get_kind_display(), e.who, e.affiliation, e.purpose,
                   "／".join(x for x in (e.identification, e.name_tag) if x), person(e.escort),
                   f"No.{e.permission_id}" if e.permission_id else ""] for e in qs[:5000]]


def _rooms(actor: Actor) -> Rows:
    from .models import Room

    rooms = get_profile().rooms
    qs = restrict(Room.objects.prefetch_related("assets", "media"), actor, Action.TYPED_REGISTERS_VIEW)
    cols = [_("名称"), _("区分"), _("保管・設置されている資産・媒体"), _("備考")]
    return cols, [[r.name, rooms[r.room_class].ja if r.room_class in rooms else r.room_class,
                   "、".join([a.tag for a in r.assets.all()] + [m.label for m in r.media.all()]), r.note]
                  for r in qs]


def _assets(actor: Actor) -> Rows:
    from .models import Asset

    qs = restrict(Asset.objects.select_related("owner", "room", "terminal"), actor, Action.TYPED_REGISTERS_VIEW)
    cols = [_("資産番号"), _("名称"), _("種別"), _("分類"), _("設置場所"), _("管理者"), _("状態"), _("取得日"), _("廃棄日")]
    return cols, [[a.tag, a.name, a.get_kind_display(), a.classification, str(a.room or ""), person(a.owner),
                   a.get_status_display(), only_day(a.acquired_on), only_day(a.disposed_on)] for a in qs]


def _terminal_movements(actor: Actor) -> Rows:
    from .models import TerminalMovement

    qs = restrict(TerminalMovement.objects.select_related("asset", "by"), actor, Action.TYPED_REGISTERS_VIEW)
    cols = [_("日時"), _("端末"), _("区分"), _("目的・行先"), _("承認番号"), _("実施者")]
    return cols, [[day(m.at), str(m.asset), m.get_direction_display(), m.reason, str(m.approval_id or ""),
                   person(m.by)] for m in qs]


def _allowlist(actor: Actor) -> Rows:
    from .models import AllowedDevice

    qs = restrict(AllowedDevice.objects.select_related("asset", "permitted_by"), actor, Action.TYPED_REGISTERS_VIEW)
    cols = [_("端末"), _("機器・媒体"), _("識別番号"), _("許可者"), _("許可日"), _("許可の取消日")]
    return cols, [[str(d.asset), d.device, d.identifier, person(d.permitted_by), only_day(d.permitted_on),
                   only_day(d.removed_on)] for d in qs]


def _user_ids(actor: Actor) -> Rows:
    from .services.ids import user_id_rows

    cols = [_("ユーザID"), _("利用者"), _("交付日"), _("交付者"), _("状態"), _("失効日")]
    return cols, [[r["user_id"], r["holder"], only_day(r["issued_at"]), r["issued_by"], str(r["status"]),
                   only_day(r["returned_at"])] for r in user_id_rows()]


def _biometric(actor: Actor) -> Rows:
    from .models import BiometricRecord

    qs = BiometricRecord.objects.select_related("user", "register_approval__requester", "deleted_by")
    cols = [_("照合ID"), _("システム操作者"), _("登録日"), _("削除日"), _("申請者（拠点管理者）"), _("承認番号"),
            _("利用状況")]
    return cols, [[b.matching_id, person(b.user), only_day(b.registered_at), only_day(b.deleted_at),
                   person(b.register_approval.requester) if b.register_approval is not None else "",
                   "／".join(str(x) for x in (b.register_approval_id, b.delete_approval_id) if x),
                   _("削除済み") if b.deleted_at else _("利用中")] for b in qs]


def _linkage_ids(actor: Actor) -> Rows:
    """情報連携システムIDの申請・交付記録 (004 §14(2), §14(7)): the application to the 連合会 on each line."""
    from .models import LinkageId

    qs = LinkageId.objects.select_related("holder", "applied_by")
    cols = [_("事務取扱担当者"), _("連合会への申請日"), _("申請の受付番号"), _("申請者"), _("ID"), _("連合会の交付日"),
            _("利用開始日"), _("状態"), _("停止日"), _("返却日"), _("備考")]
    return cols, [[person(x.holder), only_day(x.applied_on), x.reference, person(x.applied_by), x.linkage_id,
                   only_day(x.issued_on), only_day(x.activated_on), x.get_status_display(), only_day(x.suspended_on),
                   only_day(x.returned_on), x.note] for x in qs]


def _operators(actor: Actor) -> Rows:
    from tokutei.staff.admin_views import register_columns
    from tokutei.staff.selectors import operator_register

    columns = register_columns()
    rows = []
    for r in operator_register(include_ended=True):
        r["number"] = r["assignment"].pk
        rows.append([only_day(r[k]) if hasattr(r.get(k), "year") else str(r.get(k) or "") for k, _l in columns])
    return [label for _k, label in columns], rows


@dataclass(frozen=True)
class Table:
    title: Callable[[], str]
    action: Action
    build: Callable[[Actor], Rows]
    register: str = ""  # the profile's register whose form this prints (its title and 確認印 box)
    optional: bool = False  # kept only where the profile has ``register`` (else not found)

    def kept(self) -> bool:
        return not self.optional or self.register in get_profile().registers

    def not_kept(self, actor: Actor, name: str) -> Exception:
        """A register this organisation does not keep: logged, and answered exactly like a missing one."""
        from tokutei.core.errors import NOT_FOUND_MESSAGE
        from tokutei.policy import Decision, refusal

        return refusal(actor, self.action, Decision(False, reason=NOT_FOUND_MESSAGE, code="not_found"),
                       target=("register", name))


TABLES: dict[str, Table] = {
    "media": Table(lambda: _("記録媒体管理簿"), Action.REGISTERS_VIEW, _media, "media"),
    "checks": Table(lambda: _("点検記録"), Action.REGISTERS_VIEW, _checks),
    "carry_outs": Table(lambda: _("持出しの記録"), Action.REGISTERS_VIEW, _carry_outs),
    "documents": Table(lambda: _("ドキュメントの保管状況の記録"), Action.REGISTERS_VIEW, _documents, "documents"),
    "approvals": Table(lambda: _("承認の記録"), Action.APPROVALS_VIEW, _approvals),
    "room_entries": Table(lambda: _("入退室管理簿"), Action.TYPED_REGISTERS_VIEW, _room_entries, "room_entry"),
    "rooms": Table(lambda: _("室・区域の一覧"), Action.TYPED_REGISTERS_VIEW, _rooms),
    "assets": Table(lambda: _("情報資産管理簿"), Action.TYPED_REGISTERS_VIEW, _assets, "assets"),
    "terminal_movements": Table(lambda: _("端末の持出し・持込みの記録"), Action.TYPED_REGISTERS_VIEW, _terminal_movements),
    "allowlist": Table(lambda: _("接続を許可する記録機能付機器・媒体の一覧"), Action.TYPED_REGISTERS_VIEW, _allowlist,
                       "device_allowlist"),
    "user_ids": Table(lambda: _("ユーザID管理簿"), Action.TYPED_REGISTERS_VIEW, _user_ids, "user_ids"),
    "biometric": Table(lambda: _("照合情報管理簿"), Action.TYPED_REGISTERS_VIEW, _biometric, "biometric"),
    "linkage_ids": Table(lambda: _("情報連携システムIDの申請・交付記録"), Action.TYPED_REGISTERS_VIEW, _linkage_ids,
                         "linkage_ids", optional=True),
    "operators": Table(lambda: _("操作者登録簿"), Action.STAFF_REGISTER_VIEW, _operators, "operators"),
}


def title_of(name: str) -> str:
    table = TABLES[name]
    reg = get_profile().registers.get(table.register) if table.register else None
    return reg.ja if reg is not None else table.title()


def has_seal(name: str) -> bool:
    table = TABLES[name]
    reg = get_profile().registers.get(table.register) if table.register else None
    return bool(reg is not None and reg.seal)
