"""How a retention rule of the profile turns an event date into the day a record may be disposed of.

Pure computation: the profile's rule, the record's event date, the organisation's payment calendar and
the legal holds in, a :class:`Schedule` out — with every step of the count written down in Japanese (and
English) so that a manager can check the profile against the regulation's table
(``tokutei retention explain``). Nothing here reads the database.

The day computed is the **first day** on which the record may be disposed of (``due``): on the day
before it a disposal is refused (E-36), on that day it is allowed.

* ``fixed_period``: the period (or a number of business days on the organisation's calendar) added to the
  event date, or to the first day of the business year that follows the event's (004 §15: 保存年限 counted
  from the 翌事業年度; the start month is the profile's ``business_year_start_month``, R-RET-11).
* ``after_next_payment``: the day after the first payment date of the organisation's payment calendar
  that is later than the event (000 §11.1 「次回の年金給付後は、遅滞なく」). No such date in the calendar:
  undetermined, never "at once".
* ``when_no_longer_needed``: from the day someone recorded that the record is no longer needed (002 §14,
  003 §14); until then undetermined, with a review date every ``review_every`` from the event.

A legal hold stops the clock: while it is in force nothing may be disposed of, and the days it lasted are
added to the due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tokutei.core.jdates import fiscal_year, fiscal_year_start, to_wareki
from tokutei.profiles.schema import RECORD_CLASSES, RETENTION_EVENTS, Period, RetentionRule

from .calendar import add_business_days

OPERATION_LOG = "operation_log"


def today() -> dt.date:
    """Today in the organisation's time zone (one place, so that tests can move the clock)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Step:
    ja: str
    en: str


@dataclass(frozen=True)
class Hold:
    placed: dt.date
    released: dt.date | None
    kind_ja: str = "法的保存"


@dataclass
class Schedule:
    rule_key: str
    rule: RetentionRule
    event: dt.date | None
    due: dt.date | None  # the first day it may be disposed of; None: not determined (never "at once")
    overdue_after: dt.date | None = None  # past this day the disposal is overdue (遅滞なく)
    review_on: dt.date | None = None  # when_no_longer_needed: the next review
    held: bool = False
    undetermined: str = ""  # why ``due`` is None (Japanese)
    steps: list[Step] = field(default_factory=list)

    def disposable_on(self, day: dt.date) -> bool:
        return not self.held and self.due is not None and day >= self.due

    def status(self, day: dt.date) -> str:
        """not_due / due / overdue / held / undetermined (and automatic for rules another system applies)."""
        if self.held:
            return "held"
        if self.due is None:
            return "undetermined"
        if day < self.due:
            return "not_due"
        if self.overdue_after is not None and day > self.overdue_after:
            return "overdue"
        return "due"


STATUS_LABELS = {
    "not_due": ("保存期間中", "Within retention"),
    "due": ("廃棄可能", "Due for disposal"),
    "overdue": ("廃棄期限超過", "Overdue"),
    "held": ("法的保存中（廃棄停止）", "On legal hold"),
    "undetermined": ("廃棄可能日未定", "Not yet determined"),
}


def _english(english: bool | None) -> bool:
    """Asked for, or else the language of the page."""
    if english is not None:
        return english
    from django.utils import translation

    return (translation.get_language() or "").startswith("en")


def status_label(status: str, english: bool | None = None) -> str:
    english = _english(english)
    ja, en = STATUS_LABELS.get(status, (status, status))
    return en if english else ja


def _w(day: dt.date) -> str:
    return f"{to_wareki(day)}（{day.isoformat()}）"


def operation_log_rule(profile: Any) -> RetentionRule:
    """The log's own period (``retention.operation_log``) as a rule, so it is explained like the others."""
    return RetentionRule(ja="操作履歴", trigger="fixed_period", event="created",
                         period=profile.retention.operation_log or Period(), article=profile.retention.article)


def rule_for(profile: Any, record_class: str, *, file_rule: str = "", task: str = "") -> tuple[str, RetentionRule]:
    """The rule that governs a record: for people, their file's rule, else their task's, else the class's.

    Raises KeyError for a class without a rule — the profile validation makes that impossible for a
    profile in force, and nothing may be disposed of by a rule that does not exist.
    """
    if record_class == OPERATION_LOG:
        return OPERATION_LOG, operation_log_rule(profile)
    if record_class == "person":
        if file_rule and file_rule in profile.retention_rules:
            return file_rule, profile.retention_rules[file_rule]
        task_def = profile.tasks.get(task)
        if task_def is not None and task_def.retention_rule:
            return task_def.retention_rule, profile.retention_rules[task_def.retention_rule]
    key = profile.retention.classes[record_class]
    return key, profile.retention_rules[key]


def class_label(record_class: str, english: bool | None = None) -> str:
    english = _english(english)
    if record_class == OPERATION_LOG:
        return "Operation log" if english else "操作履歴"
    ja, en, _events = RECORD_CLASSES.get(record_class, (record_class, record_class, frozenset()))
    return en if english else ja


def event_label(event: str) -> str:
    return RETENTION_EVENTS.get(event, (event, event))[0]


