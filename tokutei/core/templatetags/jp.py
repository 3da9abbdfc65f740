"""Template filters: 和暦 dates and 年度."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from tokutei.core import jdates

register = template.Library()


@register.filter
def wareki(value: dt.date | dt.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return jdates.to_wareki(value)


@register.filter
def wareki_time(value: dt.datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{jdates.to_wareki(local.date())} {local:%H:%M}"


@register.simple_tag
def printed_at() -> str:
    """Now, as a printout's header gives it (和暦 and time)."""
    return wareki_time(timezone.now())


@register.filter
def nendo(value: dt.date | None, start_month: int = 4) -> str:
    if not value:
        return ""
    return jdates.fiscal_year_label(jdates.fiscal_year(value, start_month), start_month)


@register.filter
def label(value) -> str:
    """A profile text (role, task, register, rule…) in the language of the page: ``{{ role|label }}``.

    Profile texts carry ``ja`` and usually ``en``; English pages show ``en`` where the profile gives one,
    Japanese otherwise (the regulation's own words are Japanese).
    """
    from tokutei.core.i18n import label as pick

    return pick(value)


@register.filter
def task_label(key: str) -> str:
    """A task key of the log (利用目的) as people read it: the profile's name for it, or 「—」."""
    if not key:
        return "—"
    from tokutei.profiles.selectors import get_profile

    task = get_profile().tasks.get(key)
    return label(task) if task is not None else key


@register.filter
def target_label(entry) -> str:
    """What a log entry is about, in words: 「本人 #16（給与所得者ファイル）」 rather than ``person 16``.

    The name in brackets is there when the page named its entries first (auditlog.targets.name_targets,
    one query per page); otherwise the kind and number alone.
    """
    from tokutei.auditlog.targets import kind_label

    kind, ident = getattr(entry, "target_type", ""), getattr(entry, "target_id", "")
    if not kind and not ident:
        return "—"
    text = f"{kind_label(kind)} #{ident}" if ident else kind_label(kind)
    name = getattr(entry, "target_name", None)
    return f"{text}（{name}）" if name else text
