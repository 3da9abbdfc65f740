"""Rooms and areas, their physical measures and the entry/exit book (000 §13; 002 §20, §36, §37; 003 §11;
004 §12). Issue 17.

* a room has a class of the profile (``profile.rooms``);
* its measures are checked with evidence (the class's ``measures`` list, 001 §8's hazard classes);
* an entry of a member of staff into a class whose entry needs a permission (``approvals.room_entry_l<level>``)
  is recorded only with that person's permission in force (granted by the class's authority to an eligible
  person: E-19, the approval engine) — the permission is linked to the entry;
* a visitor or vendor entry is refused without identification (name tag) and a named escort where the class's
  ``visitors`` rule asks for them (E-20); the escort must hold one of its ``escort_roles``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals.models import ApprovalRequest
from tokutei.approvals.services import role_title
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import has_role

from ..models import Asset, Medium, Room, RoomEntry, RoomMeasureCheck

TEXT = 200


def _no(actor: Actor, message: str, *, action: Action, article: str, code: str, target: tuple[str, str | int],
        details: dict | None = None):
    return refuse(message, action=str(action), article=article, code=code, target_type=target[0],
                  target_id=target[1], details=details or {}, **actor.log_fields())


def room_class(room: Room):
    return get_profile().rooms.get(room.room_class)


def register_room(*, actor: Actor, name: str, room_class: str, note: str = "") -> Room:
    """A room or area of one of the profile's classes (R-ROOM-1)."""
    profile = get_profile()
    require(actor, Action.ROOM_REGISTER, target=("room", name[:60]))
    if room_class not in profile.rooms:
        raise _no(actor, _("この組織のプロファイルにない区分です"), action=Action.ROOM_REGISTER,
                  article=profile.organisation.article, code="unknown_class", target=("room", name[:60]))
    with transaction.atomic(durable=True):
        room = Room.objects.create(name=name.strip()[:100], room_class=room_class, note=note[:300],
                                   created_by=actor.user)
        record(action=Action.ROOM_REGISTER, **actor.log_fields(), target_type="room", target_id=room.pk,
               article=profile.rooms[room_class].article, details={"room_class": room_class})
    return room


def check_measure(*, actor: Actor, room_id: int, measure: str, in_place: bool, evidence: str = "",
                  checked_on: dt.date | None = None) -> RoomMeasureCheck:
    """A physical measure checked with its evidence (R-ROOM-5–7)."""
    room = get_or_refuse(actor, Action.ROOM_CHECK, Room.objects.all(), pk=room_id)
    measure = measure.strip()[:200]
    if not measure:
        raise _no(actor, _("措置を選んでください"), action=Action.ROOM_CHECK, article=_article(room),
                  code="invalid", target=("room", room.pk))
    with transaction.atomic(durable=True):
        check = RoomMeasureCheck.objects.create(room=room, measure=measure, in_place=in_place,
                                                evidence=evidence.strip()[:300],
                                                checked_on=checked_on or timezone.localdate(), checked_by=actor.user)
        entry = record(action=Action.ROOM_CHECK, **actor.log_fields(), target_type="room", target_id=room.pk,
                       article=_article(room), details={"check_id": check.pk, "in_place": in_place})
        check.log_seq = entry.seq
        check.save(update_fields=["log_seq"])
    return check


def _article(room: Room) -> str:
    cls = room_class(room)
    return cls.article if cls is not None else ""


def measures_state(room: Room) -> list[dict]:
    """The class's measures (and any other recorded), each with its newest check."""
    cls = room_class(room)
    newest: dict[str, RoomMeasureCheck] = {}
    for c in room.checks.select_related("checked_by").order_by("measure", "-checked_on", "-id"):
        newest.setdefault(c.measure, c)
    names = list(cls.measures if cls is not None else []) + [m for m in newest if cls is None or m not in cls.measures]
    return [{"measure": m, "check": newest.get(m)} for m in names]


def permission_operation(room: Room) -> str | None:
    """The approval operation that permits entry to this room's class (000: ``room_entry_l<level>``)."""
    cls = room_class(room)
    if cls is None or cls.level is None:
        return None
    operation = f"room_entry_l{cls.level}"
    rule = get_profile().approvals.get(operation)
    return operation if rule is not None and rule.enabled else None


def permission_in_force(user, operation: str, at: dt.datetime) -> ApprovalRequest | None:
    for req in ApprovalRequest.objects.filter(subject=user, operation=operation,
                                              status=ApprovalRequest.Status.APPROVED).order_by("-id"):
        if not req.is_expired(at):
            return req
    return None


