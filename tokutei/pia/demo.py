"""Demo data: the first しきい値判断 of every file, then a bulk import of 1,200 synthetic people into the
first file — it crosses the 1,000-person band, so a 基礎項目評価 becomes required and the change shows on the
managers' dashboard with its date and reason."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment

from . import services
from .models import Assessment

DEMO_PEOPLE = 1200


def load() -> list[str]:
    lines: list[str] = []
    try:
        written = services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
        lines.append(f"しきい値判断: {len(written)} ファイルを記録")
    except Refused as exc:
        return [f"しきい値判断のデモを作成できませんでした: {exc}"]
    lines += _large_file()
    return lines


def _large_file() -> list[str]:
    """1,200 more synthetic people loaded into the first demo file, logged as a bulk import: the log entry
    re-assesses the file (events.py), which moves it into the 基礎項目評価 band with the date and reason."""
    from tokutei.auditlog.actions import Action
    from tokutei.auditlog.services import record
    from tokutei.core.synthetic import batches, prefecture_for
    from tokutei.vault.codec import PersonCodec
    from tokutei.vault.models import Person, SpecificFile

    profile = get_profile()
    file = SpecificFile.objects.filter(status=SpecificFile.Status.ACTIVE).order_by("id").first()
    row = (RoleAssignment.objects.filter(in_force_q(), role_key__in=sorted(profile.handler_roles()))
           .select_related("user").order_by("id").first())
    if file is None or row is None or not file.tasks:
        return []
    codec = PersonCodec.for_file(file.pk, profile=profile)
    now = timezone.now() - dt.timedelta(minutes=1)
    rows = []
    for batch in batches(DEMO_PEOPLE, size=DEMO_PEOPLE, seed=20261204, start=500_000,
                         prefecture=prefecture_for(profile.organisation.name)):
        for raw in batch:
            values = codec.clean({k: v for k, v in raw.items() if k in profile.fields}, require=False)
            key_id, blob = codec.encrypt(values)
            rows.append(Person(file=file, task=file.tasks[0], data=blob, key_id=key_id, **codec.indexes(values),
                               status=Person.Status.CONFIRMED, entered_by=row.user, entered_at=now, confirmed_at=now,
                               confirmation_method=Person.Method.SOURCE, verification={"route": "jlis"}))
    Person.objects.bulk_create(rows, batch_size=2000)
    record(action=Action.BULK_IMPORT, actor=row.user, purpose=file.tasks[0], target_type="file", target_id=file.pk,
           count=len(rows), details={"file_id": file.pk, "stage": "acquisition", "phase": "completed",
                                     "loaded": len(rows), "demo": True})
    latest = Assessment.objects.filter(file_id=file.pk).order_by("-assessed_at", "-id").first()
    level = latest.get_trigger_display() + " → " + latest.level if latest else "—"
    return [f"一括取込（デモ）: {file.name} に {len(rows)} 人を追加、しきい値判断 {level}"]
