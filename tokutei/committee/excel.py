"""The committee's records as an Excel workbook (the ledgers' layout, 和暦 dates): meetings and decisions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tokutei.core.templatetags.jp import wareki, wareki_time
from tokutei.ledgers.excel import workbook

from . import selectors
from .models import ActionItem, Meeting


def meeting_row(meeting: Meeting) -> list[str]:
    attendees = "、".join(f"{a.capacity} {a.name}".strip() + ("" if a.kind == "member" else f"（{a.get_kind_display()}）")
                         for a in meeting.attendees.all())
    agenda = "／".join([*meeting.agenda, *(_("事故等の報告 #%(n)s") % {"n": i} for i in meeting.incident_ids),
                       *(_("指摘事項 #%(n)s") % {"n": f} for f in meeting.finding_ids)])
    return [str(meeting.pk), str(meeting.get_kind_display()), wareki(meeting.held_on), meeting.title,
            selectors.presiding_title(meeting), attendees, agenda, meeting.minutes,
            wareki_time(meeting.finalised_at) if meeting.finalised_at else _("未確定")]


def item_row(item: ActionItem) -> list[str]:
    return [str(item.meeting_id), wareki(item.meeting.held_on), item.text, item.owner,
            wareki(item.due_on) if item.due_on else "", wareki(item.closed_at) if item.closed_at else _("未完了"),
            item.closing_note]


def export(title: str, subtitle: str, meetings) -> tuple[bytes, int]:
    meetings = list(meetings.prefetch_related("attendees", "items"))
    rows = [meeting_row(m) for m in meetings]
    items = [item_row(i) for m in meetings for i in m.items.all()]
    sheets = [
        (_("会議・決定"), [_("番号"), _("種類"), _("開催日（決定日）"), _("件名"), _("議長"), _("出席者"), _("議題"),
                       _("議事録"), _("議事録の確定")], rows),
        (_("決定事項"), [_("会議の番号"), _("開催日"), _("決定事項・対応"), _("担当"), _("期限"), _("完了"),
                     _("完了の内容")], items),
    ]
    return workbook(title, subtitle, sheets), len(rows)