def record_entry(*, actor: Actor, room_id: int, kind: str, purpose: str, entered_at: dt.datetime | None = None,
                 person=None, visitor_name: str = "", affiliation: str = "", identification: str = "",
                 name_tag: str = "", escort=None) -> RoomEntry:
    """One line of the entry/exit book (R-REG-4). Refused, and the refusal logged, for a visitor or vendor
    without identification and a named escort (E-20), and for a member of staff without the entry
    permission the room's class needs (E-19)."""
    room = get_or_refuse(actor, Action.ROOM_ENTRY, Room.objects.filter(retired_at__isnull=True), pk=room_id)
    cls = room_class(room)
    target = ("room", room.pk)
    article = _article(room)
    at = entered_at or timezone.now()
    purpose = purpose.strip()[:TEXT]
    if kind not in RoomEntry.Kind.values:
        raise _no(actor, _("入室者の区分が正しくありません"), action=Action.ROOM_ENTRY, article=article,
                  code="invalid", target=target)
    if not purpose:
        raise _no(actor, _("「用件」は必須です（用件の確認）"), action=Action.ROOM_ENTRY, article=article,
                  code="invalid", target=target)
    permission = None
    if kind == RoomEntry.Kind.STAFF:
        if person is None:
            raise _no(actor, _("入室した職員を選んでください"), action=Action.ROOM_ENTRY, article=article,
                      code="invalid", target=target)
        operation = permission_operation(room)
        if operation is not None:
            permission = permission_in_force(person, operation, at)
            if permission is None:
                raise _no(actor, _("%(who)s には%(room)sへの入室許可がありません") % {
                    "who": person.display_name, "room": cls.ja if cls else room.name},
                    action=Action.ROOM_ENTRY, article=article, code="no_permission", target=target,
                    details={"operation": operation, "person_id": person.pk})
    else:
        visitor_name = visitor_name.strip()[:100]
        if not visitor_name:
            raise _no(actor, _("「氏名」は必須です"), action=Action.ROOM_ENTRY, article=article, code="invalid",
                      target=target)
        rule = cls.visitors if cls is not None else None
        if rule is not None:
            missing = []
            if rule.identification and not (identification.strip() and name_tag.strip()):
                missing.append(_("本人確認と名札"))
            if rule.escort and escort is None:
                missing.append(_("立会者"))
            if missing:
                raise _no(actor, _("来訪者・業者の入室には%(what)sの記録が必要です") % {"what": "・".join(missing)},
                          action=Action.ROOM_ENTRY, article=rule.article, code="visitor_unescorted", target=target,
                          details={"kind": kind})
            if escort is not None and rule.escort_roles and not has_role(escort, rule.escort_roles):
                who = "又は".join(role_title(r) for r in rule.escort_roles)
                raise _no(actor, _("立会者は %(who)s でなければなりません") % {"who": who},
                          action=Action.ROOM_ENTRY, article=rule.article, code="escort_role", target=target,
                          details={"kind": kind, "escort_id": escort.pk})
        if escort is not None and not escort.is_active:
            raise _no(actor, _("立会者は在職中の職員でなければなりません"), action=Action.ROOM_ENTRY, article=article,
                      code="escort_role", target=target)
    with transaction.atomic(durable=True):
        entry = RoomEntry.objects.create(
            room=room, kind=kind, person=person if kind == RoomEntry.Kind.STAFF else None,
            visitor_name="" if kind == RoomEntry.Kind.STAFF else visitor_name, affiliation=affiliation.strip()[:100],
            purpose=purpose, entered_at=at, identification=identification.strip()[:100],
            name_tag=name_tag.strip()[:30], escort=escort, permission=permission, recorded_by=actor.user)
        record(action=Action.ROOM_ENTRY, **actor.log_fields(), target_type="room_entry", target_id=entry.pk,
               article=article, details={"room_id": room.pk, "kind": kind,
                                         "permission_id": getattr(permission, "pk", None),
                                         "escort_id": getattr(escort, "pk", None)})
    return entry


def record_exit(*, actor: Actor, entry_id: int, exited_at: dt.datetime | None = None) -> RoomEntry:
    entry = get_or_refuse(actor, Action.ROOM_EXIT, RoomEntry.objects.select_related("room"), pk=entry_id)
    at = exited_at or timezone.now()
    if entry.exited_at is not None or at < entry.entered_at:
        raise _no(actor, _("退室日時を記録できません（既に記録済みか、入室日時より前です）"), action=Action.ROOM_EXIT,
                  article=_article(entry.room), code="invalid", target=("room_entry", entry.pk))
    with transaction.atomic(durable=True):
        entry.exited_at = at
        entry.save(update_fields=["exited_at"])
        record(action=Action.ROOM_EXIT, **actor.log_fields(), target_type="room_entry", target_id=entry.pk,
               article=_article(entry.room), details={"room_id": entry.room_id})
    return entry


# --- R-ROOM-8: an asset or medium in a room of the wrong class -------------------------------------------------


def classes_for(kind: str) -> set[str]:
    """The room classes that hold ``kind`` (empty: no class says where it belongs, never flagged)."""
    return {k for k, c in get_profile().rooms.items() if kind in c.holds}


def misplaced() -> list[dict]:
    """Every asset and medium recorded in a room of a class that does not hold its kind (000 §13.1)."""
    profile = get_profile()
    found: list[dict] = []

    def check(obj, kind: str, label: str) -> None:
        room = obj.room
        if room is None:
            return
        homes = classes_for(kind)
        if homes and room.room_class not in homes:
            found.append({"object": obj, "label": label, "room": room, "kind": kind,
                          "expected": "、".join(profile.rooms[h].ja for h in sorted(homes))})

    for asset in Asset.objects.exclude(status=Asset.Status.DISPOSED).select_related("room"):
        check(asset, asset.kind, str(asset))
    for medium in Medium.objects.exclude(status=Medium.Status.DISPOSED).select_related("room"):
        check(medium, "medium", medium.label)
    return found
