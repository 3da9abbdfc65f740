"""Demo data: one incident reported by a handler, routed along the profile's route."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment

from . import services


def load() -> list[str]:
    profile = get_profile()
    if profile.incident is None:
        return []
    row = (RoleAssignment.objects.filter(in_force_q(), role_key__in=sorted(profile.handler_roles()))
           .select_related("user").order_by("id").first())
    if row is None:
        return []
    try:
        incident = services.report_incident(
            actor=Actor.console(row.user), category="leak",
            summary="デモ: 通知書1通を別の宛先に誤って郵送したおそれ（記録 ID で確認中）",
            found_at=timezone.now() - dt.timedelta(hours=2), found_by=row.user.display_name,
            affected={"records": [1]}, suspected_cause="封入時の確認漏れ（推定）")
    except Refused as exc:  # a demo must not stop the whole demo load
        return [f"事故等のデモを作成できませんでした: {exc}"]
    return [f"事故等の報告: #{incident.pk}（報告者 {row.user.username}）"]
