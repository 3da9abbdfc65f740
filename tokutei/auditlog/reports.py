"""Detection reports over the operation log (R-LOG-5; 002 §22, 003 §16(5), 000 §8.3(6)).

Each report reads the entries of a period (local days) that the reader may see and returns plain rows
for the page, CSV and Excel. Thresholds come from settings (AUDIT_*), with defaults here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from tokutei.core.jdates import is_business_day, to_wareki

from .actions import Action, personal_codes
from .models import Entry
from .selectors import local_day_bounds


@dataclass
class Finding:
    at: dt.datetime | None
    user: str
    terminal: str
    action: str  # the code; pages and sheets show its label
    detail: str
    seq: int | None = None
    article: str = ""  # machine form; pages cite it
    search: dict[str, str] = field(default_factory=dict)  # the log search that lists its entries

    def search_query(self) -> str:
        """The address query of the search listing the finding's entries (``user=…&date_from=…``)."""
        from urllib.parse import urlencode

        return urlencode(self.search)


def _day_search(user: str, day: dt.date, **more: str) -> dict[str, str]:
    return {"user": user, "date_from": day.isoformat(), "date_to": day.isoformat(), **more}


@dataclass
class Report:
    key: str
    title: str
    description: str
    findings: list[Finding] = field(default_factory=list)


def _entries(scope: Q, day_from: dt.date, day_to: dt.date):
    start, end = local_day_bounds(day_from, day_to)
    return Entry.objects.filter(scope, at__gte=start, at__lt=end)


