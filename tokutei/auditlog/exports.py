"""CSV and Excel (openpyxl) downloads of search results and reports. Entries hold no personal data.

These are for people (Excel): each row shows the operation by name (「個人番号の表示」) with its code
next to it (``vault.reveal``) so that a sheet can still be matched against the log; the article stays in
the profile's machine form (``004 §14(7)``). The self-verifying JSONL bundle (bundle.py) keeps codes only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook

from .actions import label
from .models import Entry

HEADERS = ["番号", "日時", "ユーザID", "端末", "操作", "操作コード", "利用目的", "対象種別", "対象ID", "件数", "結果",
           "根拠", "理由", "詳細"]
MAX_ROWS = 100_000


def _row(e: Entry) -> list:
    return [e.seq, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_username, e.terminal_name,
            label(e.action), e.action, e.purpose, e.target_type, e.target_id, e.count, e.get_result_display(), e.article,
            e.reason, ",".join(f"{k}={v}" for k, v in sorted((e.details or {}).items()))]


def _safe(value):
    """Cells starting with = + - @ are formulas to a spreadsheet: neutralise them (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def entries_csv(entries: Iterable[Entry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for i, e in enumerate(entries):
        if i >= MAX_ROWS:
            break
        writer.writerow([_safe(v) for v in _row(e)])
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens Japanese CSV correctly


def entries_xlsx(entries: Iterable[Entry], *, title: str = "操作履歴") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(HEADERS)
    for i, e in enumerate(entries):
        if i >= MAX_ROWS:
            break
        sheet.append([_safe(v) for v in _row(e)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FINDING_HEADERS = ["分析", "日時", "ユーザID", "端末", "操作", "操作コード", "内容", "根拠", "番号"]


def _finding_rows(reports) -> list[list]:
    rows = []
    for report in reports:
        for f in report.findings:
            rows.append([report.title, timezone.localtime(f.at).strftime("%Y-%m-%d %H:%M") if f.at else "",
                         f.user, f.terminal, label(f.action) if f.action else "", f.action, f.detail, f.article,
                         f.seq or ""])
    return rows


def reports_csv(reports) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FINDING_HEADERS)
    for row in _finding_rows(reports):
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def reports_xlsx(reports) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("分析")
    sheet.append(FINDING_HEADERS)
    for row in _finding_rows(reports):
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
