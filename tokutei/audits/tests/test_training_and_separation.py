"""Training (R-TRN-1 … R-TRN-5) and separation of duties: the audience is who holds the roles today, overdue
training shows on the person's dashboard, 001's recorded instructions count, a profile may withhold a
designation until the training is recorded; roles the profile keeps apart are refused or warned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tokutei.auditlog.models import Entry
from tokutei.audits import services, training
from tokutei.core.errors import Refused
from tokutei.staff import services as staff
from tokutei.staff.models import PasswordOnlyDecision, Post

from .conftest import today, web


def test_003_the_audience_is_who_holds_the_role_and_attendance_clears_the_overdue(shipped, person, client):
    shipped("inabe")
    pm = person("kacho", "pm", unit="shokuin")
    mgr = person("shumu", "handling_mgr", unit="shokuin")
    person("other", "handler", unit="shokuin", tasks=[])  # not in the audience
    rows = training.coverage("handling_managers")
    assert [r.user for r in rows] == [mgr] and rows[0].overdue
    client.force_login(mgr)
    assert "受講が必要な研修" in client.get("/").content.decode()
    session = services.record_session(actor=web(pm), requirement_key="handling_managers", title="番号法研修",
                                      held_on=today())
    [row] = services.record_attendance(actor=web(pm), session_id=session.pk, users=[mgr])
    assert row.certificate_no.startswith("TRN-")
    assert not training.coverage("handling_managers")[0].overdue
    assert "受講が必要な研修" not in client.get("/").content.decode()
    # a year later it is due again (the profile's every: 1 year)
    assert training.coverage("handling_managers", today=today() + dt.timedelta(days=367))[0].overdue


def test_attendance_is_not_recorded_before_the_session(shipped, person):
    shipped("inabe")
    pm = person("kacho", "pm", unit="shokuin")
    session = services.record_session(actor=web(pm), requirement_key="handling_managers", title="予定",
                                      held_on=today() + dt.timedelta(days=7))
    with pytest.raises(Refused, match="実施日前"):
        services.record_attendance(actor=web(pm), session_id=session.pk, users=[pm])


def test_only_trainers_record_training(shipped, person):
    shipped("inabe")
    handler = person("tanto", "handler", unit="shokuin", tasks=[])
    with pytest.raises(Refused):
        services.record_session(actor=web(handler), requirement_key="handling_managers", title="x", held_on=today())


def test_001_the_recorded_id_password_instructions_count_as_training(shipped, person):
    shipped("kokubunji")
    officer = person("sekinin", "sec_officer")
    operator = person("sosa", "operator")
    assert training.coverage("password_only_instructions")[0].overdue
    PasswordOnlyDecision.objects.create(user=operator, decided_by=officer, reason="指の損傷",
                                        instruction_management="IDとパスワードを他人に知らせない",
                                        instruction_proper_use="業務以外に使わない", instructed_on=today(),
                                        start_date=today())
    row = training.coverage("password_only_instructions")[0]
    assert row.last == today() and not row.overdue


@pytest.fixture
def sayama_training_first(activate, settings, tmp_path):
    """002 with the optional R-TRN-5 switched on: a handler is designated only after the training."""
    source = Path(__file__).resolve().parents[2] / "profiles" / "data" / "sayama.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["audits"]["training"]["awareness"]["before_designation"] = True
    (tmp_path / "sayama-trn5.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, tmp_path]
    from tokutei.staff.services import ensure_org_structure

    profile = activate("sayama-trn5")
    ensure_org_structure()
    return profile


def test_002_a_designation_waits_for_the_training_where_the_profile_says_so(sayama_training_first, person):
    profile = sayama_training_first
    pm = person("kacho", "pm", unit="shimin")
    general_pm = person("bucho", "general_pm")
    newcomer = person("shinjin", unit="shimin")
    task = next(iter(profile.selectable_tasks()))
    with pytest.raises(Refused) as exc:
        staff.designate(actor=web(pm), user=newcomer, role_key="staff", tasks=[task])
    assert exc.value.code == "training_required" and exc.value.article == "002 §8.1, §8.3"
    session = services.record_session(actor=web(general_pm), requirement_key="awareness", title="全職員研修",
                                      held_on=today())
    services.record_attendance(actor=web(general_pm), session_id=session.pk, users=[newcomer])
    staff.designate(actor=web(pm), user=newcomer, role_key="staff", tasks=[task])


def test_002_by_default_no_designation_waits_for_training(shipped, person):
    profile = shipped("sayama")
    pm = person("kacho", "pm", unit="shimin")
    staff.designate(actor=web(pm), user=person("shinjin", unit="shimin"), role_key="staff",
                    tasks=[next(iter(profile.selectable_tasks()))])


def test_002_an_auditor_is_not_designated_a_handler_of_the_audited_work(shipped, person):
    profile = shipped("sayama")
    pm = person("kacho", "pm", unit="shimin")
    auditor = person("kansa", "auditor", unit="shimin")
    with pytest.raises(Refused) as exc:
        staff.designate(actor=web(pm), user=auditor, role_key="staff", tasks=[next(iter(profile.selectable_tasks()))])
    assert exc.value.code == "separation_of_duties" and exc.value.article == "002 §6, §41"
    refusal = Entry.objects.get(action="staff.designate", result="refused")
    assert refusal.target_id == str(auditor.pk)


def test_000_holding_both_consenting_posts_is_warned_and_shown(shipped, person, client):
    shipped("sendai-kyosai")
    admin = person("kanri", "sys_admin")
    staff.assign_post(actor=web(admin), user=admin, post=Post.objects.get(key="jimukyoku_jicho"), start_date=today())
    entry = Entry.objects.filter(action="staff.designate", result="ok").latest("seq")
    assert entry.details["warnings"] == ["separation_of_duties"]
    client.force_login(admin)
    page = client.get("/audits/").content.decode()
    assert "兼務している職員" in page and "kanri 太郎" in page
