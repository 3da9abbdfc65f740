"""Canonical handling stages and how operation-log actions map onto them (R-HSR-1).

The stage is a concept of the code; which column of the organisation's form a stage lands in is data
(``profile.handling_status.categories[*].stages``). An app may name the stage of one entry explicitly
with ``details["stage"]`` (e.g. an export that is a 提供 or a 進達); otherwise the action decides.
"""

from __future__ import annotations

from typing import get_args

from tokutei.profiles.schema import HandlingStatusCategory, Profile, Stage

STAGES: tuple[Stage, ...] = get_args(Stage)

STAGE_JA: dict[str, str] = {
    "acquisition": "取得・収集",
    "input": "入力",
    "use": "利用",
    "output": "出力",
    "provision": "提供",
    "forwarding": "回付",
    "submission": "進達・提出",
    "storage": "保管",
    "carry_out": "持出し",
    "deletion": "削除",
    "disposal": "廃棄",
}

# Operation-log actions that are handling of 特定個人情報等, and their stage. Refusals of these actions
# are recorded too (with result "refused"): an attempted use is part of the handling status.
ACTION_STAGE: dict[str, str] = {
    "vault.intake": "acquisition",
    "bulk.import": "acquisition",
    "vault.confirm": "input",
    "vault.correct": "input",
    "vault.search": "use",
    "vault.view": "use",
    "vault.reveal": "use",
    "staff.access": "use",
    "vault.export": "output",
    "document.copy": "output",
    "media.carry_out": "carry_out",
    "media.return": "carry_out",
    "document.carry_out": "carry_out",
    "vault.delete": "deletion",
    "vault.dispose": "disposal",
    "media.dispose": "disposal",
}

ACTION_JA: dict[str, str] = {
    "vault.intake": "個人番号の取得・入力",
    "bulk.import": "一括取込",
    "vault.confirm": "入力内容の確認（読合せ）",
    "vault.correct": "訂正",
    "vault.search": "検索",
    "vault.view": "閲覧",
    "vault.reveal": "個人番号の表示",
    "staff.access": "個人情報画面へのアクセス",
    "vault.export": "出力",
    "document.copy": "書類の複製",
    "media.carry_out": "媒体の持出し",
    "media.return": "媒体の返却",
    "document.carry_out": "書類の持出し",
    "vault.delete": "削除",
    "vault.dispose": "廃棄",
    "media.dispose": "媒体の廃棄",
    "ledgers.manual_entry": "手入力",
}

# When the organisation has no handling-status form (000, 001), records are grouped by stage.
DEFAULT_COLUMNS: list[str] = ["年月日", "内容", "事務（目的）", "ファイル", "件数", "取扱者", "結果", "備考"]


# ``details["stage"]`` values other apps use for steps that are not yet handling (a carry-out only planned).
NOT_YET = frozenset({"planned", "requested", "pending", "applied"})


def stage_for(action: str, details: dict | None) -> str | None:
    explicit = (details or {}).get("stage")
    if isinstance(explicit, str):
        if explicit in STAGES:
            return explicit
        if explicit in NOT_YET:
            return None
    return ACTION_STAGE.get(action)


def categories(profile: Profile) -> dict[str, HandlingStatusCategory]:
    """The form's categories in the form's order; one per stage when the profile defines no form."""
    form = profile.handling_status
    if form is not None and form.enabled and form.categories:
        return dict(form.categories)
    return {
        stage: HandlingStatusCategory(ja=STAGE_JA[stage], stages=[stage], columns=DEFAULT_COLUMNS)
        for stage in STAGES
    }


def category_of(profile: Profile, stage: str) -> str | None:
    for key, category in categories(profile).items():
        if stage in category.stages:
            return key
    return None


def form_title(profile: Profile) -> str:
    form = profile.handling_status
    return form.ja if form is not None else "取扱状況の記録"