def compute(profile: Any, rule_key: str, rule: RetentionRule, *, event: dt.date | None,
            payments: list[dt.date] | tuple[dt.date, ...] = (), holds: list[Hold] | tuple[Hold, ...] = (),
            no_longer_needed: dt.date | None = None, on: dt.date | None = None) -> Schedule:
    """The schedule of one record under ``rule``, with the steps of the count."""
    on = on or today()
    s = Schedule(rule_key=rule_key, rule=rule, event=event, due=None)
    steps = s.steps
    steps.append(Step(f"規則: {rule.ja}（{rule_key}）", f"Rule: {rule_key}"))
    ev_label = event_label(rule.event)
    if rule.trigger == "when_no_longer_needed":
        return _when_no_longer_needed(profile, s, no_longer_needed, on)
    if event is None:
        s.undetermined = f"起算日（{ev_label}）が登録されていません"
        steps.append(Step(s.undetermined + "。廃棄できる日は決まりません。",
                          "The start date is not recorded: no disposal date."))
        return _with_holds(profile, s, holds, on)
    steps.append(Step(f"起算の事由: {ev_label} {_w(event)}", f"Event ({rule.event}): {event.isoformat()}"))
    if rule.trigger == "after_next_payment":
        later = sorted(p for p in payments if p > event)
        if not later:
            s.undetermined = "給付日カレンダーにこの日より後の給付日が登録されていません"
            steps.append(Step(s.undetermined + "。給付日を登録するまで廃棄できる日は決まりません。",
                              "No later payment date in the payment calendar: no disposal date yet."))
            return _with_holds(profile, s, holds, on)
        payment = later[0]
        s.due = payment + dt.timedelta(days=1)
        steps.append(Step(f"次回の給付日: {_w(payment)}", f"Next payment date: {payment.isoformat()}"))
        steps.append(Step(f"給付日の翌日から廃棄できます: {_w(s.due)}", f"Disposable from the day after: {s.due}"))
    else:  # fixed_period
        base = event
        if rule.count_from == "next_business_year":
            month = profile.retention.business_year_start_month
            year = fiscal_year(event, month)
            base = fiscal_year_start(year + 1, month)
            steps.append(Step(f"その日の属する事業年度: {year}年度（{month}月始まり）",
                              f"Business year of the event: {year} (starting in month {month})"))
            steps.append(Step(f"翌事業年度の初日から起算: {_w(base)}", f"Counted from the next business year: {base}"))
        else:
            steps.append(Step("その日から起算", "Counted from that day"))
        if rule.business_days is not None:
            s.due = add_business_days(profile, base, rule.business_days)
            steps.append(Step(f"{rule.business_days}営業日後（土日・祝日・年末年始・組織の休日を除く）: {_w(s.due)}",
                              f"{rule.business_days} business days later: {s.due}"))
        else:
            period = rule.period or Period()
            s.due = period.add_to(base)
            steps.append(Step(f"{period.label_ja()}を加えた日から廃棄できます: {_w(s.due)}",
                              f"Plus {period.years}y {period.months}m {period.days}d: disposable from {s.due}"))
    return _with_holds(profile, s, holds, on)


def _when_no_longer_needed(profile: Any, s: Schedule, decided: dt.date | None, on: dt.date) -> Schedule:
    rule = s.rule
    if decided is not None:
        s.due = decided
        s.steps.append(Step(f"不要と判断した日（記録あり）: {_w(decided)} — この日から廃棄できます",
                            f"Recorded as no longer needed on {decided}: disposable from then"))
        return _finish(profile, s)
    s.undetermined = "不要との判断が記録されていません"
    s.steps.append(Step(s.undetermined + "。不要と判断されるまで保存します（直ちに廃棄はできません）。",
                        "Not recorded as no longer needed: kept (never disposable at once)."))
    if s.event is not None and rule.review_every is not None:
        review = rule.review_every.add_to(s.event)
        guard = 0
        while review < on and guard < 1000:
            review = rule.review_every.add_to(review)
            guard += 1
        s.review_on = review
        s.steps.append(Step(f"見直し: {rule.review_every.label_ja()}ごと、次回 {_w(review)}",
                            f"Review every {rule.review_every.label_ja()}, next on {review}"))
    return s


def _with_holds(profile: Any, s: Schedule, holds: list[Hold] | tuple[Hold, ...], on: dt.date) -> Schedule:
    for hold in holds:
        if hold.placed > on:
            continue
        if hold.released is None or hold.released > on:
            s.held = True
            s.steps.append(Step(f"{hold.kind_ja}により {_w(hold.placed)} から廃棄を停止しています（解除されるまで廃棄できません）",
                                f"On hold since {hold.placed}: no disposal until released"))
            continue
        if s.due is not None and hold.placed < s.due:
            days = (hold.released - hold.placed).days
            s.due = s.due + dt.timedelta(days=days)
            s.steps.append(Step(f"{hold.kind_ja}（{_w(hold.placed)}〜{_w(hold.released)}）の{days}日間、期間を停止: "
                                f"廃棄できる日は {_w(s.due)}", f"Clock stopped {days} days by a hold: due {s.due}"))
    return _finish(profile, s)


def _finish(profile: Any, s: Schedule) -> Schedule:
    if s.due is not None:
        grace = profile.retention.overdue_after_business_days
        s.overdue_after = add_business_days(profile, s.due, grace) if grace else s.due
        if grace:
            s.steps.append(Step(f"{grace}営業日を過ぎると期限超過（遅滞なく）: {_w(s.overdue_after)}の翌日から",
                                f"Overdue after {grace} business days: after {s.overdue_after}"))
    if s.rule.automatic:
        s.steps.append(Step("この区分は自動的に削除されます（本システムは適用を監視します）",
                            "Deleted automatically; the system monitors it"))
    return s
