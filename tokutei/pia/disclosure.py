"""本人開示: the report, for one person, of every use and provision of their records over a period.

The person is found by their 個人番号 through the vault's blind index (never stored, never logged), in the
files of the declared task the actor is designated for. The report lists the operation-log entries about
those records: entries naming the record (``target_type="person"``), entries listing it
(``details.person_ids``: searches, exports …), and entries on a whole file the record was in at the time
(an export too large to list, a disposal, a carry-out naming the file). Only successful handling of
personal data counts (actions with a stage, ``personal``); a refusal handled nothing. Nothing about anyone
else is shown: no count of other people, no other record id. Staff appear as the profile says
(``pia.disclosure.staff_names``). Issuing it is itself logged (and approved where the profile says so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action, lookup
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.ledgers.stages import NOT_YET, STAGE_JA, stage_for
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from .models import DisclosureReport

# A whole-file operation concerns each record in the file; adding other records to it does not.
FILE_LEVEL_STAGES = frozenset({"use", "output", "provision", "forwarding", "submission", "carry_out", "disposal"})


@dataclass(frozen=True)
class Row:
    seq: int
    at: dt.datetime
    operation: str
    stage: str
    staff: str
    task: str
    recipient: str
    file: str
    whole_file: bool

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at.isoformat(), "operation": self.operation, "stage": self.stage,
                "staff": self.staff, "task": self.task, "recipient": self.recipient, "file": self.file,
                "whole_file": self.whole_file}


@dataclass
class Report:
    report: DisclosureReport
    rows: list[Row]
    files: list[str]


def _codes() -> list[str]:
    return [a.value for a in Action if a.personal and a.stage is not None]


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def entries_about(people: list[Any], start: dt.date, end: dt.date) -> list[tuple[Entry, bool]]:
    """(entry, whole_file) for every successful handling entry about these records in the period."""
    lo, hi = _bounds(start, end)
    ids = {p.pk for p in people}
    base = Entry.objects.filter(at__gte=lo, at__lt=hi, result=Entry.Result.OK, action__in=_codes())
    found: dict[int, tuple[Entry, bool]] = {}
    for e in base.filter(target_type="person", target_id__in=[str(i) for i in ids]):
        found[e.seq] = (e, False)
    listed = base.filter(details__has_key="person_ids")
    if connection.vendor == "postgresql":  # JSON containment in SQL; SQLite filters the candidates below
        q = Q()
        for i in ids:
            q |= Q(details__person_ids__contains=[i])
        listed = listed.filter(q)
    for e in listed:
        if ids & set((e.details or {}).get("person_ids") or []):
            found.setdefault(e.seq, (e, False))
    by_file = {p.file_id: p for p in people}
    for e in base.filter(Q(target_type="file", target_id__in=[str(f) for f in by_file])
                         | Q(details__has_key="file_id")).exclude(seq__in=list(found)).exclude(target_type="person"):
        # An entry naming one record is about that record only: another person's view is never shown.
        details = e.details or {}
        file_id = details.get("file_id", e.target_id if e.target_type == "file" else None)
        person = by_file.get(int(str(file_id))) if str(file_id).isdigit() else None
        if person is None:
            continue
        listed_ids = details.get("person_ids")
        if listed_ids is not None and len(listed_ids) >= e.count:
            continue  # a complete list that does not name this record: not about them
        if (stage_for(e.action, details) or "") not in FILE_LEVEL_STAGES or person.entered_at > e.at:
            continue
        found[e.seq] = (e, True)
    rows = []
    for e, whole in sorted(found.values(), key=lambda pair: pair[0].seq):
        if stage_for(e.action, e.details) in NOT_YET:
            continue
        rows.append((e, whole))
    return rows


def staff_label(entry: Entry, how: str, users: dict[int, Any]) -> str:
    """The member of staff as the report names them: their name, their post on the day, or 「担当者」."""
    if entry.actor_id is None:
        return _("システム（自動処理）")
    user = users.get(entry.actor_id)
    if how == "name" and user is not None:
        return user.display_name
    if how == "post" and user is not None:
        from tokutei.staff.models import PostHolding

        day = timezone.localtime(entry.at).date()
        holding = (PostHolding.objects.filter(user=user, start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)).select_related("post").first())
        if holding is not None:
            return holding.post.name_ja
        if user.unit is not None:
            return _("%(unit)s 担当者") % {"unit": user.unit.name_ja}
    return _("担当者")


def _recipient(entry: Entry) -> str:
    details = entry.details or {}
    if details.get("recipient"):
        return str(details["recipient"])[:200]
    if details.get("copy_id"):
        from tokutei.registers.models import TemporaryCopy

        copy = TemporaryCopy.objects.filter(pk=details["copy_id"]).first()
        if copy is not None and copy.recipient:
            return copy.recipient
    if entry.target_type == "carry_out" and str(entry.target_id).isdigit():
        from tokutei.registers.models import CarryOut

        co = CarryOut.objects.filter(pk=int(entry.target_id)).first()
        if co is not None:
            return co.counterparty
    return ""


def rows_for(entries: list[tuple[Entry, bool]], how: str, file_names: dict[int, str]) -> list[Row]:
    from tokutei.staff.models import User

    profile = get_profile()
    users = {u.pk: u for u in User.objects.filter(pk__in={e.actor_id for e, _w in entries if e.actor_id})
             .select_related("unit")}
    out = []
    for e, whole in entries:
        action = lookup(e.action)
        details = e.details or {}
        stage = stage_for(e.action, details) or ""
        file_id = details.get("file_id") or (e.target_id if e.target_type == "file" else None)
        task = profile.tasks[e.purpose].ja if e.purpose in profile.tasks else (e.purpose or "—")
        out.append(Row(seq=e.seq, at=e.at, operation=action.label if action else e.action,
                       stage=STAGE_JA.get(stage, stage), staff=staff_label(e, how, users), task=task,
                       recipient=_recipient(e), file=file_names.get(int(str(file_id)), "") if str(file_id).isdigit() else "",
                       whole_file=whole))
    return out


def find_people(actor: Actor, decision, my_number: str) -> list[Any]:
    """The person's records in the files of the declared task, by the blind index of their 個人番号."""
    from tokutei.core.sql import select_models
    from tokutei.policy import records_sql
    from tokutei.vault.codec import check_my_number, lookup_digests
    from tokutei.vault.models import Person
    from tokutei.vault.selectors import usable_files

    normalised, error = check_my_number(my_number)
    if error:
        raise refuse(_("個人番号が正しくありません（%(e)s）") % {"e": error}, action=Action.PIA_DISCLOSURE,
                     code="invalid", **actor.log_fields())
    files = {f.pk: f for f in usable_files(decision, actor.purpose)}
    digests = lookup_digests("my_number", normalised)
    if not files or not digests:
        return []
    in_scope, scope_params = records_sql(decision)  # 取扱いの範囲 (E-04), as the vault's search
    where = (f'"bi_my_number" IN ({", ".join(["%s"] * len(digests))}) AND "deleted_at" IS NULL '
             f'AND "file_id" IN ({", ".join(["%s"] * len(files))}) AND {in_scope}')
    people = select_models(Person, where, [*digests, *files, *scope_params], order_by='"id"', limit=100)
    for p in people:
        p.file = files[p.file_id]
    return people


