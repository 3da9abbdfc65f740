"""Template filters of the pia pages: a level key as people read it, and a rules-file verification mark."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from tokutei.pia import rules_file

register = template.Library()


@register.filter
def rules_version(value) -> str:
    """The thresholds file's version (an ISO day in the file) as people read dates: 和暦."""
    from tokutei.pia.rules_file import version_label

    return version_label(value)


@register.filter
def pia_level(key: str) -> str:
    return rules_file.load().level_ja(key or "none")


@register.filter
def pia_verified(value) -> str:
    value = str(value).lower()
    if value == "true":
        return _("本文で確認済み")
    if value == "partial":
        return _("一部のみ確認（号番号・数値は未確認）")
    return _("本文で未確認")
