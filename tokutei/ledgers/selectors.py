"""Reading the ledgers: handling-status records by form category, the file register with its flags."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from tokutei.auditlog.actions import label as action_label
from tokutei.core import jdates
from tokutei.core.inforce import in_force_q
from tokutei.profiles.citations import cite
from tokutei.profiles.schema import Profile
from tokutei.staff.models import RoleAssignment

from . import files
from .models import FileRegisterSignOff, HandlingRecord, RegisterEntry
from .stages import categories, content_label, stage_label

RESULT_JA = {"ok": "", "refused": N_("拒否"), "failed": N_("失敗")}


# --- handling-status records ----------------------------------------------------------------------------

def fiscal_bounds(year: int, start_month: int) -> tuple[dt.datetime, dt.datetime]:
    start = jdates.fiscal_year_start(year, start_month)
    end = jdates.fiscal_year_start(year + 1, start_month)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end, dt.time.min, tzinfo=tz))


def handling_records(
    profile: Profile, *, file_id: int | None = None, nendo: int | None = None, category: str | None = None,
    stages: list[str] | None = None, unit_id: int | None = None, queryset: QuerySet[HandlingRecord] | None = None,
) -> QuerySet[HandlingRecord]:
    """Records by file, 年度, form category and unit (the unit of the file, R-HSR-6).

    ``queryset``: the records the reader may see (``restrict(..., Action.LEDGERS_VIEW)``); default all.
    """
    base = queryset if queryset is not None else HandlingRecord.objects.all()
    qs = base.select_related("corrects").prefetch_related("corrections")
    if unit_id is not None:
        qs = qs.filter(file_id__in=[f.id for f in files.all_files() if f.unit_id == unit_id])
    if file_id is not None:
        qs = qs.filter(file_id=file_id)
    if nendo is not None:
        start, end = fiscal_bounds(nendo, profile.retention.business_year_start_month)
        qs = qs.filter(occurred_at__gte=start, occurred_at__lt=end)
    if category:
        cats = categories(profile)
        qs = qs.filter(stage__in=cats[category].stages) if category in cats else qs.none()
    if stages is not None:
        qs = qs.filter(stage__in=stages)
    return qs.order_by("occurred_at", "id")


def available_years(profile: Profile, queryset: QuerySet[HandlingRecord] | None = None) -> list[int]:
    start_month = profile.retention.business_year_start_month
    first = (queryset if queryset is not None else HandlingRecord.objects.all()).aggregate(m=Min("occurred_at"))["m"]
    today = timezone.localdate()
    current = jdates.fiscal_year(today, start_month)
    if first is None:
        return [current]
    oldest = jdates.fiscal_year(timezone.localtime(first).date(), start_month)
    return list(range(current, oldest - 1, -1))


_PERSONAL_LABELS = ("個人番号", "氏名", "生年月日", "性別", "住所", "被保険者")


@dataclass
class RowContext:
    profile: Profile
    file_names: dict[int, str]
    users: dict[int, str]
    confirmers: dict[str, str] = dataclasses.field(default_factory=dict)  # person id → who confirmed it


# The stages whose record a second person confirms: the intake is checked by another member of staff
# (目視・読合せ・再入力, vault confirmation), and that check is who the form's 確認者 is.
CONFIRMED_STAGES = frozenset({"acquisition", "input"})


def confirmers(records: list[HandlingRecord]) -> dict[str, str]:
    """Who confirmed each person entered by ``records`` (the second person's check), one query: the 確認者
    of an intake row that names none of its own. Read from the vault's records; absent app: none."""
    from django.apps import apps

    ids = {r.target_id for r in records if r.target_type == "person" and r.stage in CONFIRMED_STAGES
           and not r.checker and r.target_id.isascii() and r.target_id.isdigit() and len(r.target_id) <= 18}
    if not ids:
        return {}
    try:
        person = apps.get_model("vault", "Person")
    except LookupError:
        return {}
    rows = (person._default_manager.filter(pk__in=[int(i) for i in ids], confirmed_by__isnull=False)
            .values_list("pk", "confirmed_by__username"))
    return {str(pk): username for pk, username in rows}


def _who(record: HandlingRecord, ctx: RowContext) -> str:
    return ctx.users.get(record.actor_id or 0) or record.actor_username


def _subject(record: HandlingRecord) -> str:
    """The records handled, named by id only — never the personal data itself (003 §7 (1) columns)."""
    if record.target_type == "person" and record.target_id:
        ref = f"本人記録ID {record.target_id}"
    elif record.target_type and record.target_id and record.target_type != "file":
        ref = f"{record.target_type} {record.target_id}"
    else:
        ref = ""
    count = f"{record.count}件"
    return f"{ref}（{count}）" if ref else count


def _content(record: HandlingRecord, *, with_method: bool = True) -> str:
    text = content_label(record.action, record.stage)
    if record.method and with_method:
        text += f"（{record.method}）"
    return text


def _note(record: HandlingRecord) -> str:
    parts = []
    if record.result != "ok":
        parts.append(_(RESULT_JA.get(record.result, record.result)) + (f"：{record.note}" if record.note else ""))
    elif record.note:
        parts.append(record.note)
    if record.corrects_id:
        parts.append(_("No.%(no)s を訂正") % {"no": record.corrects_id})
    corrected_by = [c.pk for c in record.corrections.all()]
    if corrected_by:
        parts.append(_("No.%(nos)s により訂正") % {"nos": "・".join(map(str, corrected_by))})
    if record.article and record.result != "ok":
        parts.append(cite(record.article))
    return "／".join(parts)


_STAFF_WORDS = ("担当", "取扱者", "記録者", "作業者", "実施者", "記入者")


@functools.lru_cache(maxsize=512)
def column_kind(label: str) -> str:
    """What a column of the organisation's form holds, read from its label (labels come from the profile)."""
    if "確認者" in label or "立会" in label:
        return "checker"
    if any(word in label for word in _STAFF_WORDS):
        return "actor"
    if any(word in label for word in _PERSONAL_LABELS):
        return "subject"
    rules: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("certificate", ("証明書",)), ("place", ("場所",)), ("date", ("年月日", "日付", "日時")),
    )
    for kind, words in rules:
        if any(word in label for word in words):
            return kind
    if label.endswith("日"):
        return "date"
    if label.endswith("先") or "先の" in label or "相手" in label:
        return "recipient"
    rules = (
        ("purpose", ("目的", "事務")), ("file", ("ファイル",)), ("count", ("件数", "数量")), ("fields", ("項目",)),
        ("method", ("方法",)), ("item", ("書類", "媒体", "対象")), ("terminal", ("端末",)), ("result", ("結果",)),
        ("content", ("内容", "区分", "種類", "の別", "状況")), ("note", ("備考",)),
    )
    for kind, words in rules:
        if any(word in label for word in words):
            return kind
    return "other"