def issue(*, actor: Actor, my_number: str, period_from: dt.date, period_to: dt.date,
          approval_id: int | str | None = None) -> Report:
    """Issue the disclosure report for the person with ``my_number`` (本人開示 of 提供・利用状況)."""
    profile = get_profile()
    settings = profile.pia.disclosure
    decision = require(actor, Action.PIA_DISCLOSURE)
    common = {"action": Action.PIA_DISCLOSURE, "article": decision.article, **actor.log_fields()}
    if period_from > period_to:
        raise refuse(_("期間の始めが終わりより後になっています"), code="invalid", **common)
    if (period_to - period_from).days + 1 > settings.max_days:
        raise refuse(_("一度に開示できる期間は %(n)s 日までです") % {"n": settings.max_days}, code="invalid", **common)
    people = find_people(actor, decision, my_number)
    if not people:
        raise refuse(NOT_FOUND_MESSAGE, code="not_found", **common)
    approval = None
    if settings.approval:
        from tokutei.approvals.services import consume_approval, require_approval

        approval = require_approval(operation=settings.approval, actor=actor, approval_id=approval_id,
                                    action=Action.PIA_DISCLOSURE, target_type="person", target_id=people[0].pk)
    entries = entries_about(people, period_from, period_to)
    names = {p.file_id: p.file.name for p in people}
    rows = rows_for(entries, settings.staff_names, names)
    ids = [p.pk for p in people]
    with transaction.atomic(durable=True):
        if approval is not None:
            assert settings.approval is not None
            consume_approval(request_id=approval.pk, operation=settings.approval, actor=actor)
        report = DisclosureReport.objects.create(
            person_ids=ids, file_ids=sorted(names), purpose=actor.purpose, period_from=period_from,
            period_to=period_to, entry_seqs=[r.seq for r in rows], staff_names=settings.staff_names,
            approval_id=getattr(approval, "pk", None), issued_by=actor.user)
        entry = record(target_type="person", target_id=ids[0], count=len(ids),
                       details={"person_ids": ids, "file_ids": sorted(names), "report": report.pk,
                                "from": period_from.isoformat(), "to": period_to.isoformat(), "entries": len(rows),
                                "approval_id": getattr(approval, "pk", None), "stage": "output"},
                       **common)
        report.log_seq = entry.seq
        report.save(update_fields=["log_seq"])
    return Report(report, rows, sorted(set(names.values())))
