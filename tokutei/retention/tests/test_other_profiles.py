"""The workflow on the shipped profiles: 003 — the 保護管理者 of the records' own unit confirms (003 §14)."""

from __future__ import annotations

import datetime as dt

import pytest

from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.retention.services import confirm_list, draft_list, execute_list

from .conftest import number

TASK = "health_insurance_48"


def test_003_only_the_protection_manager_of_the_records_unit_confirms(activate, make_user, terminal, clock):
    from tokutei.staff.models import Unit
    from tokutei.vault.services import create_file, intake_person

    activate("inabe")
    shokuin = Unit.objects.create(key="shokuin", name_ja="総務部職員課")
    kaikei = Unit.objects.create(key="kaikei", name_ja="会計課")
    handler = make_user("tanto", "handler", tasks=[TASK], unit=shokuin)
    own_pm, other_pm = make_user("pm1", "pm", unit=shokuin), make_user("pm2", "pm", unit=kaikei)
    as_handler = Actor(user=handler, terminal=terminal, purpose=TASK)
    file = create_file(actor=as_handler, name="社会保険ファイル", tasks=[TASK], unit=shokuin)
    person = intake_person(actor=as_handler, file=file,
                           values={"my_number": number(3), "name": "山田 太郎", "birth_date": "1970-01-01"}).person
    clock(dt.date(2041, 4, 1))  # 取得 2026年度 → 2027-04-01 + 7 years (organisation-decided)
    disposal = draft_list(actor=Actor(user=handler, terminal=terminal), refs=[("person", str(person.pk))])
    assert disposal.confirm_roles == ["pm"]
    with pytest.raises(Refused, match="管理者による確認が済んでいない") as no_confirmation:
        execute_list(actor=Actor(user=handler, terminal=terminal), disposal_id=disposal.pk, method="deletion")
    assert no_confirmation.value.citation == "取扱規程第14条第2号"
    with pytest.raises(Refused, match="他の課の記録"):
        confirm_list(actor=Actor(user=other_pm, terminal=terminal), disposal_id=disposal.pk)
    confirm_list(actor=Actor(user=own_pm, terminal=terminal), disposal_id=disposal.pk)
    done = execute_list(actor=Actor(user=handler, terminal=terminal), disposal_id=disposal.pk, method="deletion")
    assert done.status == "closed"