def column_value(record: HandlingRecord, kind: str, ctx: RowContext, *, first_personal: bool = True) -> str:
    """The value of one column of the form for one record.

    Columns that on paper would hold personal data (003 §7 (1): 個人番号, 氏名, 生年月日 …) get the record
    ids and the count instead: the handling-status record itself holds no 特定個人情報.
    """
    if kind == "checker":
        if record.checker or record.target_type != "person":
            return record.checker
        return ctx.confirmers.get(record.target_id, "")
    if kind == "actor":
        return _who(record, ctx)
    if kind == "subject":
        return _subject(record) if first_personal else "〃"
    if kind == "date":
        return jdates.to_wareki(timezone.localtime(record.occurred_at).date())
    if kind == "purpose":
        return ctx.profile.tasks[record.purpose].ja if record.purpose in ctx.profile.tasks else record.purpose
    if kind == "file":
        return ctx.file_names.get(record.file_id or 0, f"#{record.file_id}" if record.file_id else "")
    if kind == "count":
        return str(record.count)
    if kind == "fields":
        return "、".join(ctx.profile.fields[f].ja if f in ctx.profile.fields else f for f in record.fields)
    if kind == "item":
        return record.item or (action_label(record.action) if record.source == "log" else "")
    if kind == "terminal":
        return record.terminal_name
    if kind == "result":
        shown = RESULT_JA.get(record.result, record.result)
        return _(shown) if shown else _("済")
    if kind == "content":
        return _content(record)
    if kind == "note":
        return _note(record)
    if kind in ("certificate", "place", "recipient", "method"):
        return getattr(record, kind)
    return ""


