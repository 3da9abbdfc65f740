"""Canonical handling stages and how operation-log entries map onto them (R-HSR-1).

An action's stage is part of the action vocabulary (``Action.stage`` in tokutei/auditlog/actions.py);
refusals of those actions are recorded too (with result "refused"): an attempted use is part of the
handling status. The stage is a concept of the code; which column of the organisation's form a stage
lands in is data (``profile.handling_status.categories[*].stages``). An app may name the stage of one entry explicitly
with ``details["stage"]`` (e.g. an export that is a 提供 or a 進達); otherwise the action decides.
"""

from __future__ import annotations

from typing import get_args

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from tokutei.auditlog.actions import Action, label, stage_of
from tokutei.profiles.schema import HandlingStatusCategory, Profile, Stage

STAGES: tuple[Stage, ...] = get_args(Stage)

STAGE_JA: dict[str, str] = {
    "acquisition": N_("取得・収集"),
    "input": N_("入力"),
    "use": N_("利用"),
    "output": N_("出力"),
    "provision": N_("提供"),
    "forwarding": N_("回付"),
    "submission": N_("進達・提出"),
    "storage": N_("保管"),
    "carry_out": N_("持出し"),
    "deletion": N_("削除"),
    "disposal": N_("廃棄"),
}


def stage_label(stage: str) -> str:
    """A stage as the page's reader reads it (STAGE_JA stays Japanese for the forms and the Excel sheets)."""
    return gettext(STAGE_JA.get(stage, stage))


# When the organisation has no handling-status form (000, 001), records are grouped by stage.
DEFAULT_COLUMNS: list[str] = ["年月日", "内容", "事務（目的）", "ファイル", "件数", "取扱者", "結果", "備考"]


# ``details["stage"]`` values other apps use for steps that are not yet handling (a carry-out only planned).
NOT_YET = frozenset({"planned", "requested", "pending", "applied"})


def stage_for(action: str, details: dict | None) -> str | None:
    if action.startswith("ledgers."):
        return None  # the ledgers' own entries (a paper step entered by hand writes its row itself)
    explicit = (details or {}).get("stage")
    if isinstance(explicit, str):
        if explicit in STAGES:
            return explicit
        if explicit in NOT_YET:
            return None
    return stage_of(action)


def content_label(action: str, stage: str) -> str:
    """What a row says it was: the action's label, or for a paper step entered by hand its stage."""
    if action == Action.LEDGERS_MANUAL_ENTRY:
        return stage_label(stage)
    return label(action)


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