def off_hours(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """Operations outside working hours or on non-business days (時間外アクセス)."""
    start_h = settings.AUDIT_WORK_START_HOUR
    end_h = settings.AUDIT_WORK_END_HOUR
    report = Report("off_hours", "時間外・閉庁日のアクセス",
                    f"業務時間（{start_h}時〜{end_h}時、閉庁日を除く）以外の、職員による操作です。")
    qs = _entries(scope, day_from, day_to).filter(actor_id__isnull=False).exclude(action="staff.sign_out")
    for e in qs.order_by("seq").iterator(chunk_size=2000):
        local = timezone.localtime(e.at)
        if not is_business_day(local.date()):
            why = "閉庁日"
        elif not (start_h <= local.hour < end_h):
            why = "業務時間外"
        else:
            continue
        report.findings.append(Finding(e.at, e.actor_username, e.terminal_name, e.action, why, e.seq))
    return report


def volume(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """A user's daily volume of data operations vs their own usual (median of the 30 days before)."""
    factor = settings.AUDIT_VOLUME_FACTOR
    minimum = settings.AUDIT_VOLUME_MIN
    report = Report("volume", "普段より多い件数の操作",
                    f"利用者ごとに、1日の個人情報の操作件数が本人の過去30日（操作のあった日）の中央値の{factor:g}倍を超え、"
                    f"かつ{minimum}件以上の日です（大量アクセスの検知）。")
    history_from = day_from - dt.timedelta(days=30)
    per_user_day: dict[tuple[str, dt.date], int] = defaultdict(int)
    qs = _entries(scope, history_from, day_to).filter(action__in=personal_codes(), actor_id__isnull=False)
    for username, at, count in qs.values_list("actor_username", "at", "count").iterator(chunk_size=5000):
        per_user_day[(username, timezone.localtime(at).date())] += count or 1
    users = {u for u, _d in per_user_day}
    for user in sorted(users):
        day = day_from
        while day <= day_to:
            today = per_user_day.get((user, day), 0)
            if today:
                # The median of the days they worked (days off would make every user's usual 0).
                past = [n for i in range(1, 31) if (n := per_user_day.get((user, day - dt.timedelta(days=i)), 0))]
                usual = statistics.median(past) if past else 0
                if today >= minimum and today > factor * usual:
                    report.findings.append(Finding(
                        dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone()),
                        user, "", "", f"個人情報の操作 {today}件（普段の中央値 {usual:g}件）",
                        search=_day_search(user, day)))
            day += dt.timedelta(days=1)
    return report


def outside_designation(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """Refused attempts on personal data: outside the designation, terminal or purpose (E-01…)."""
    report = Report("outside_designation", "指定範囲外・目的外のアクセスの試み",
                    "個人情報の画面・操作が、事務の指定・端末・利用目的の制限により拒否された記録です。")
    qs = _entries(scope, day_from, day_to).filter(
        Q(action=Action.STAFF_ACCESS) | Q(action__in=personal_codes()), result=Entry.Result.REFUSED
    )
    for e in qs.order_by("seq"):
        if _is_input_error(e):
            continue  # counted in input_errors
        report.findings.append(Finding(e.at, e.actor_username, e.terminal_name, e.action, e.reason, e.seq,
                                       article=e.article))
    return report


# Refusals of what was typed, not of who typed it: a wrong check digit, a re-entry that does not match, a
# value a field type refused. Counted apart so that the access-policy refusals stand out.
INPUT_ERROR_CODES = frozenset({"invalid_input", "check_digit", "mismatch", "invalid", "date", "date_range",
                               "text"})


def _is_input_error(entry: Entry) -> bool:
    return isinstance(entry.details, dict) and entry.details.get("code") in INPUT_ERROR_CODES


def input_errors(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """Input errors (typing mistakes) refused on personal-data screens, apart from the policy's refusals."""
    report = Report("input_errors", "入力の誤り（チェックデジット・照合不一致・入力値の誤り）",
                    "入力した値の誤りにより受け付けなかった記録です（アクセスの制限による拒否ではありません）。")
    qs = _entries(scope, day_from, day_to).filter(
        Q(action=Action.STAFF_ACCESS) | Q(action__in=personal_codes()), result=Entry.Result.REFUSED)
    for e in qs.order_by("seq"):
        if not _is_input_error(e):
            continue
        report.findings.append(Finding(e.at, e.actor_username, e.terminal_name, e.action, e.reason, e.seq,
                                       article=e.article))
    return report


def sign_in_failures(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """Repeated sign-in failures per user ID and per terminal, and lockouts."""
    threshold = settings.AUDIT_SIGN_IN_FAILURES
    report = Report("sign_in_failures", "サインインの連続失敗",
                    f"同じ日に同じユーザIDまたは端末で{threshold}回以上失敗したもの、及びロックアウトです。")
    # Failures by an unknown user ID have no actor; a unit-scoped manager sees those too.
    widened = scope if not scope.children else scope | Q(actor_id__isnull=True)
    qs = _entries(widened, day_from, day_to).filter(
        action__in=["staff.sign_in_failed", "staff.second_factor_failed", "staff.lockout"]
    )
    counts: dict[tuple[str, str, dt.date], list[Entry]] = defaultdict(list)
    for e in qs.order_by("seq"):
        if e.action == "staff.lockout":
            report.findings.append(Finding(e.at, e.actor_username or e.target_id, e.terminal_name, e.action,
                                           "ロックアウト", e.seq))
            continue
        who = e.actor_username or str(e.details.get("username", "")) or e.target_id
        day = timezone.localtime(e.at).date()
        counts[("user", who, day)].append(e)
        if e.terminal_name:
            counts[("terminal", e.terminal_name, day)].append(e)
    for (kind, who, day), entries in sorted(counts.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        if len(entries) >= threshold:
            last = entries[-1]
            label = f"{to_wareki(day)} に {len(entries)}回失敗（{'ユーザID' if kind == 'user' else '端末'}別）"
            search = _day_search(who, day) if kind == "user" else {
                "terminal": who, "date_from": day.isoformat(), "date_to": day.isoformat()}
            report.findings.append(Finding(last.at, who if kind == "user" else "", last.terminal_name if
                                           kind == "terminal" else "", last.action, label, last.seq,
                                           search={**search, "action": "staff."}))
    return report


def reveals(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """Every display of a full My Number (vault.reveal)."""
    report = Report("reveals", "個人番号の表示", "マスクを外して個人番号を表示した記録です。")
    from tokutei.core.templatetags.jp import target_label, task_label

    from .targets import name_targets

    for e in name_targets(_entries(scope, day_from, day_to).filter(action="vault.reveal").order_by("seq")):
        report.findings.append(Finding(e.at, e.actor_username, e.terminal_name, e.action,
                                       f"{target_label(e)} 目的: {task_label(e.purpose)}", e.seq))
    return report


def shared_terminals(scope: Q, day_from: dt.date, day_to: dt.date) -> Report:
    """Several users on one terminal within a short window; one user on many terminals in a day."""
    window = dt.timedelta(minutes=settings.AUDIT_SHARED_TERMINAL_MINUTES)
    many = settings.AUDIT_MANY_TERMINALS
    report = Report("shared_terminals", "端末の共用・複数端末の利用",
                    f"同じ端末を{int(window.total_seconds() // 60)}分以内に複数の利用者が使ったもの、"
                    f"及び1日に{many}台以上の端末を使った利用者です（ID・パスワードの共用の疑い）。")
    qs = _entries(scope, day_from, day_to).filter(actor_id__isnull=False).exclude(terminal_name="")
    by_terminal: dict[str, list[tuple[dt.datetime, str, int]]] = defaultdict(list)
    by_user_day: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for seq, at, user, terminal in qs.order_by("seq").values_list(
            "seq", "at", "actor_username", "terminal_name").iterator(chunk_size=5000):
        by_terminal[terminal].append((at, user, seq))
        by_user_day[(user, timezone.localtime(at).date())].add(terminal)
    for terminal, uses in sorted(by_terminal.items()):
        flagged: set[tuple[str, str]] = set()
        for (at_a, user_a, _s), (at_b, user_b, seq_b) in pairwise(uses):
            if user_a != user_b and at_b - at_a <= window and (user_a, user_b) not in flagged:
                flagged.add((user_a, user_b))
                minutes = int((at_b - at_a).total_seconds() // 60)
                report.findings.append(Finding(at_b, f"{user_a} → {user_b}", terminal, "",
                                               f"{minutes}分以内に別の利用者", seq_b))
    for (user, day), terminals in sorted(by_user_day.items()):
        if len(terminals) >= many:
            report.findings.append(Finding(
                dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone()), user,
                "、".join(sorted(terminals)), "", f"1日に{len(terminals)}台の端末",
                search=_day_search(user, day)))
    return report


REPORTS = {
    "off_hours": off_hours,
    "volume": volume,
    "outside_designation": outside_designation,
    "sign_in_failures": sign_in_failures,
    "input_errors": input_errors,
    "reveals": reveals,
    "shared_terminals": shared_terminals,
}


def run_all(scope: Q, day_from: dt.date, day_to: dt.date) -> list[Report]:
    return [fn(scope, day_from, day_to) for fn in REPORTS.values()]


def total_records(scope: Q, day_from: dt.date, day_to: dt.date) -> int:
    return _entries(scope, day_from, day_to).aggregate(n=Sum("count"))["n"] or 0
