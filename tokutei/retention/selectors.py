"""The retention worklist: what is due and overdue, per file, unit and record class (R-RET-3).

Reads only. Each record class is read from its own app's table; people are counted in groups that share
one start date (a bulk-loaded file is a handful of rows here, not a million). People or records with a
recorded start date (RecordEvent) or a hold of their own are scheduled one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import LegalHold, PaymentDate, RecordEvent
from .schedule import OPERATION_LOG, Hold, Schedule, Step, class_label, compute, rule_for, today

PERSON_FIELD_EVENTS = {"right_lost", "qualification_lost", "contract_end"}  # Person.retention_trigger_date


@dataclass
class Item:
    record_class: str
    ids: list[str]  # record ids; one for a single record
    label: str  # register label, never personal data
    count: int
    schedule: Schedule
    file_id: int | None = None
    file_name: str = ""
    unit_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    _status: str = field(default="", repr=False)

    @property
    def status(self) -> str:
        return self._status

    def at(self, on: dt.date) -> Item:
        self._status = self.schedule.status(on)
        return self

    @property
    def class_label(self) -> str:
        return class_label(self.record_class)


@dataclass
class Context:
    profile: Any
    on: dt.date
    payments: list[dt.date]
    events: dict[tuple[str, str], dict[str, dt.date]]
    holds: dict[tuple[str, str], list[Hold]]
    file_holds: dict[int, list[Hold]]

    def schedule(self, record_class: str, record_id: str, base_events: dict[str, dt.date | None], *,
                 file_rule: str = "", task: str = "", file_id: int | None = None) -> Schedule:
        key, rule = rule_for(self.profile, record_class, file_rule=file_rule, task=task)
        recorded = self.events.get((record_class, record_id), {})
        event = recorded.get(rule.event) or base_events.get(rule.event)
        holds = [*self.holds.get((record_class, record_id), []),
                 *(self.file_holds.get(file_id, []) if file_id is not None else [])]
        return compute(self.profile, key, rule, event=event, payments=self.payments, holds=holds,
                       no_longer_needed=recorded.get("no_longer_needed"), on=self.on)


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


def _hold(h: LegalHold) -> Hold:
    return Hold(placed=_local_date(h.placed_at) or today(), released=_local_date(h.released_at),
                kind_ja=str(h.get_kind_display()))


def context(profile: Any, on: dt.date | None = None) -> Context:
    events: dict[tuple[str, str], dict[str, dt.date]] = defaultdict(dict)
    for e in RecordEvent.objects.order_by("recorded_at", "id"):  # the latest entry wins
        events[(e.record_class, e.record_id)][e.event] = e.date
    holds: dict[tuple[str, str], list[Hold]] = defaultdict(list)
    file_holds: dict[int, list[Hold]] = defaultdict(list)
    for h in LegalHold.objects.all():
        if h.record_id:
            holds[(h.record_class, h.record_id)].append(_hold(h))
        elif h.file_id is not None:
            file_holds[h.file_id].append(_hold(h))
    return Context(profile=profile, on=on or today(), payments=list(PaymentDate.objects.values_list("date", flat=True)),
                   events=dict(events), holds=dict(holds), file_holds=dict(file_holds))


# --- the record classes --------------------------------------------------------------------------------

def _people(ctx: Context) -> Iterator[Item]:
    from tokutei.vault.models import Person, SpecificFile

    files = {f.pk: f for f in SpecificFile.objects.filter(status=SpecificFile.Status.ACTIVE).select_related("unit")}
    # A person whose 個人番号 was erased (partial disposal) is no longer 特定個人情報: off the worklist.
    live = Person.objects.filter(deleted_at__isnull=True, file__in=list(files), bi_my_number__isnull=False)
    single = {rid for (cls, rid) in [*ctx.events, *ctx.holds] if cls == "person"}
    singles = live.filter(pk__in=[int(i) for i in single if i.isdigit()])
    for p in singles.only("id", "file_id", "task", "retention_trigger_date", "entered_at"):
        f = files[p.file_id]
        s = ctx.schedule("person", str(p.pk), _person_events(p.retention_trigger_date, _local_date(p.entered_at)),
                         file_rule=f.retention_rule, task=p.task, file_id=f.pk)
        yield Item("person", [str(p.pk)], f"{f.name} 本人 #{p.pk}", 1, s, f.pk, f.name, _unit(f)).at(ctx.on)
    groups = (live.exclude(pk__in=singles.values("pk")).annotate(entered=TruncDate("entered_at"))
              .values("file_id", "task", "retention_trigger_date", "entered").annotate(n=Count("id"))
              .order_by("file_id", "retention_trigger_date", "entered"))
    for g in groups:
        f = files[g["file_id"]]
        s = ctx.schedule("person", "", _person_events(g["retention_trigger_date"], g["entered"]),
                         file_rule=f.retention_rule, task=g["task"], file_id=f.pk)
        yield Item("person", [], f"{f.name}", g["n"], s, f.pk, f.name, _unit(f),
                   extra={"task": g["task"], "trigger": g["retention_trigger_date"], "entered": g["entered"]}).at(ctx.on)


def _person_events(trigger: dt.date | None, entered: dt.date | None) -> dict[str, dt.date | None]:
    events: dict[str, dt.date | None] = {k: trigger for k in PERSON_FIELD_EVENTS}
    events.update({"acquired": entered, "created": entered})
    return events


def _unit(f: Any) -> str:
    return str(f.unit) if f.unit_id else ""


def _media(ctx: Context) -> Iterator[Item]:
    from tokutei.registers.models import Medium

    for m in Medium.objects.exclude(status__in=[Medium.Status.DISPOSED, Medium.Status.LOST]):
        created = _local_date(m.created_at)
        s = ctx.schedule("medium", str(m.pk), {"created": created, "acquired": created})
        yield Item("medium", [str(m.pk)], f"{m.label}（{m.get_kind_display()}）", max(m.record_count, 1), s,
                   extra={"kind": m.kind, "out": m.status == Medium.Status.OUT}).at(ctx.on)


def _documents(ctx: Context) -> Iterator[Item]:
    from tokutei.registers.models import Document

    for d in Document.objects.exclude(status=Document.Status.DISPOSED):
        s = ctx.schedule("document", str(d.pk), {"created": _local_date(d.created_at)})
        yield Item("document", [str(d.pk)], d.title, d.copies, s, extra={"out": d.status == Document.Status.OUT}
                   ).at(ctx.on)


def _copies(ctx: Context) -> Iterator[Item]:
    from tokutei.registers.models import TemporaryCopy

    for c in TemporaryCopy.objects.filter(deleted_at__isnull=True):
        record_class = "export" if c.kind == TemporaryCopy.Kind.EXPORT else "temporary_copy"
        s = ctx.schedule(record_class, str(c.pk), {"created": _local_date(c.created_at),
                                                   "processing_end": _local_date(c.expires_at)})
        yield Item(record_class, [str(c.pk)], f"{c.get_kind_display()} #{c.pk}", c.record_count, s).at(ctx.on)


# Kept records about handling: listed in groups of one creation day, named ``day:YYYY-MM-DD`` (one row of the
# worklist, one item of a disposal list), or one by one by their id.
KEPT_LABELS = {"handling_record": "取扱状況の記録", "register_entry": "記録簿の記載", "approval": "承認の記録"}
DAY_PREFIX = "day:"


def kept_model(record_class: str) -> Any:
    if record_class == "approval":
        from tokutei.approvals.models import ApprovalRequest

        return ApprovalRequest
    from tokutei.ledgers.models import HandlingRecord, RegisterEntry

    return {"handling_record": HandlingRecord, "register_entry": RegisterEntry}[record_class]


def _grouped(ctx: Context, record_class: str) -> Iterator[Item]:
    rows = (kept_model(record_class).objects.annotate(day=TruncDate("created_at")).values("day")
            .annotate(n=Count("id")).order_by("day"))
    for row in rows:
        s = ctx.schedule(record_class, "", {"created": row["day"], "closed": row["day"]})
        yield Item(record_class, [f"{DAY_PREFIX}{row['day'].isoformat()}"], f"{KEPT_LABELS[record_class]}（{row['day']}）",
                   row["n"], s, extra={"day": row["day"]}).at(ctx.on)


def _ledgers(ctx: Context) -> Iterator[Item]:
    yield from _grouped(ctx, "handling_record")
    yield from _grouped(ctx, "register_entry")


def _approvals(ctx: Context) -> Iterator[Item]:
    yield from _grouped(ctx, "approval")


def kept_ids(record_class: str, record_id: str) -> list[int]:
    """The ids of the kept records a worklist reference stands for: one creation day, or one record."""
    model = kept_model(record_class)
    if record_id.startswith(DAY_PREFIX):
        try:
            day = dt.date.fromisoformat(record_id.removeprefix(DAY_PREFIX))
        except ValueError:
            return []
        qs = model.objects.annotate(day=TruncDate("created_at")).filter(day=day)
        return sorted(qs.values_list("pk", flat=True))
    if not record_id.isdigit():
        return []
    return list(model.objects.filter(pk=int(record_id)).values_list("pk", flat=True))


def _kept_item(ctx: Context, record_class: str, record_id: str) -> Item | None:
    if record_id.startswith(DAY_PREFIX):
        return next((i for i in _grouped(ctx, record_class) if i.ids == [record_id]), None)
    row = kept_model(record_class).objects.filter(pk=int(record_id)).values("created_at").first() \
        if record_id.isdigit() else None
    if row is None:
        return None
    created = _local_date(row["created_at"])
    s = ctx.schedule(record_class, record_id, {"created": created, "closed": created})
    return Item(record_class, [record_id], f"{KEPT_LABELS[record_class]} #{record_id}", 1, s).at(ctx.on)


def _log(ctx: Context) -> Iterator[Item]:
    from tokutei.auditlog.models import Entry

    first = Entry.objects.order_by("seq").values_list("at", flat=True).first()
    if first is None:
        return
    day = _local_date(first)
    s = ctx.schedule(OPERATION_LOG, "", {"created": day})
    yield Item(OPERATION_LOG, [], "操作履歴（最も古い記録）", 1, s).at(ctx.on)


SOURCES = (_people, _media, _documents, _copies, _ledgers, _approvals, _log)


# Records this system disposes of (or deletes automatically): only these can be *overdue*. The others — the
# operation log, handling records, register entries, approvals — may be disposed of once due, but keeping
# them longer is no breach, so they never raise the overdue alert.
MUST_GO = {"person", "medium", "document", "export", "temporary_copy"}


def _settle(item: Item, on: dt.date) -> Item:
    if item.record_class not in MUST_GO:
        item.schedule.overdue_after = None
        item.at(on)
    return item


def worklist(profile: Any, on: dt.date | None = None, *, statuses: Iterable[str] | None = None,
             record_class: str | None = None) -> list[Item]:
    """Every record the system holds with its schedule on ``on`` (default today), filtered by status."""
    ctx = context(profile, on)
    wanted = set(statuses) if statuses is not None else None
    items = [i for source in SOURCES for i in (_settle(x, ctx.on) for x in source(ctx))
             if (record_class is None or i.record_class == record_class) and (wanted is None or i.status in wanted)]
    order = {"overdue": 0, "due": 1, "held": 2, "undetermined": 3, "not_due": 4}
    return sorted(items, key=lambda i: (order.get(i.status, 9), i.schedule.due or dt.date.max, i.record_class))


def summary(items: list[Item]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for i in items:
        counts[i.status] += i.count
    return dict(counts)


def person_ids(item: Item) -> list[int]:
    """The ids of the people a grouped worklist row stands for (for a disposal list)."""
    from tokutei.vault.models import Person

    if item.ids:
        return [int(i) for i in item.ids]
    extra = item.extra
    qs = Person.objects.filter(deleted_at__isnull=True, file_id=item.file_id, task=extra["task"],
                               retention_trigger_date=extra["trigger"])
    return [p.pk for p in qs.only("id", "entered_at") if _local_date(p.entered_at) == extra["entered"]]


def find_item(profile: Any, record_class: str, record_id: str, on: dt.date | None = None) -> Item | None:
    """One record's worklist entry (a person out of its group too)."""
    ctx = context(profile, on)
    if record_class == "file":
        return _file_item(ctx, int(record_id))
    if record_class in KEPT_LABELS:
        return _settle(item, ctx.on) if (item := _kept_item(ctx, record_class, str(record_id))) else None
    if record_class == "person":
        from tokutei.vault.models import Person

        p = (Person.objects.filter(pk=int(record_id), deleted_at__isnull=True, bi_my_number__isnull=False)
             .select_related("file", "file__unit").first())
        if p is None or p.file.status != "active":
            return None
        s = ctx.schedule("person", str(p.pk), _person_events(p.retention_trigger_date, _local_date(p.entered_at)),
                         file_rule=p.file.retention_rule, task=p.task, file_id=p.file_id)
        return Item("person", [str(p.pk)], f"{p.file.name} 本人 #{p.pk}", 1, s, p.file_id, p.file.name,
                    _unit(p.file)).at(ctx.on)
    for source in SOURCES:
        for item in source(ctx):
            if item.record_class == record_class and str(record_id) in item.ids:
                return item
    return None


