"""訂正の指示 (002 §12): only the 保護管理者 (whom the profile's ``approvals.correction`` names) instructs a
correction, and the instruction is recorded — an approval decided before the correction, used by it once.
A profile without the rule (003) records the instructor named."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tokutei.approvals import services as approvals
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.vault.models import PersonCorrection
from tokutei.vault.services import correct_person, create_file, intake_person

from .test_intake import number


@pytest.fixture
def sayama(activate, make_user, make_terminal, confirm_in_register):
    activate("sayama")
    from tokutei.staff.models import Unit

    unit = Unit.objects.create(key="zeimu", name_ja="税務課")
    staff = make_user("staff1", "staff", tasks=["local_tax"], unit=unit)
    pm = make_user("kacho", "pm", unit=unit)
    other = make_user("staff2", "staff", tasks=["local_tax"], unit=unit)
    terminal, credential = make_terminal("税務課端末")
    actor = Actor(user=staff, terminal=terminal, purpose="local_tax")
    file = confirm_in_register(create_file(actor=actor, name="市民税ファイル", tasks=["local_tax"], unit=unit), pm)
    person = intake_person(actor=actor, file=file, values={"my_number": number(41), "name": "山田 太郎"}).person
    return {"staff": staff, "pm": pm, "other": other, "actor": actor, "person": person, "credential": credential}


def _instruction(w, *, by=None, **particulars):
    req = approvals.create_request(actor=Actor.console(w["staff"]), operation="correction",
                                   particulars={"purpose": "local_tax", **particulars})
    approvals.decide(actor=Actor.console(by or w["pm"]), request_id=req.pk, approve=True)
    return req


def test_it_refuses_a_correction_without_the_recorded_instruction_of_the_protection_manager(sayama):
    w = sayama
    with pytest.raises(Refused) as exc:  # a colleague named as instructor is not an instruction
        correct_person(actor=w["actor"], person=w["person"], changes={"name": "山田 一郎"}, instructed_by=w["other"])
    assert "保護管理者" in exc.value.message and exc.value.article == "002 §12"
    assert Entry.objects.filter(action="vault.correct", result=Entry.Result.REFUSED).count() == 1
    assert not PersonCorrection.objects.exists()


def test_a_colleague_cannot_give_the_instruction(sayama):
    w = sayama
    req = approvals.create_request(actor=Actor.console(w["staff"]), operation="correction",
                                   particulars={"purpose": "local_tax"})
    with pytest.raises(Refused):
        approvals.decide(actor=Actor.console(w["other"]), request_id=req.pk, approve=True)
    with pytest.raises(Refused):
        correct_person(actor=w["actor"], person=w["person"], changes={"name": "山田 一郎"}, approval_id=req.pk)
    assert not PersonCorrection.objects.exists()


def test_the_protection_managers_instruction_is_recorded_and_used_once(sayama):
    w = sayama
    req = _instruction(w, person_id=w["person"].pk)
    correction = correct_person(actor=w["actor"], person=w["person"], changes={"name": "山田 一郎"},
                                instructed_by=w["other"], approval_id=req.pk)
    assert correction.instructed_by == w["pm"]  # the approver, not whom the caller named
    entry = Entry.objects.get(action="vault.correct", result=Entry.Result.OK)
    assert entry.details["instruction_id"] == req.pk and entry.details["instructed_by"] == w["pm"].pk
    use = Entry.objects.get(action="approvals.use")
    assert use.seq < entry.seq  # the instruction was used before the correction completed
    with pytest.raises(Refused, match="既に使用"):
        correct_person(actor=w["actor"], person=w["person"], changes={"name": "山田 二郎"}, approval_id=req.pk)


def test_an_instruction_for_another_person_does_not_cover_this_one(sayama):
    w = sayama
    req = _instruction(w, person_id=w["person"].pk + 1)
    with pytest.raises(Refused, match="本人が指示と異なります"):
        correct_person(actor=w["actor"], person=w["person"], changes={"name": "山田 一郎"}, approval_id=req.pk)


def test_the_page_asks_for_the_instruction_and_the_api_takes_it(sayama):
    w = sayama
    c = Client()
    c.force_login(w["staff"])
    c.cookies[settings.TERMINAL_COOKIE_NAME] = w["credential"]
    page = c.get(f"/vault/people/{w['person'].pk}/correct/?purpose=local_tax").content.decode()
    assert "訂正の指示（承認）の番号" in page and "訂正を指示した者" not in page
    req = _instruction(w)
    c.post(f"/vault/people/{w['person'].pk}/correct/",
           {"f_name": "山田 一郎", "approval_id": req.pk, "reason": "誤記"})
    assert PersonCorrection.objects.get().instructed_by == w["pm"]
    r = c.post(f"/api/v1/vault/people/{w['person'].pk}/corrections",
               {"purpose": "local_tax", "changes": {"name": "山田 三郎"}, "instructed_by": "staff2"},
               content_type="application/json", headers={"X-Tokutei-Terminal": w["credential"]})
    assert r.status_code == 403 and r.json()["article"] == "002 §12"
    req2 = _instruction(w)
    r = c.post(f"/api/v1/vault/people/{w['person'].pk}/corrections",
               {"purpose": "local_tax", "changes": {"name": "山田 三郎"}, "approval_id": req2.pk},
               content_type="application/json", headers={"X-Tokutei-Terminal": w["credential"]})
    assert r.status_code == 201, r.content
    assert PersonCorrection.objects.count() == 2


def test_without_the_rule_the_named_instructor_is_recorded(activate, make_user, make_terminal):
    activate("inabe")
    from tokutei.staff.models import Unit

    unit = Unit.objects.create(key="somu", name_ja="総務課")
    handler = make_user("tanto", "handler", tasks=["health_insurance_48"], unit=unit)
    chief = make_user("sekinin", "handling_mgr", unit=unit)  # 事務取扱責任者 (correction.instructor_roles)
    terminal, _credential = make_terminal("端末")
    actor = Actor(user=handler, terminal=terminal, purpose="health_insurance_48")
    file = create_file(actor=actor, name="健康保険ファイル", tasks=["health_insurance_48"], unit=unit)
    person = intake_person(actor=actor, file=file, values={"my_number": number(42), "name": "鈴木 花子"}).person
    correction = correct_person(actor=actor, person=person, changes={"name": "鈴木 春子"}, instructed_by=chief)
    assert correction.instructed_by == chief
    with pytest.raises(Refused, match="指示者"):
        correct_person(actor=actor, person=person, changes={"name": "鈴木 夏子"})


def test_only_a_holder_of_the_profiles_instructor_roles_may_instruct_a_correction(activate, make_user, make_terminal):
    activate("inabe")
    from tokutei.auditlog.models import Entry
    from tokutei.staff.models import Unit

    unit = Unit.objects.create(key="somu", name_ja="総務課")
    handler = make_user("tanto", "handler", tasks=["health_insurance_48"], unit=unit)
    colleague = make_user("doryo", "handler", tasks=["health_insurance_48"], unit=unit)
    terminal, _credential = make_terminal("端末")
    actor = Actor(user=handler, terminal=terminal, purpose="health_insurance_48")
    file = create_file(actor=actor, name="健康保険ファイル", tasks=["health_insurance_48"], unit=unit)
    person = intake_person(actor=actor, file=file, values={"my_number": number(43), "name": "鈴木 花子"}).person
    with pytest.raises(Refused, match="事務取扱責任者・保護管理者"):
        correct_person(actor=actor, person=person, changes={"name": "鈴木 春子"}, instructed_by=colleague)
    assert Entry.objects.filter(result="refused", details__code="instructor_role").exists()


def test_the_correction_form_offers_only_the_profiles_instructors(clerk, clerk2, make_user, make_terminal):
    from tokutei.vault.services import create_file as make_file

    from .test_web import signed_in

    other = make_user("clerk3", "clerk", tasks=["payroll"])
    terminal, credential = make_terminal("端末C")
    actor = Actor(user=clerk, terminal=terminal, purpose="payroll")
    file = make_file(actor=actor, name="給与ファイル", tasks=["payroll"])
    person = intake_person(actor=actor, file=file, values={"my_number": number(44), "name": "山田 太郎",
                                                            "birth_date": "1960-01-01"}).person
    c = signed_in(clerk, credential)
    c.post("/vault/purpose/", {"purpose": "payroll", "next": "/vault/files/"})
    html = c.get(f"/vault/people/{person.pk}/correct/").content.decode()
    offered = html.split('name="instructed_by"', 1)[1].split("</select>", 1)[0]
    assert "clerk2" in offered and "clerk3" not in offered and "（clerk）" not in offered  # nor oneself
    assert "保護管理者 の職にある者" in html
    assert other.pk