def _cells(record: HandlingRecord, columns: list[str], ctx: RowContext) -> list[str]:
    kinds = [column_kind(label) for label in columns]
    cells, personal_seen = [], False
    for kind in kinds:
        if kind == "content":
            cells.append(_content(record, with_method="method" not in kinds))
            continue
        cells.append(column_value(record, kind, ctx, first_personal=not personal_seen))
        personal_seen = personal_seen or kind == "subject"
    # What the form has no column for still reaches the reader, in 備考 (e.g. 003 §7 (5) has only a date).
    extra = []
    if "content" not in kinds and "item" not in kinds:
        extra.append(_content(record))
    for kind, label in (("purpose", _("目的")), ("recipient", _("相手先")), ("place", _("保管場所")),
                        ("item", _("対象")), ("count", _("件数")), ("certificate", _("証明書")), ("actor", _("取扱者"))):
        if kind in kinds:
            continue
        value = column_value(record, kind, ctx)
        if value and not (kind == "count" and record.count == 1):
            extra.append(f"{label}：{value}")
    if extra and "note" in kinds:
        i = kinds.index("note")
        cells[i] = "／".join([*extra, cells[i]] if cells[i] else extra)
    return cells


def user_names(user_ids: set[int]) -> dict[int, str]:
    from tokutei.staff.models import User

    return {u.pk: f"{u.display_name}（{u.username}）" for u in User.objects.filter(pk__in=user_ids)}


# Routine reading of records (a search, a list, a view — never a reveal, an export or a refusal): where the
# profile allows (handling_status.summarise_routine), one row per person, task and day on the sheet.
ROUTINE_ACTIONS = frozenset({"vault.search", "vault.list", "vault.view"})


def _is_routine(record: HandlingRecord) -> bool:
    return record.source == "log" and record.result == "ok" and record.action in ROUTINE_ACTIONS \
        and not record.corrects_id


def summarise(records: list[HandlingRecord]) -> list[tuple[HandlingRecord, list[HandlingRecord]]]:
    """(row, the records it stands for): routine records of one person, task and local day become one row
    (the first of them, its count the sum) placed where the first was; every other record stands alone."""
    groups: dict[tuple, list[HandlingRecord]] = {}
    out: list[tuple[HandlingRecord, list[HandlingRecord]]] = []
    for r in records:
        if not _is_routine(r):
            out.append((r, [r]))
            continue
        key = (r.actor_id, r.actor_username, r.purpose, r.file_id, timezone.localtime(r.occurred_at).date())
        if key not in groups:
            groups[key] = []
            out.append((r, groups[key]))
        groups[key].append(r)
    rows = []
    for first, members in out:
        if len(members) == 1:
            rows.append((first, members))
            continue
        row = copy.copy(first)  # never saved: the sheet's line for the group
        row.count = sum(m.count for m in members)
        row.note = _("検索・閲覧 %(n)s回をまとめて記載（No.%(first)s〜%(last)s）") % {
            "n": len(members), "first": members[0].pk, "last": members[-1].pk}
        rows.append((row, members))
    return rows


def _typed(record: HandlingRecord, kinds: list[str], cells: list[str]) -> list[Any]:
    """The cells as Excel should hold them: a date as a date, a count as a number, the rest as text."""
    values: list[Any] = []
    for kind, cell in zip(kinds, cells, strict=False):
        if kind == "date" and cell:
            values.append(timezone.localtime(record.occurred_at).date())
        elif kind == "count" and cell == str(record.count):
            values.append(record.count)
        else:
            values.append(cell)
    return values