def _file_item(ctx: Context, file_id: int) -> Item | None:
    """A whole 特定個人情報ファイル: disposable once every live person in it is (the latest due date wins)."""
    from tokutei.vault.models import SpecificFile

    f = SpecificFile.objects.filter(pk=file_id, status=SpecificFile.Status.ACTIVE).select_related("unit").first()
    if f is None:
        return None
    people = [i for i in _people(ctx) if i.file_id == file_id]
    key, rule = rule_for(ctx.profile, "person", file_rule=f.retention_rule)
    if not people:  # an empty file holds nothing to keep
        s = Schedule(rule_key=key, rule=rule, event=None, due=ctx.on)
        s.steps.append(Step("このファイルには本人の記録がありません", "The file holds no people"))
        return Item("file", [str(f.pk)], f.name, 0, s, f.pk, f.name, _unit(f)).at(ctx.on)
    undecided = [i for i in people if i.schedule.due is None or i.schedule.held]
    latest = max(people, key=lambda i: (i.schedule.due is None or i.schedule.held, i.schedule.due or dt.date.max))
    s = latest.schedule
    if not undecided:
        s.steps.append(Step(f"ファイル内の{sum(i.count for i in people)}人のうち最も遅い廃棄可能日",
                            "The latest due date of the people in the file"))
    return Item("file", [str(f.pk)], f.name, sum(i.count for i in people), s, f.pk, f.name, _unit(f)).at(ctx.on)
