"""What a log entry is about, in words: 「本人 #16（給与所得者ファイル）」 rather than ``person 16``.

The names come from the records themselves (the file a person belongs to, a file's, terminal's or staff
member's name), read once for a whole page: :func:`name_targets` takes the page's entries and sets
``target_name`` on each, with one query per kind of target — never one per row. The template filter
``target_label`` (core/templatetags/jp.py) shows the kind, the number and that name.

Names only: never a personal value of the record (a person is named by the file it is kept in).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

# The kinds of target the log names, by the word people use (the filter of the log search offers these).
KINDS: dict[str, Any] = {
    "person": _("本人"), "file": _("ファイル"), "medium": _("記録媒体"), "terminal": _("端末"),
    "user": _("職員"), "incident": _("事故等の報告"), "meeting": _("会議"), "vendor": _("委託先"),
    "contract": _("委託契約"), "approval": _("承認申請"), "handling_record": _("取扱状況の記録"),
    "register_entry": _("記録簿の記載"), "register": _("記録簿"), "export": _("出力ファイル"),
    "copy": _("複製・出力"), "carry_out": _("持出し"), "document": _("書類"), "engagement": _("委託の業務"),
    "finding": _("監査の指摘"), "asset": _("資産"), "handover": _("引継ぎ"), "disposal_list": _("廃棄リスト"),
    "evaluation": _("評価"), "dispatch": _("送付"), "training_session": _("研修"), "rotation": _("鍵の更新"),
    "backup": _("バックアップ"), "service_account": _("連携用アカウント"), "room_entry": _("入退室"),
    "room": _("管理区域"), "profile": _("プロファイル"), "payment_date": _("支払日"), "evidence": _("証跡"),
    "retention_worklist": _("保存期間の作業一覧"), "restore_drill": _("復元訓練"), "purge": _("保存期間経過消去"),
    "log": _("操作履歴"), "log_entry": _("操作履歴の記録"), "log_review": _("操作履歴の点検"),
    "ledger": _("記録・台帳"), "installation": _("設置"), "disciplinary_measure": _("懲戒等の措置"),
}


def kind_label(kind: str) -> str:
    return str(KINDS[kind]) if kind in KINDS else kind


def _as_id(value: Any) -> int | None:
    """A record number named by an entry, or None for anything else (an odd value never breaks a page)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _ids(values: Iterable[str]) -> list[int]:
    return sorted({n for v in values if (n := _as_id(v)) is not None})


def _people(ids: list[int]) -> dict[int, str]:
    from tokutei.vault.models import Person

    return dict(Person.objects.filter(pk__in=ids).values_list("pk", "file__name"))


def _files(ids: list[int]) -> dict[int, str]:
    from tokutei.vault.models import SpecificFile

    return dict(SpecificFile.objects.filter(pk__in=ids).values_list("pk", "name"))


def _terminals(ids: list[int]) -> dict[int, str]:
    from tokutei.staff.models import Terminal

    return dict(Terminal.objects.filter(pk__in=ids).values_list("pk", "name"))


def _users(ids: list[int]) -> dict[int, str]:
    from tokutei.staff.models import User

    return {pk: full or username
            for pk, full, username in User.objects.filter(pk__in=ids).values_list("pk", "full_name", "username")}


NAMERS: dict[str, Callable[[list[int]], dict[int, str]]] = {
    "person": _people, "file": _files, "terminal": _terminals, "user": _users,
}


def name_targets(entries: Iterable[Any]) -> list[Any]:
    """Set ``target_name`` on each entry whose target has a name (one query per kind); returns the entries."""
    rows = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in rows:
        if e.target_type in NAMERS and e.target_id:
            wanted[e.target_type].add(e.target_id)
    names = {kind: NAMERS[kind](_ids(values)) for kind, values in wanted.items()}
    for e in rows:
        found = names.get(e.target_type, {})
        ident = _as_id(e.target_id)
        e.target_name = found.get(ident) if ident is not None else None
    return rows
