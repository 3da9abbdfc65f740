"""Demo data for the vault: 2–3 特定個人情報ファイル and a few hundred synthetic people (no real data).

Runs after the staff demo: the handlers it designated enter the people; some manually entered ones wait
for the second person's check (004 §14(3)②). Where the profile forbids storing My Number data on the
organisation's own servers (004 §14(4)), the demo declares the installation to be at the permitted data
centre — a real installation makes that declaration with ``tokutei vault_site --set data_centre``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.inforce import in_force_q
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment

from .codec import PersonCodec, scope_for
from .keys import ensure_keys, get_keyring
from .models import Installation, Person, SpecificFile
from .services import installation_site, set_installation_site
from .synthetic import batches, prefecture_for

PEOPLE = 300
UNCONFIRMED = 12


def _handlers(profile) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(in_force_q(), role_key__in=profile.handler_roles())
                .select_related("user", "unit").order_by("pk"))


def load() -> list[str]:
    profile = get_profile()
    ensure_keys()
    lines = ["", "本人データ (vault, synthetic):"]
    if not profile.storage.own_servers_allowed and installation_site() != Installation.Site.DATA_CENTRE:
        set_installation_site(site=Installation.Site.DATA_CENTRE,
                              note="デモ: 委託先データセンター（管理区域）に設置されたものとして宣言")
        lines.append("  設置場所: 委託先データセンターとして宣言しました（デモ）")
    handlers = [a for a in _handlers(profile) if a.tasks]
    if not handlers:
        return [*lines, "  事務取扱担当者がいないため、本人データは作成しませんでした"]
    selectable = profile.selectable_tasks()
    all_tasks = sorted({t for a in handlers for t in a.tasks if t in selectable})
    first, last = handlers[0], handlers[-1]
    unit = first.unit or first.user.unit
    rule = next((k for k, r in profile.retention_rules.items() if r.second_person_check), "")
    specs = [
        ("本人記録ファイル（全事務）", all_tasks),
        (f"本人記録ファイル（{profile.tasks[first.tasks[0]].ja[:20]}）", [t for t in first.tasks if t in selectable]),
        (f"本人記録ファイル（{profile.tasks[last.tasks[-1]].ja[:20]}）", [t for t in last.tasks if t in selectable]),
    ]
    files = []
    for name, tasks in specs[: 3 if len(handlers) > 1 else 2]:
        f = SpecificFile.objects.create(name=name, kind="電子ファイル（データベース）", unit=unit, tasks=tasks,
                                        purpose="、".join(profile.tasks[t].ja[:30] for t in tasks[:3]),
                                        ground=profile.tasks[tasks[0]].law, responsible=first.user,
                                        created_by=first.user, retention_rule=rule)
        f.data_scope = scope_for(f.pk)
        f.save(update_fields=["data_scope"])
        get_keyring().create_data_key(f.data_scope)
        record(action=Action.VAULT_FILE_CREATE, actor=first.user, purpose=tasks[0], target_type="file", target_id=f.pk,
               details={"file_id": f.pk, "tasks": tasks, "demo": True})
        files.append(f)
    prefecture = prefecture_for(profile.organisation.name)
    channels = list(profile.intake.channels) or [""]
    bulk_channel = next((c for c in channels if "bulk" in c), channels[0])
    manual_channel = next((c for c in channels if c in ("person", "from_person")), channels[-1])
    now = timezone.now()
    created = 0
    unconfirmed_ids: list[int] = []
    kana_key = next((k for k, f in profile.fields.items() if f.kind == "kana"), None)
    birth_key = next((k for k, f in profile.fields.items() if f.kind == "date"), None)
    samples: list[str] = []  # a few people to search for (カナ氏名＋生年月日; never a number at rest)
    for batch in batches(PEOPLE, size=PEOPLE, seed=20260401, prefecture=prefecture):
        rows = []
        for i, raw in enumerate(batch):
            f = files[i % len(files)]
            codec = PersonCodec.for_file(f.pk, profile=profile)
            values = {k: v for k, v in raw.items() if k in profile.fields}
            if profile.org_key_field and profile.org_key_field not in values:
                values[profile.org_key_field] = raw["pension_cert_no"]
            values = codec.clean(values, require=False)
            key_id, blob = codec.encrypt(values)
            manual = i < UNCONFIRMED and profile.intake.second_person_confirmation
            if not manual and len(samples) < 3 and kana_key and birth_key and values.get(kana_key) \
                    and values.get(birth_key):
                samples.append(f"  {values[kana_key]}　{values[birth_key]}（{f.name}・{profile.tasks[f.tasks[0]].ja}）")
            rows.append(Person(
                file=f, task=f.tasks[0], data=blob, key_id=key_id, **codec.indexes(values),
                status=Person.Status.UNCONFIRMED if manual else Person.Status.CONFIRMED,
                entered_by=first.user, entered_at=now,
                confirmed_at=None if manual else now,
                confirmation_method="" if manual else Person.Method.SOURCE,
                channel=manual_channel if manual else bulk_channel,
                verification={"route": "documents", "documents": ["my_number_card"], "presentation": "original"}
                if manual else {"route": "jlis"},
                retention_trigger_date=dt.date(2010, 6, 30) if i % 50 == 7 else None,
            ))
        made = Person.objects.bulk_create(rows)
        created += len(made)
        unconfirmed_ids += [p.pk for p in made if p.status == Person.Status.UNCONFIRMED]
    for pk in unconfirmed_ids:
        record(action=Action.VAULT_INTAKE, actor=first.user, purpose=first.tasks[0], target_type="person", target_id=pk,
               details={"channel": manual_channel, "status": "unconfirmed", "demo": True})
    record(action=Action.VAULT_INTAKE, actor=first.user, purpose=first.tasks[0], count=created,
           details={"channel": bulk_channel, "demo": True, "files": [f.pk for f in files]})
    lines.append(f"  特定個人情報ファイル {len(files)} 件、本人 {created} 人（合成データ、{prefecture}）")
    if unconfirmed_ids:
        lines.append(f"  確認待ち {len(unconfirmed_ids)} 件: {first.user.username} が入力。別の事務取扱担当者が"
                     "「確認待ち」画面で再入力または目視・読合せで確認します")
    if samples:
        lines += ["検索の例（本人の検索 → 「カナ氏名＋生年月日」、利用目的はファイルの事務）:", *samples]
    return lines
