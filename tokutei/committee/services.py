"""Committee writes: a meeting or circulated resolution, its attendees, minutes, action items.

Each takes ``actor: Actor``; access is decided first (``require``), then one durable transaction with its
log entry last. Names of members and experts are staff and guests, never the people in the files: text
shaped like a 個人番号 is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.core.mynumber import looks_like_my_number
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import get_profile

from .models import ActionItem, Attendee, Meeting


def _no(actor: Actor, message: str, *, action: Action, article: str, code: str = "refused",
        target_id: Any = "") -> Refused:
    return refuse(message, action=str(action), article=article, code=code,
                  target_type="meeting" if target_id != "" else "", target_id=target_id,
                  details={"channel": actor.channel.value}, **actor.log_fields())


def _article() -> str:
    gb = get_profile().governance_body
    return gb.article if gb is not None else ""


def _check(actor: Actor, action: Action, article: str, target_id: Any = "", **texts: str) -> None:
    for text in texts.values():
        if looks_like_my_number(text or ""):
            raise _no(actor, _("個人番号らしき数字が含まれています。委員会の記録に個人番号を書くことはできません"),
                      action=action, article=article, code="my_number_in_text", target_id=target_id)


def _meeting(actor: Actor, action: Action, meeting_id: int, *, open_only: bool = True) -> Meeting:
    meeting = get_or_refuse(actor, action, Meeting.objects.all(), pk=meeting_id)
    if open_only and meeting.finalised_at is not None:
        raise _no(actor, _("議事録が確定した会議は変更できません"), action=action, article=meeting.article,
                  code="finalised", target_id=meeting.pk)
    return meeting


def create_meeting(*, actor: Actor, kind: str, title: str, held_on: dt.date, agenda: list[str],
                   incident_ids: list[int] | None = None, presiding: str = Meeting.Presiding.CHAIR,
                   finding_ids: list[int] | None = None) -> Meeting:
    """A meeting (会議) or a circulated resolution (持ち回り, only where the profile allows it: 001 §14),
    presided by the chair, or by the vice-chair where the profile has one and the chair is absent."""
    require(actor, Action.COMMITTEE_MEETING, details={"kind": kind})
    gb = get_profile().governance_body
    article = _article()
    title = (title or "").strip()
    agenda = [a.strip()[:300] for a in agenda if a and a.strip()]
    if gb is None:
        raise _no(actor, _("この組織には委員会が定められていません"), action=Action.COMMITTEE_MEETING, article=article)
    if kind not in Meeting.Kind.values or not title:
        raise _no(actor, _("種類と件名を記入してください"), action=Action.COMMITTEE_MEETING, article=article,
                  code="invalid")
    if kind == Meeting.Kind.CIRCULATED and not gb.circulated_decisions:
        raise _no(actor, _("%(body)sでは、持ち回りによる決定は定められていません。会議を開いてください")
                  % {"body": gb.ja}, action=Action.COMMITTEE_MEETING, article=article, code="no_circulation")
    if presiding not in Meeting.Presiding.values or (presiding == Meeting.Presiding.VICE_CHAIR and not gb.vice_chair):
        raise _no(actor, _("%(body)sには副委員長が定められていません。議長は委員長です") % {"body": gb.ja},
                  action=Action.COMMITTEE_MEETING, article=article, code="no_vice_chair")
    _check(actor, Action.COMMITTEE_MEETING, article, title=title, agenda="\n".join(agenda))
    with transaction.atomic(durable=True):
        meeting = Meeting.objects.create(kind=kind, title=title[:200], held_on=held_on, agenda=agenda,
                                         incident_ids=sorted(set(incident_ids or [])),
                                         finding_ids=sorted(set(finding_ids or [])), created_by=actor.user,
                                         article=article, presiding=presiding)
        record(action=Action.COMMITTEE_MEETING, target_type="meeting", target_id=meeting.pk, article=article,
               details={"kind": kind, "agenda": len(agenda), "incidents": meeting.incident_ids,
                        "findings": meeting.finding_ids}, **actor.log_fields())
    return meeting


# Who a governance body may hear (``may_hear``) → the attendee kinds that records them.
_HEARD_AS = {"staff": {Attendee.Kind.OTHER}, "expert": {Attendee.Kind.EXPERT},
             "other": {Attendee.Kind.OTHER, Attendee.Kind.EXPERT}}


def add_attendee(*, actor: Actor, meeting_id: int, kind: str, name: str, capacity: str = "",
                 materials: str = "") -> Attendee:
    """A member present, or a non-member heard — only as the profile's body may hear them (000 §8.5: 関係職員
    and 外部の専門家; 001 §15: 委員以外の者, who may also be asked for materials)."""
    meeting = _meeting(actor, Action.COMMITTEE_ATTENDANCE, meeting_id)
    name, capacity, materials = (name or "").strip(), (capacity or "").strip(), (materials or "").strip()
    if kind not in Attendee.Kind.values or not name:
        raise _no(actor, _("区分と氏名を記入してください"), action=Action.COMMITTEE_ATTENDANCE, article=meeting.article,
                  code="invalid", target_id=meeting.pk)
    if kind == Attendee.Kind.MEMBER:
        from .selectors import member_titles

        members = member_titles()
        if capacity not in members:
            raise _no(actor, _("「%(c)s」は委員ではありません。委員は職で選んでください（%(m)s）。委員以外の方は"
                               "「委員以外の出席者」か「外部の有識者」として記録してください")
                      % {"c": capacity or "—", "m": "、".join(members)}, action=Action.COMMITTEE_ATTENDANCE,
                      article=meeting.article, code="not_a_member", target_id=meeting.pk)
    gb = get_profile().governance_body
    hearing_article = gb.hearing_article if gb is not None and gb.hearing_article != "—" else meeting.article
    heard = set().union(*(_HEARD_AS[w] for w in gb.may_hear)) if gb is not None else set()
    if kind != Attendee.Kind.MEMBER and kind not in heard:
        raise _no(actor, _("%(body)sが出席を求めて意見を聴くことができる者に「%(kind)s」は定められていません")
                  % {"body": gb.ja if gb else "—", "kind": Attendee.Kind(kind).label},
                  action=Action.COMMITTEE_ATTENDANCE, article=hearing_article, code="not_heard", target_id=meeting.pk)
    if materials and (kind == Attendee.Kind.MEMBER or gb is None or not gb.may_request_materials):
        raise _no(actor, _("%(body)sでは、委員以外の者に資料の提出を求めることは定められていません")
                  % {"body": gb.ja if gb else "—"}, action=Action.COMMITTEE_ATTENDANCE, article=hearing_article,
                  code="no_materials", target_id=meeting.pk)
    _check(actor, Action.COMMITTEE_ATTENDANCE, meeting.article, meeting.pk, name=name, capacity=capacity,
           materials=materials)
    with transaction.atomic(durable=True):
        attendee = Attendee.objects.create(meeting=meeting, kind=kind, name=name[:100], capacity=capacity[:100],
                                           materials=materials[:500], recorded_by=actor.user)
        record(action=Action.COMMITTEE_ATTENDANCE, target_type="meeting", target_id=meeting.pk,
               article=meeting.article if kind == Attendee.Kind.MEMBER else hearing_article,
               details={"attendee": attendee.pk, "kind": kind, "materials": bool(materials)}, **actor.log_fields())
    return attendee


def record_minutes(*, actor: Actor, meeting_id: int, minutes: str, finalise: bool = False) -> Meeting:
    """The minutes (議事録); once finalised they are not changed."""
    meeting = _meeting(actor, Action.COMMITTEE_MINUTES, meeting_id)
    minutes = (minutes or "").strip()
    if finalise and not minutes:
        raise _no(actor, _("議事録を記入してから確定してください"), action=Action.COMMITTEE_MINUTES,
                  article=meeting.article, code="invalid", target_id=meeting.pk)
    _check(actor, Action.COMMITTEE_MINUTES, meeting.article, meeting.pk, minutes=minutes)
    with transaction.atomic(durable=True):
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.minutes = minutes[:20000]
        fields = ["minutes"]
        if finalise:
            meeting.finalised_at, meeting.finalised_by = timezone.now(), actor.user
            fields += ["finalised_at", "finalised_by"]
        meeting.save(update_fields=fields)
        record(action=Action.COMMITTEE_MINUTES, target_type="meeting", target_id=meeting.pk, article=meeting.article,
               details={"finalised": finalise, "length": len(minutes)}, **actor.log_fields())
    return meeting


def add_action_item(*, actor: Actor, meeting_id: int, text: str, owner: str,
                    due_on: dt.date | None = None) -> ActionItem:
    meeting = _meeting(actor, Action.COMMITTEE_ACTION_ITEM, meeting_id, open_only=False)
    text, owner = (text or "").strip(), (owner or "").strip()
    if not text or not owner:
        raise _no(actor, _("決定事項と担当を記入してください"), action=Action.COMMITTEE_ACTION_ITEM,
                  article=meeting.article, code="invalid", target_id=meeting.pk)
    _check(actor, Action.COMMITTEE_ACTION_ITEM, meeting.article, meeting.pk, text=text, owner=owner)
    with transaction.atomic(durable=True):
        item = ActionItem.objects.create(meeting=meeting, text=text[:500], owner=owner[:100], due_on=due_on,
                                         created_by=actor.user)
        record(action=Action.COMMITTEE_ACTION_ITEM, target_type="meeting", target_id=meeting.pk,
               article=meeting.article, details={"item": item.pk, "closed": False}, **actor.log_fields())
    return item


def close_action_item(*, actor: Actor, item_id: int, note: str = "") -> ActionItem:
    require(actor, Action.COMMITTEE_ACTION_ITEM, target=("action_item", item_id))
    item = ActionItem.objects.filter(pk=item_id).select_related("meeting").first()
    if item is None or item.closed_at is not None:
        raise _no(actor, _("完了にできる決定事項がありません"), action=Action.COMMITTEE_ACTION_ITEM,
                  article=_article(), code="not_found")
    note = (note or "").strip()
    _check(actor, Action.COMMITTEE_ACTION_ITEM, item.meeting.article, item.meeting_id, note=note)
    with transaction.atomic(durable=True):
        item.closed_at, item.closed_by, item.closing_note = timezone.now(), actor.user, note[:500]
        item.save(update_fields=["closed_at", "closed_by", "closing_note"])
        record(action=Action.COMMITTEE_ACTION_ITEM, target_type="meeting", target_id=item.meeting_id,
               article=item.meeting.article, details={"item": item.pk, "closed": True}, **actor.log_fields())
    return item
