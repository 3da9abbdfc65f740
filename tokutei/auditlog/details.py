"""An entry's details as people read them: 「ファイル: 給与所得者ファイル（#3）」, not ``file_id: 3``.

The log keeps the details as the code wrote them (keys and codes, for machines and the JSONL bundle);
the entry page shows each known key by its Japanese name and its value through what it means — a task by
its name, a field by its label, an operation by its name, a record by its number and name. A key the
system does not know yet is shown, with its value, in a separate 「その他の記録事項」 list, so nothing the log
holds is hidden from the auditor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Any] = {
    "file_id": _("ファイル"), "file_ids": _("ファイル"), "format": _("出力形式"), "stage": _("取扱いの段階"),
    "channel": _("操作の経路"), "fields": _("項目"), "operation": _("操作"), "path": _("画面"),
    "role": _("役割"), "reason": _("理由"), "post": _("職"), "vendor_id": _("委託先"), "to": _("終了日・宛先"),
    "from": _("開始日"), "approval_id": _("承認申請"), "step": _("段階"), "item": _("項目"),
    "code": _("拒否の区分"), "status": _("状態"), "method": _("方法"), "demo": _("デモ用"), "cause": _("原因"),
    "username": _("ユーザID"), "user_id": _("職員"), "tasks": _("事務"), "task": _("事務"),
    "purpose": _("利用目的"), "room_id": _("管理区域"), "name": _("名称"), "items": _("項目"),
    "filters": _("使った検索条件"), "date": _("日付"), "count": _("件数"), "unit": _("部署"),
    "last_seq": _("最終番号"), "first_bad_seq": _("最初に異常のあった番号"), "rows": _("行数"),
    "removed": _("消去した件数"), "threshold": _("しきい値"), "level": _("水準"), "category": _("区分"),
    "contract_id": _("委託契約"), "terminal_id": _("端末"), "person_id": _("本人"), "medium_id": _("記録媒体"),
    "kind": _("種類"), "fields_shown": _("表示した項目"), "on": _("日付"), "before": _("変更前"),
    "change": _("変更"), "basis": _("根拠"), "register": _("記録簿"), "entry": _("記載"),
    "start_date": _("開始日"), "end_date": _("終了日"), "rule": _("規則"), "people": _("本人"),
    "raised": _("判断が必要となった件"), "trigger": _("契機"), "handlers": _("取扱者"), "previous": _("変更前"),
    "incidents": _("事故等"), "assessment": _("評価"), "trigger_seq": _("契機となった記録の番号"),
    "rules_version": _("基準の版"), "index": _("順番"), "assignment_id": _("指定"), "result": _("結果"),
    "corrects": _("訂正した記録"), "activated": _("利用開始"), "access_user_ids": _("アクセスできる職員"),
    "applied_on": _("申請日"), "linkage_record_id": _("情報連携システムIDの記録"), "roles": _("役割"),
    "room_class": _("区域の区分"), "escort_id": _("立会者"), "permission_id": _("入室の許可"),
    "direction": _("入退の別"), "applied_by": _("申請者"), "clauses": _("契約条項"), "org": _("組織"),
    "posts": _("職"), "units": _("部署"), "sha256": _("SHA-256"), "profile": _("プロファイル"),
    "expires_at": _("有効期限"), "site": _("設置場所"), "files": _("ファイル"), "issues": _("問題点"),
    "version": _("版"), "entry_no": _("記載番号"), "protections": _("保護の措置"), "terminal_ids": _("端末"),
    "changed": _("変更した項目"), "allowed_id": _("接続を許可した機器"), "uv": _("本人確認（生体・PIN）"),
    "factor_id": _("認証の手段"), "unlock": _("ロックの解除"), "password": _("パスワード"),
    "second_factors": _("第二の認証の手段"), "biometric_record_ids": _("照合情報の記録"),
    "activated_on": _("利用開始日"), "reference_recorded": _("参照番号の記録"), "route": _("経路"),
    "affected": _("影響を受けた件数"), "to_role": _("異動後の役割"), "redirect": _("移動先の画面"),
    "recipients": _("宛先"), "unit_id": _("部署"), "owner_id": _("担当者"), "pattern": _("型"),
    "graded": _("判定済み"), "verdict": _("判定"),
}

_CHANNELS = {"web": _("画面"), "api": _("システム連携（API）"), "console": _("サーバのコンソール"),
             "system": _("システムの自動処理")}
_FORMATS = {"csv": "CSV", "xlsx": "Excel", "html": _("画面"), "pdf": "PDF", "jsonl": _("書出し束")}
_CODES = {"invalid_input": _("入力値の誤り"), "check_digit": _("チェックデジットの誤り"),
          "mismatch": _("照合の不一致"), "not_found": _("該当なし"), "date": _("日付の誤り")}


def _task(key: Any) -> str:
    from tokutei.core.templatetags.jp import task_label

    return task_label(str(key))


def _field(key: Any) -> str:
    from tokutei.core.i18n import label
    from tokutei.profiles.selectors import get_profile

    field = get_profile().fields.get(str(key))
    return label(field) if field is not None else str(key)


def _role(key: Any) -> str:
    from tokutei.core.i18n import label
    from tokutei.profiles.selectors import get_profile

    role = get_profile().roles.get(str(key))
    return label(role) if role is not None else str(key)


def _action(code: Any) -> str:
    from .actions import label

    return label(str(code))


def _stage(key: Any) -> str:
    from tokutei.ledgers.stages import STAGE_JA

    return str(STAGE_JA.get(str(key), key))


def _filter(name: Any) -> str:
    from .forms import SearchForm

    field = SearchForm.base_fields.get(str(name))
    return str(field.label) if field is not None else str(name)


def _number(kind: str) -> Callable[[Any], str]:
    from .targets import kind_label

    return lambda value: f"{kind_label(kind)} #{value}"


def _from(table: dict) -> Callable[[Any], str]:
    return lambda value: str(table.get(str(value), value))


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "tasks": _task, "task": _task, "purpose": _task, "fields": _field, "fields_shown": _field, "items": _field,
    "role": _role, "operation": _action, "stage": _stage, "filters": _filter,
    "channel": _from(_CHANNELS), "format": _from(_FORMATS), "code": _from(_CODES),
    "file_id": _number("file"), "file_ids": _number("file"), "approval_id": _number("approval"),
    "vendor_id": _number("vendor"), "user_id": _number("user"), "contract_id": _number("contract"),
    "terminal_id": _number("terminal"), "person_id": _number("person"), "medium_id": _number("medium"),
    "terminal_ids": _number("terminal"), "access_user_ids": _number("user"), "escort_id": _number("user"),
    "applied_by": _number("user"), "owner_id": _number("user"), "roles": _role, "to_role": _role,
}


def _plain(value: Any) -> str:
    """A value as read: a date or a time kept as ISO text (an expiry, a 施行日) in 和暦, anything else as it is."""
    import datetime as dt
    import re

    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?", text):
        from tokutei.core.jdates import to_wareki

        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                from django.utils import timezone

                moment = timezone.localtime(moment)
            day = to_wareki(moment.date())
        except ValueError:
            return text
        return day if len(text) == 10 else f"{day} {moment:%H:%M}"
    return text


def _shown(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("はい") if value else _("いいえ"))
    if value is None or value == "" or value == []:
        return "—"
    show = FORMATTERS.get(key, _plain)
    if isinstance(value, (list, tuple)):
        return "、".join(show(v) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{LABELS.get(k, k)}: {_shown(k, v)}" for k, v in value.items())
    return show(value)


def readable(details: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(known, other): the details by their Japanese names, and the keys not named yet as they are."""
    known: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    if not isinstance(details, dict):
        return known, other
    for key, value in details.items():
        if key in LABELS:
            known.append((str(LABELS[key]), _shown(key, value)))
        else:
            other.append((key, _shown(key, value)))
    return known, other
