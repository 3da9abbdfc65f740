"""The report to the 個人情報保護委員会 (PPC): which incidents are reportable, and by when.

The categories are those of the My Number rule on reports of 漏えい等 (特定個人情報の漏えい等に関する報告等
に関する規則 第2条): any one of them makes the 漏えい等 reportable. They are the same for every
organisation, so they are named here; the periods are profile data (``incident.ppc``, docs/profiles.md):

* 速報 (preliminary report) 「速やかに」 — the PPC guideline reads this as about 3–5 days; the profile's
  ``preliminary_days`` (default 5, the outer limit);
* 確報 (final report) within 30 days (``final_days``), or 60 days (``final_days_improper``) when the
  漏えい等 may have been done for an improper purpose (不正の目的) — switching as soon as that category is
  recorded.

Periods run from the day the organisation learned of it; that day itself does not count (初日不算入,
民法第140条), so "within 30 days" of learning on 4月1日 ends on 5月1日.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

IMPROPER_PURPOSE = "improper_purpose"

CATEGORIES: dict[str, Any] = {
    "system_leak": _("個人番号利用事務等で使用する情報システムで管理される特定個人情報の漏えい等"),
    IMPROPER_PURPOSE: _("不正の目的をもって行われたおそれがある漏えい等"),
    "public_exposure": _("電磁的方法により不特定多数の者に閲覧されたおそれがある漏えい等"),
    "over_100": _("漏えい等した特定個人情報の本人の数が100人を超えるもの"),
    "unlawful_use": _("番号法に反して利用・提供されたおそれがあるもの"),
}

# The items of the report form (報告書の記載事項), in the order the PPC form asks for them.
ITEMS: dict[str, Any] = {
    "overview": _("概要"),
    "data_items": _("漏えい等が発生し、又は発生したおそれがある特定個人情報の項目"),
    "people": _("本人の数"),
    "cause": _("原因"),
    "secondary_damage": _("二次被害又はそのおそれの有無及びその内容"),
    "response_to_people": _("本人への対応の実施状況"),
    "publication": _("公表の実施状況"),
    "prevention": _("再発防止のための措置"),
    "other": _("その他参考となる事項"),
}


@dataclass(frozen=True)
class Deadlines:
    learned_on: dt.date
    preliminary_due: dt.date
    final_due: dt.date
    final_days: int
    improper: bool


def deadlines(learned_at: dt.datetime, categories, ppc) -> Deadlines:
    """The 速報 and 確報 due dates for an incident learned of at ``learned_at`` (``ppc``: the profile's
    ``incident.ppc``)."""
    learned_on = timezone.localdate(learned_at) if timezone.is_aware(learned_at) else learned_at.date()
    improper = IMPROPER_PURPOSE in set(categories or [])
    final_days = ppc.final_days_improper if improper else ppc.final_days
    return Deadlines(learned_on, learned_on + dt.timedelta(days=ppc.preliminary_days),
                     learned_on + dt.timedelta(days=final_days), final_days, improper)


def warnings(d: Deadlines, *, preliminary_done: bool, final_done: bool, warn_days: int,
             today: dt.date | None = None) -> list[tuple[str, dt.date, int]]:
    """("preliminary"|"final", due date, days left — negative when passed) for reports still due within
    ``warn_days`` or already late."""
    today = today or timezone.localdate()
    found = []
    for kind, due, done in (("preliminary", d.preliminary_due, preliminary_done), ("final", d.final_due, final_done)):
        left = (due - today).days
        if not done and left <= warn_days:
            found.append((kind, due, left))
    return found
