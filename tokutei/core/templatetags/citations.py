"""Template filters for what the rules say, as people read it.

    {% load citations %}
    {{ refusal.article|cite }}      取扱要綱第14条第7号 (the profile's short name and 第N条第M項)
    {{ s|cite_text }}              規程（第9条 本人確認の措置） — §s inside a profile's free text
    {{ entry.action|action_label }} 個人番号の表示 (never the code ``vault.reveal``)
"""

from __future__ import annotations

from django import template

from tokutei.auditlog.actions import label
from tokutei.profiles.citations import cite as _cite
from tokutei.profiles.citations import cite_in_text

register = template.Library()


@register.filter
def cite(article: str | None) -> str:
    return _cite(article)


@register.filter
def cite_text(text: str | None) -> str:
    """A profile's free text with the articles it names read as 第N条 (no ``§``)."""
    return cite_in_text(text)


@register.filter
def action_label(code: str | None) -> str:
    return label(code or "")