def form_tables(profile: Profile, records: list[HandlingRecord], category: str | None = None, *,
                detail: bool = False) -> list[dict]:
    """One table per form category, in the form's order, with the form's own column labels.

    Routine searches and views are one row per person, task and day where the profile says so
    (``handling_status.summarise_routine``), unless ``detail``: the sheet stays readable over a year, and
    the summarised row says which records it stands for (the detail view lists them one by one).
    """
    ctx = RowContext(
        profile=profile,
        file_names=files.file_names(),
        users=user_names({r.actor_id for r in records if r.actor_id}),
        confirmers=confirmers(records),
    )
    form = profile.handling_status
    grouped = form is not None and form.summarise_routine and not detail
    tables = []
    for key, cat in categories(profile).items():
        if category and key != category:
            continue
        columns = list(cat.columns) or ["年月日", "内容", "事務（目的）", "件数", "取扱者", "備考"]
        if not any("備考" in c for c in columns):
            columns.append("備考")
        kinds = [column_kind(label) for label in columns]
        mine = [r for r in records if r.stage in cat.stages]
        rows = []
        for r, members in (summarise(mine) if grouped else [(r, [r]) for r in mine]):
            cells = _cells(r, columns, ctx)
            rows.append({
                "record": r,
                "no": r.pk,
                "cells": cells,
                "values": _typed(r, kinds, cells),
                # Pre-escaped: a 10,000-row print page renders in a fraction of the template-loop time.
                "cells_html": mark_safe("".join(f"<td>{escape(c)}</td>" for c in cells)),  # noqa: S308
                "refused": r.result != "ok",
                "superseded": bool([c for c in r.corrections.all()]),
                "summarised": len(members) if len(members) > 1 else 0,
                "day": timezone.localtime(r.occurred_at).date(),
            })
        tables.append({"key": key, "ja": cat.ja, "columns": columns, "rows": rows,
                       "stages": [stage_label(s) for s in cat.stages]})
    return tables


# --- 特定個人情報ファイル管理台帳 (004 §10 別紙2) --------------------------------------------------------------

def _expand_tasks(profile: Profile, keys: list[str]) -> set[str]:
    """A designation for a parent purpose covers its children (004 §3 purpose tree)."""
    found = set(keys)
    changed = True
    while changed:
        changed = False
        for key, task in profile.tasks.items():
            if task.parent in found and key not in found:
                found.add(key)
                changed = True
    return found


