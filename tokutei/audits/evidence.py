"""The auditor's evidence, article by article (R-AUD-6), and the checklists generated from it (R-AUD-1, -2).

For each article of the organisation's regulation (its map, ``tokutei.audits.maps``), what the system does
about it, measured live for a period:

* ``enforced`` — a rule the system enforces, with the tests that prove it; its refusals in the period are
  the live evidence (the operation log, ``result=refused``);
* ``records`` — operations whose log entries in the period evidence the obligation (``no_records`` when
  the period has none: an auditor sees the gap);
* ``checklist`` — an obligation the system cannot enforce ([CHK]/[REC], or a rule not enforced): a person
  answers it in an inspection or audit; the latest answer is shown;
* ``general`` — purpose, definitions, delegation: no obligation of its own;
* ``open`` — nothing in the system answers it yet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.auditlog.actions import lookup
from tokutei.auditlog.models import Entry

from .maps import ArticleMap, ChecklistItem, Control, RegulationMap, controls, regulation_map

Status = Literal["enforced", "records", "no_records", "checklist", "general", "open"]
STATUS_LABELS = {
    "enforced": _("システムで強制（テスト済み）"),
    "records": _("期間中の記録で証明"),
    "no_records": _("記録の対象（期間中の記録なし）"),
    "checklist": _("点検・監査のチェックリストで確認"),
    "general": _("総則・定義（固有の義務なし）"),
    "open": _("未対応"),
}
RESULT_LABELS = {"compliant": _("適合"), "finding": _("指摘あり"), "na": _("該当なし")}


@dataclass(frozen=True)
class RuleRow:
    control: Control
    refusals: int


@dataclass(frozen=True)
class RecordRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class ItemRow:
    item: ChecklistItem
    result: str = ""  # the latest answer: compliant / finding / na, "" if never answered
    engagement_id: int | None = None


@dataclass
class ArticleRow:
    map: ArticleMap
    rules: list[RuleRow] = field(default_factory=list)
    untested: list[str] = field(default_factory=list)  # mapped as enforced but a named test is missing
    records: list[RecordRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    status: Status = "open"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def period_bounds(period_from: dt.date, period_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def log_counts(period_from: dt.date, period_to: dt.date) -> Counter:
    """(action code, result) → number of log entries in the period, in one query."""
    start, end = period_bounds(period_from, period_to)
    rows = (Entry.objects.filter(at__gte=start, at__lt=end).values("action", "result")
            .annotate(n=Count("id")).order_by())
    return Counter({(r["action"], r["result"]): r["n"] for r in rows})


def latest_answers() -> dict[str, tuple[str, int]]:
    from .models import Answer

    found: dict[str, tuple[str, int]] = {}
    for item_id, result, engagement_id in (Answer.objects.order_by("answered_at", "id")
                                           .values_list("item_id", "result", "engagement_id")):
        found[item_id] = (result, engagement_id)
    return found


def the_map(profile) -> RegulationMap | None:
    return regulation_map(profile.organisation.code)


def article_rows(profile, period_from: dt.date, period_to: dt.date) -> list[ArticleRow]:
    """Every article of the organisation's regulation with its evidence and status for the period."""
    reg = the_map(profile)
    if reg is None:
        return []
    counts = log_counts(period_from, period_to)
    answers = latest_answers()
    known = controls()
    rows = []
    for art in reg.articles:
        row = ArticleRow(map=art)
        for rule in art.enforced:
            control = known.get(rule)
            if control is None or not control.tested:
                row.untested.append(rule)
                continue
            row.rules.append(RuleRow(control, sum(counts[(a, "refused")] for a in control.actions)))
        for code in art.records:
            action = lookup(code)
            row.records.append(RecordRow(code, action.label if action else code, counts[(code, "ok")]))
        for item in art.checklist:
            result, engagement_id = answers.get(item.id, ("", None))
            row.items.append(ItemRow(item, result, engagement_id))
        row.status = _status(row)
        rows.append(row)
    return rows


def _status(row: ArticleRow) -> Status:
    if row.rules:
        return "enforced"
    if row.records and any(r.count for r in row.records):
        return "records"
    if row.items:
        return "checklist"
    if row.records:
        return "no_records"
    if row.map.general:
        return "general"
    return "open"


def summary(rows: list[ArticleRow]) -> list[tuple[str, str, int]]:
    counted: Counter[str] = Counter(r.status for r in rows)
    return [(key, str(label), counted[key]) for key, label in STATUS_LABELS.items()]


# --- checklists (R-AUD-1, R-AUD-2) ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    """One line of an inspection or audit checklist: an item to answer, with its article and live evidence."""

    id: str
    article: str
    topic: str
    ja: str
    kind: str  # CHK / REC / ENF (a person checks) · LIVE (the system enforces: its refusals) · RECORDS
    evidence: str = ""  # what the system shows for it, e.g. 「拒否 3件」
    actions: tuple[str, ...] = ()  # log actions to search for the evidence
    refused: bool = False  # the evidence is the refusals of ``actions``


def checklist(profile, kind: str, period_from: dt.date, period_to: dt.date) -> list[ChecklistRow]:
    """The checklist of an inspection (what people check: [CHK], [REC], rules not enforced, the records of the
    period) or an audit (all of that and the enforced rules with their refusals), in article order."""
    rows = []
    for art in article_rows(profile, period_from, period_to):
        m = art.map
        for it in art.items:
            rows.append(ChecklistRow(it.item.id, m.article, m.topic, it.item.ja, it.item.kind))
        if art.records:
            total = sum(r.count for r in art.records)
            rows.append(ChecklistRow(
                f"{m.article.replace(' ', '-')}-records", m.article, m.topic,
                str(_("%(topic)sの記録が作成・保存されているか") % {"topic": m.topic}), "RECORDS",
                str(_("期間中の記録 %(n)s件") % {"n": total}), tuple(r.code for r in art.records)))
        if kind == "audit":
            for r in art.rules:
                rows.append(ChecklistRow(
                    f"{m.article.replace(' ', '-')}-{r.control.rule}", m.article, m.topic,
                    str(_("%(rule)s %(ja)s：システムが拒否していること") % {"rule": r.control.rule,
                                                                           "ja": r.control.ja}),
                    "LIVE", str(_("期間中の拒否 %(n)s件") % {"n": r.refusals}), r.control.actions, True))
    # The measures the profile lists item by item (001 §8 障害の防止, 003 §16 不正アクセス等の防止): a person checks each.
    for key, safeguard in profile.safeguards.items():
        for i, item in enumerate(safeguard.items, start=1):
            rows.append(ChecklistRow(f"safeguard-{key}-{i}", safeguard.article, safeguard.ja, item, "CHK"))
    return rows


def item_ids(profile, kind: str) -> set[str]:
    today = timezone.localdate()
    return {r.id for r in checklist(profile, kind, today, today)}
