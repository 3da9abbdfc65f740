"""番号法上の根拠 (002 §17–§19, E-37): no file is created, and no 個人番号 is taken in — by intake or by a bulk
import — for a task that has no 番号法 ground, unless the file records its own. In the 002 profile, with one task
whose ground the organisation has removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.vault.services import create_file, intake_person

from .test_intake import number

ARTICLE = "002 §17–§19"
SHIPPED = Path(__file__).resolve().parents[2] / "profiles" / "data" / "sayama.yaml"
GROUND = "    ground: 番号法 §9① 別表第一 16の項\n"


@pytest.fixture
def world(activate, settings, tmp_path, make_user, make_terminal, confirm_in_register):
    """A 002 file for 地方税 made while the task had its ground; then the ground is gone from the profile."""
    from tokutei.staff.models import Unit

    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(GROUND) == 1
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "sayama-noground.yaml").write_text(text.replace(GROUND, ""), encoding="utf-8")
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, tmp_path / "profiles"]
    activate("sayama")
    unit = Unit.objects.create(key="zeimu", name_ja="税務課")
    staff = make_user("staff1", "staff", tasks=["local_tax"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    terminal, _credential = make_terminal("税務課端末")
    actor = Actor(user=staff, terminal=terminal, purpose="local_tax")
    file = confirm_in_register(create_file(actor=actor, name="市民税ファイル", tasks=["local_tax"], unit=unit), pm)
    profile = activate("sayama-noground")
    assert not profile.tasks["local_tax"].ground and profile.intake.ground_required
    return {"actor": actor, "file": file, "unit": unit, "pm": pm, "staff": staff}


def test_it_refuses_intake_into_a_file_without_a_ground(world):
    with pytest.raises(Refused) as exc:
        intake_person(actor=world["actor"], file=world["file"], values={"my_number": number(51), "name": "山田 太郎"})
    assert exc.value.article == ARTICLE and "根拠" in exc.value.message
    entry = Entry.objects.get(action="vault.intake", result=Entry.Result.REFUSED)
    assert entry.details["code"] == "no_ground" and entry.article == ARTICLE
    assert not world["file"].people.exists()


def test_it_refuses_a_bulk_import_into_a_file_without_a_ground(world, tmp_path):
    from tokutei.bulk.services import import_jlis

    path = tmp_path / "jlis.csv"
    path.write_text("個人番号,氏名\r\n" + number(52) + ",山田 花子\r\n", encoding="utf-8")
    with pytest.raises(Refused) as exc:
        import_jlis(path=path, specific_file=world["file"], actor=Actor.console(world["staff"], purpose="local_tax"),
                    report_path=tmp_path / "rejects.csv")
    assert exc.value.article == ARTICLE
    assert Entry.objects.get(action="bulk.import", result=Entry.Result.REFUSED).details["code"] == "no_ground"
    assert not world["file"].people.exists()


def test_a_file_without_a_ground_is_not_created_but_one_recording_its_ground_is(world, confirm_in_register):
    with pytest.raises(Refused) as exc:
        create_file(actor=world["actor"], name="根拠なし", tasks=["local_tax"], unit=world["unit"])
    assert exc.value.article == ARTICLE
    grounded = confirm_in_register(create_file(actor=world["actor"], name="根拠あり", tasks=["local_tax"],
                                               unit=world["unit"], ground="番号法 §9① 別表第一 16の項"), world["pm"])
    result = intake_person(actor=world["actor"], file=grounded, values={"my_number": number(53), "name": "鈴木 一郎"})
    assert result.person.pk
