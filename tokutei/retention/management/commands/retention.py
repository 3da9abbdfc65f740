"""tokutei retention due | explain | payments | hold | release

* ``due [--on DATE] [--json] [--all]`` — what is due and overdue (R-RET-3); exit code 3 when something is
  overdue (「遅滞なく」), so cron can alert;
* ``explain --class CLASS --id ID`` or ``explain --rule KEY --event DATE`` — how the date was counted,
  step by step, in Japanese;
* ``payments list | add DATE [--label L] | remove DATE --user U`` — the payment calendar (000 §11.1);
* ``event --class C --id ID --event no_longer_needed --date D --user U`` — a start date or the day the
  record was found no longer needed (002 §14, 003 §14);
* ``hold --class C (--id ID | --file N) --kind incident|audit|lawsuit --reason R --user U`` and
  ``release HOLD_ID --reason R --user U`` — legal holds.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tokutei.core.errors import Refused
from tokutei.core.jdates import parse_date, to_wareki
from tokutei.ops.cliutil import actor as user_of
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile


def _date(text: str | None):
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "保存期間と廃棄予定（due, explain）、給付日カレンダー、法的保存"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="廃棄可能・期限超過の記録の一覧")
        due.add_argument("--on", help="基準日（既定: 今日）")
        due.add_argument("--json", action="store_true", help="JSON で出力")
        due.add_argument("--all", action="store_true", help="保存期間中・未定の記録も表示")
        explain = sub.add_parser("explain", help="廃棄できる日の数え方を表示")
        explain.add_argument("--class", dest="record_class", help="記録の区分 (person, medium …)")
        explain.add_argument("--id", dest="record_id", help="記録の番号")
        explain.add_argument("--rule", help="プロファイルの保存期間の規則 (retention_rules のキー)")
        explain.add_argument("--event", help="起算日 (--rule と共に)")
        explain.add_argument("--on", help="基準日")
        pay = sub.add_parser("payments", help="給付日カレンダー")
        pay.add_argument("op", choices=["list", "add", "remove"])
        pay.add_argument("date", nargs="?")
        pay.add_argument("--label", default="")
        pay.add_argument("--user")
        hold = sub.add_parser("hold", help="法的保存（廃棄の停止）")
        hold.add_argument("--class", dest="record_class", required=True)
        hold.add_argument("--id", dest="record_id", default="")
        hold.add_argument("--file", type=int)
        hold.add_argument("--kind", required=True, choices=["incident", "audit", "lawsuit"])
        hold.add_argument("--reason", required=True)
        hold.add_argument("--user", required=True)
        event = sub.add_parser("event", help="起算日・不要と判断した日の記録")
        event.add_argument("--class", dest="record_class", required=True)
        event.add_argument("--id", dest="record_id", required=True)
        event.add_argument("--event", required=True, help="acquired, right_lost, no_longer_needed …")
        event.add_argument("--date", required=True)
        event.add_argument("--note", default="")
        event.add_argument("--user", required=True)
        release = sub.add_parser("release", help="法的保存の解除")
        release.add_argument("hold_id", type=int)
        release.add_argument("--reason", required=True)
        release.add_argument("--user", required=True)

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    # --- due --------------------------------------------------------------------------------------------
    def _due(self, *, on=None, json=False, all=False, **options) -> None:
        from tokutei.retention.schedule import status_label
        from tokutei.retention.selectors import summary, worklist

        day = _date(on)
        statuses = None if all else {"due", "overdue", "held"}
        items = worklist(get_profile(), day, statuses=statuses)
        counts = summary(items)
        if json:
            self.stdout.write(_json([_row(i) for i in items]))
        else:
            for i in items:
                due = to_wareki(i.schedule.due) if i.schedule.due else "未定"
                self.stdout.write(f"{status_label(i.status):<10} {due:<14} {i.class_label} {i.label}"
                                  f" {i.count}件 {i.unit_name} [{i.schedule.rule_key}]")
            self.stdout.write(f"廃棄可能 {counts.get('due', 0)}件 / 期限超過 {counts.get('overdue', 0)}件 / "
                              f"法的保存中 {counts.get('held', 0)}件")
        if counts.get("overdue"):
            self.stderr.write(f"⚠ 廃棄期限を過ぎた記録が {counts['overdue']} 件あります（遅滞なく廃棄してください）")
            sys.exit(3)

    # --- explain ----------------------------------------------------------------------------------------
    def _explain(self, *, record_class=None, record_id=None, rule=None, event=None, on=None, **options) -> None:
        from tokutei.retention.models import PaymentDate
        from tokutei.retention.schedule import compute
        from tokutei.retention.selectors import find_item

        profile = get_profile()
        day = _date(on)
        if rule:
            if rule not in profile.retention_rules:
                raise CommandError(f"保存期間の規則 {rule} はプロファイルにありません")
            schedule = compute(profile, rule, profile.retention_rules[rule], event=_date(event),
                               payments=list(PaymentDate.objects.values_list("date", flat=True)), on=day)
        elif record_class and record_id:
            item = find_item(profile, record_class, record_id, day)
            if item is None:
                raise CommandError("該当する記録がありません")
            schedule = item.schedule
        else:
            raise CommandError("--class と --id、または --rule と --event を指定してください")
        from tokutei.profiles.citations import cite

        for n, step in enumerate(schedule.steps, 1):
            self.stdout.write(f"{n}. {step.ja}")
        self.stdout.write(f"根拠: {cite(schedule.rule.article)}")

    # --- payments ---------------------------------------------------------------------------------------
    def _payments(self, *, op: str, date=None, label="", user=None, **options) -> None:
        from tokutei.retention.models import PaymentDate
        from tokutei.retention.services import add_payment_date, remove_payment_date

        if op == "list":
            for p in PaymentDate.objects.all():
                self.stdout.write(f"{p.date.isoformat()} {to_wareki(p.date)} {p.label}")
            return
        if not date or not user:
            raise CommandError("日付と --user を指定してください")
        who = Actor.console(user_of(user))
        if op == "add":
            add_payment_date(actor=who, date=_date(date), label=label)
        else:
            remove_payment_date(actor=who, date=_date(date))
        self.stdout.write("給付日カレンダーを更新しました")

    # --- holds ------------------------------------------------------------------------------------------
    def _hold(self, *, record_class, record_id="", file=None, kind, reason, user, **options) -> None:
        from tokutei.retention.services import place_hold

        hold = place_hold(actor=Actor.console(user_of(user)), record_class=record_class, record_id=record_id,
                          file_id=file, kind=kind, reason=reason)
        self.stdout.write(f"法的保存 No.{hold.pk} を設定しました（解除されるまで廃棄できません）")

    def _event(self, *, record_class, record_id, event, date, note="", user, **options) -> None:
        from tokutei.retention.services import record_event

        record_event(actor=Actor.console(user_of(user)), record_class=record_class, record_id=record_id,
                     event=event, date=_date(date), note=note)
        self.stdout.write("記録しました")

    def _release(self, *, hold_id: int, reason, user, **options) -> None:
        from tokutei.retention.services import release_hold

        release_hold(actor=Actor.console(user_of(user)), hold_id=hold_id, reason=reason)
        self.stdout.write(f"法的保存 No.{hold_id} を解除しました")


def _row(i) -> dict:
    s = i.schedule
    return {"record_class": i.record_class, "ids": i.ids, "label": i.label, "count": i.count, "status": i.status,
            "rule": s.rule_key, "article": s.rule.article, "event": s.event.isoformat() if s.event else None,
            "due": s.due.isoformat() if s.due else None,
            "overdue_after": s.overdue_after.isoformat() if s.overdue_after else None,
            "review_on": s.review_on.isoformat() if s.review_on else None,
            "file_id": i.file_id, "unit": i.unit_name, "undetermined": s.undetermined}


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1)