def access_list(info: files.FileInfo, *, profile: Profile, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Who has access to this file now: active designations of data-handling roles whose task scope meets
    the file's purposes, in the file's unit when both are unit-bound. Computed, never typed (R-REG-7 (5))."""
    day = on or timezone.localdate()
    file_tasks = _expand_tasks(profile, info.tasks)
    assignments = (
        RoleAssignment.objects.filter(in_force_q(day), role_key__in=profile.handler_roles(), user__is_active=True).select_related("user").order_by("user__username", "role_key")
    )
    people: dict[int, dict[str, Any]] = {}
    for a in assignments:
        shared = _expand_tasks(profile, list(a.tasks or [])) & file_tasks
        if not shared:
            continue
        # Unit scope: the designation's unit, or — for a unit-scoped role — the holder's own unit.
        role = profile.roles.get(a.role_key)
        unit_id = a.unit_id or (a.user.unit_id if role is not None and role.unit_scoped else None)
        if unit_id and info.unit_id and unit_id != info.unit_id:
            continue
        person = people.setdefault(a.user_id, {
            "user_id": a.user_id, "username": a.user.username, "name": a.user.display_name,
            "roles": [], "tasks": set(), "until": a.end_date,
        })
        role_ja = profile.roles[a.role_key].ja if a.role_key in profile.roles else a.role_key
        if role_ja not in person["roles"]:
            person["roles"].append(role_ja)
        person["tasks"] |= shared
        if a.end_date is None or (person["until"] is not None and a.end_date > person["until"]):
            person["until"] = a.end_date
    result = []
    for person in people.values():
        person["tasks"] = sorted(person["tasks"])
        result.append(person)
    return result


def latest_sign_offs() -> dict[int, FileRegisterSignOff]:
    latest: dict[int, FileRegisterSignOff] = {}
    for s in FileRegisterSignOff.objects.select_related("signed_by").order_by("file_id", "-signed_at", "-id"):
        latest.setdefault(s.file_id, s)
    return latest


def file_register_row(info: files.FileInfo, *, profile: Profile, sign_off: FileRegisterSignOff | None = None,
                      first_sign_off_at: dt.datetime | None = None,
                      disposals: list[files.Disposal] | None = None) -> dict[str, Any]:
    people = access_list(info, profile=profile)
    purposes = [profile.tasks[t].ja if t in profile.tasks else t for t in info.tasks]
    grounds = sorted({profile.tasks[t].ground for t in info.tasks if t in profile.tasks and profile.tasks[t].ground})
    snapshot = {
        "kind": info.kind, "name": info.name, "unit_id": info.unit_id, "responsible_id": info.responsible_id,
        "tasks": sorted(info.tasks), "status": info.status,
        "access": sorted(p["user_id"] for p in people),
    }
    flags: list[str] = []
    added: list[dict] = []
    removed: list[int] = []
    if sign_off is None:
        flags.append("未登録（責任者の確認がありません）")
    else:
        approved = set(sign_off.snapshot.get("access", []))
        live = {p["user_id"] for p in people}
        added = [p for p in people if p["user_id"] not in approved]
        removed = sorted(approved - live)
        if added or removed:
            flags.append("アクセス権を有する者が台帳と実際の指定で異なります")
        for key, label in (("name", "名称"), ("kind", "種類"), ("unit_id", "取扱部署"),
                           ("responsible_id", "責任者"), ("tasks", "利用目的"), ("status", "廃棄・削除状況")):
            if sign_off.snapshot.get(key) != snapshot[key]:
                flags.append(f"{label}が確認後に変更されています")
    first_use = HandlingRecord.objects.filter(file_id=info.id, source="log", result="ok").aggregate(
        m=Min("occurred_at"))["m"]
    if first_use is not None and (first_sign_off_at is None or first_use < first_sign_off_at):
        flags.append("台帳への登録前に利用されています")
    return {
        "file": info, "purposes": purposes, "grounds": grounds, "access": people, "sign_off": sign_off, "flags": flags,
        "added": added, "removed": user_names(set(removed)) if removed else {}, "snapshot": snapshot,
        "first_use": first_use,
        "disposals": files.disposals_of([info.id]).get(info.id, []) if disposals is None else disposals,
    }


def file_register(profile: Profile, infos: list[files.FileInfo] | None = None) -> list[dict[str, Any]]:
    """The register's rows for ``infos`` (the files the reader may see; default every file)."""
    latest = latest_sign_offs()
    firsts = dict(FileRegisterSignOff.objects.values("file_id").annotate(m=Min("signed_at")).values_list("file_id", "m"))
    infos = files.all_files() if infos is None else infos
    disposals = files.disposals_of([info.id for info in infos])
    return [
        file_register_row(info, profile=profile, sign_off=latest.get(info.id), first_sign_off_at=firsts.get(info.id),
                          disposals=disposals.get(info.id, []))
        for info in infos
    ]


def file_is_registered(file_id: int) -> bool:
    """E-43: has the responsible person confirmed this file's register entry? (for apps that want to block
    use of an unconfirmed file; the register page flags it either way)."""
    return FileRegisterSignOff.objects.filter(file_id=file_id).exists()


# --- simple record books -------------------------------------------------------------------------------

def register_entries(register: str, *, include_history: bool = False,
                     queryset: QuerySet[RegisterEntry] | None = None) -> list[RegisterEntry]:
    """``queryset``: the entries the reader may see (``restrict(..., Action.LEDGERS_VIEW)``); default all."""
    base = queryset if queryset is not None else RegisterEntry.objects.all()
    qs = base.filter(register=register).select_related("created_by").order_by("entry_no", "version")
    rows = list(qs)
    if include_history:
        return rows
    superseded = {r.supersedes_id for r in rows if r.supersedes_id}
    return [r for r in rows if r.pk not in superseded]
