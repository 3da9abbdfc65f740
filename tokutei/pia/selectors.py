"""Reading for the PIA pages: the live counts, the assessment a file would get now, the history, the
changes to show on the dashboard, and the draft of the 基礎項目評価書 pre-filled from the file register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.core.jdates import to_wareki
from tokutei.ledgers import files as register
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile

from . import handlers as handler_sources
from . import rules_file
from .handlers import HandlerGroup
from .models import Assessment
from .rules_file import version_label


def people_count(file_id: int) -> int:
    """対象人数: the distinct people recorded in the file (by the 個人番号's blind index), deleted ones left out.

    One row per person per file is the vault's own constraint; counting distinct index values keeps a
    person counted once even so. A record without a 個人番号 yet counts as one person."""
    from tokutei.vault.models import Person

    live = Person.objects.filter(file_id=file_id, deleted_at__isnull=True)
    numbered = live.filter(bi_my_number__isnull=False).values("bi_my_number").distinct().count()
    return numbered + live.filter(bi_my_number__isnull=True).count()


def serious_incidents(now: dt.datetime | None = None, rules: rules_file.Rules | None = None) -> list[int]:
    """Incidents the organisation learned of within the look-back period that count as 重大事故: decided
    reportable to the PPC, or reported at once as particularly serious (the rules file's ``counts``)."""
    from tokutei.incidents.models import PpcAssessment

    rules = rules or rules_file.load()
    since = (now or timezone.now()) - dt.timedelta(days=rules.lookback_days)
    found: set[int] = set()
    if "ppc_reportable" in rules.serious_counts:
        found |= {p.incident_id for p in PpcAssessment.objects.filter(learned_at__gte=since) if p.reportable}
    if "declared_serious" in rules.serious_counts:
        found |= {int(t) for t in Entry.objects.filter(action=Action.INCIDENTS_SERIOUS, result=Entry.Result.OK,
                                                        at__gte=since).values_list("target_id", flat=True)
                  if str(t).isdigit()}
    return sorted(found)


@dataclass
class Computed:
    info: register.FileInfo
    people: int
    handlers: int
    groups: list[HandlerGroup]
    incidents: list[int]
    result: rules_file.Result
    rules: rules_file.Rules
    latest: Assessment | None = None
    history: list[Assessment] = field(default_factory=list)

    @property
    def level_ja(self) -> str:
        return self.rules.level_ja(self.result.level)

    @property
    def changed(self) -> bool:
        """The level now differs from the last recorded assessment (or none was recorded)."""
        return self.latest is None or self.latest.level != self.result.level


def compute(info: register.FileInfo, *, now: dt.datetime | None = None,
            incidents: list[int] | None = None) -> Computed:
    """The しきい値判断 of one file from live data (writes nothing)."""
    profile = get_profile()
    rules = rules_file.load()
    now = now or timezone.now()
    groups = handler_sources.handler_groups(info, profile, timezone.localtime(now).date())
    serious = serious_incidents(now, rules) if incidents is None else incidents
    people = people_count(info.id)
    total = sum(g.count for g in groups)
    result = rules_file.evaluate(rules, rules_file.Inputs(people=people, handlers=total, serious=bool(serious),
                                                         kind=info.kind))
    return Computed(info, people, total, groups, serious, result, rules, latest_for(info.id))


def latest_for(file_id: int) -> Assessment | None:
    return Assessment.objects.filter(file_id=file_id).order_by("-assessed_at", "-id").first()


def visible_files(actor: Actor, action: Action = Action.PIA_VIEW) -> list[register.FileInfo]:
    """The 特定個人情報ファイル the actor may see the assessment of (own unit for a unit-scoped role)."""
    model = register.file_model()
    if model is None:
        return []
    return register.all_files(restrict(model._default_manager.all(), actor, action))


def overview(actor: Actor) -> list[Computed]:
    incidents = serious_incidents()
    return [compute(info, incidents=incidents) for info in visible_files(actor)]


def history(file_id: int) -> QuerySet[Assessment]:
    return Assessment.objects.filter(file_id=file_id).order_by("-assessed_at", "-id")


def raised_changes(actor: Actor, *, days: int = 90) -> list[Assessment]:
    """Moves into a higher level within ``days``, for the files the actor sees (the dashboard card)."""
    ids = [f.id for f in visible_files(actor)]
    since = timezone.now() - dt.timedelta(days=days)
    return list(Assessment.objects.filter(file_id__in=ids, raised=True, assessed_at__gte=since)
                .order_by("-assessed_at", "-id")[:20])


# --- 基礎項目評価書（案） --------------------------------------------------------------------------------

def draft(computed: Computed) -> list[tuple[str, str]]:
    """The items of the 基礎項目評価書 the file register already answers, as (item, text) rows.

    A draft for the person who writes the 評価書: the 事務, its legal ground, the fields, who handles it,
    the vendors, the retention — pre-filled from the file register and the live counts."""
    from tokutei.vault.models import SpecificFile

    profile = get_profile()
    info = computed.info
    file = SpecificFile.objects.filter(pk=info.id).first()
    tasks = [profile.tasks[t] for t in info.tasks if t in profile.tasks]
    fields = []
    for task in tasks:
        fields += [profile.fields[k].ja for k in task.fields if k in profile.fields and profile.fields[k].ja not in fields]
    grounds = sorted({g for t in tasks for g in (t.law, t.ground) if g} | ({info.ground} if info.ground else set()))
    rule_key = getattr(file, "retention_rule", "") or next((t.retention_rule for t in tasks if t.retention_rule), "")
    rule = profile.retention_rules.get(rule_key) if rule_key else None
    retention = _retention_text(rule) if rule is not None else "（保存年限の区分が台帳にありません）"
    vendors = [f"{g.label}: {g.count}人" for g in computed.groups if g.kind == "vendor"]
    rows = [
        ("評価書名", f"{'・'.join(t.ja for t in tasks) or info.name}に関する事務 基礎項目評価書（案）"),
        ("評価実施機関名", profile.organisation.name),
        ("Ⅰ 1. 特定個人情報ファイルを取り扱う事務 — 事務の名称", "・".join(t.ja for t in tasks) or "—"),
        ("Ⅰ 1. 事務の内容（利用目的）", info.purpose_text or "—"),
        ("Ⅰ 3. 特定個人情報ファイル名", info.name),
        ("特定個人情報ファイルの種類", info.kind or "—"),
        ("記録される項目", "、".join(fields) or "—"),
        ("Ⅰ 4. 個人番号の利用 — 法令上の根拠", "／".join(grounds) or "（台帳に根拠の記載がありません）"),
        ("Ⅰ 6. 評価実施機関における担当部署", info.unit_name or "—"),
        ("所属長・責任者", info.responsible_name or "—"),
        ("取扱者（指定されている職員等）", "、".join(f"{g.label} {g.count}人" for g in computed.groups) or "—"),
        ("委託の有無・委託先", "、".join(vendors) if vendors else "（委託先の取扱者は未登録です。委託がある場合は記入してください）"),
        ("保存期間", retention),
        ("Ⅱ 1. 対象人数", f"{computed.rules.range_label(computed.people, 'people_ranges')}（{computed.people:,}人、"
                         f"{to_wareki(timezone.localdate())}時点）"),
        ("Ⅱ 2. 取扱者数", f"{computed.rules.range_label(computed.handlers, 'handlers_ranges')}（{computed.handlers:,}人）"),
        ("Ⅱ 3. 重大事故", ("発生あり（事故等の報告 " + "、".join(f"#{i}" for i in computed.incidents) + "）")
         if computed.incidents else "発生なし（評価の前1年以内）"),
        ("Ⅲ しきい値判断結果", computed.level_ja),
        ("判断の根拠", "／".join(f"{r.text}（{r.source}）" for r in computed.result.reasons)),
        ("しきい値判断の規則", f"tokutei/pia/data/thresholds.yaml 版 {version_label(computed.rules.version)}"),
    ]
    return rows


def _retention_text(rule: Any) -> str:
    period = getattr(rule, "period", None)
    parts = [str(getattr(rule, "ja", ""))]
    if period is not None:
        years = getattr(period, "years", None)
        if years:
            parts.append(f"{years}年")
    return "　".join(p for p in parts if p)


# --- 事務ごとの判断（指針の評価の単位） -----------------------------------------------------------------------

@dataclass
class TaskComputed:
    task: str
    task_ja: str
    files: list[str]
    people: int
    handlers: int
    result: rules_file.Result
    level_ja: str


def by_task(actor: Actor) -> list[TaskComputed]:
    """The 指針 assesses per 事務: the people of all the 事務's files counted once (the blind index is the same
    in every file), and the people who handle any of them counted once. Shown beside the per-file records, not
    stored: the register (and the dashboard) works per file."""
    from tokutei.vault.models import Person

    profile = get_profile()
    rules = rules_file.load()
    infos = [i for i in visible_files(actor) if not i.status or i.status == "active"]
    incidents = serious_incidents(rules=rules)
    day = timezone.localdate()
    out = []
    for key, task in profile.selectable_tasks().items():
        files = [i for i in infos if key in i.tasks]
        if not files:
            continue
        live = Person.objects.filter(file_id__in=[i.id for i in files], deleted_at__isnull=True)
        people = (live.filter(bi_my_number__isnull=False).values("bi_my_number").distinct().count()
                  + live.filter(bi_my_number__isnull=True).count())
        from tokutei.ledgers.selectors import access_list

        users = {p["user_id"] for i in files for p in access_list(i, profile=profile, on=day)}
        others = sum(g.count for i in files for g in handler_sources.handler_groups(i, profile, day)
                     if g.kind not in {"staff", "dispatched"})
        handlers = len(users) + others
        kind = "、".join(sorted({i.kind for i in files}))
        result = rules_file.evaluate(rules, rules_file.Inputs(people=people, handlers=handlers,
                                                             serious=bool(incidents), kind=kind if len(files) == 1 else ""))
        out.append(TaskComputed(key, task.ja, [i.name for i in files], people, handlers, result,
                                rules.level_ja(result.level)))
    return out
