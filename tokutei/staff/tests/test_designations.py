"""Designations: who may designate whom, eligible roles and units, holder limits, dates, transfers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.staff import services
from tokutei.staff.models import Post, ProvisioningTask, RoleAssignment, Unit
from tokutei.staff.selectors import active_assignments, has_role

from .conftest import entries

TODAY = timezone.localdate


def test_it_lets_the_designating_role_designate_a_clerk_with_a_task_scope(manager, make_user, somu):
    person = make_user("tanaka", unit=somu)
    a = services.designate(actor=Actor(user=manager), user=person, role_key="clerk", tasks=["payroll"])
    assert a.designated_by == manager and a.tasks == ["payroll"]
    assert has_role(person, ["clerk"])
    assert entries("staff.designate", actor_id=manager.pk, result="ok").count() == 1
    assert ProvisioningTask.objects.filter(user=person, kind="provision").exists()


def test_it_refuses_a_designation_by_someone_without_the_designating_role(sysadmin, make_user, somu):
    person = make_user("tanaka", unit=somu)
    with pytest.raises(Refused) as exc:
        services.designate(actor=Actor(user=sysadmin), user=person, role_key="clerk", tasks=["payroll"])
    assert exc.value.article == "T99 §5"
    assert not has_role(person, ["clerk"])
    assert entries("staff.designate", result="refused").count() == 1


def test_it_refuses_a_clerk_without_a_task_scope_or_with_an_unknown_task(manager, make_user, somu):
    person = make_user("tanaka", unit=somu)
    with pytest.raises(Refused):
        services.designate(actor=Actor(user=manager), user=person, role_key="clerk", tasks=[])
    with pytest.raises(Refused):
        services.designate(actor=Actor(user=manager), user=person, role_key="clerk", tasks=["no_such_task"])
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_a_designation_that_ended_yesterday_gives_no_access(manager, make_user, somu):
    person = make_user("tanaka", unit=somu)
    services.designate(actor=Actor(user=manager), user=person, role_key="clerk", tasks=["payroll"],
                       start_date=TODAY() - dt.timedelta(days=10), end_date=TODAY() - dt.timedelta(days=1))
    assert not has_role(person, ["clerk"])
    assert has_role(person, ["clerk"], on=TODAY() - dt.timedelta(days=1))


def test_ending_a_designation_today_revokes_it_at_once(manager, clerk):
    assignment = clerk.assignments.get()
    services.end_designation(actor=Actor(user=manager), assignment=assignment, reason="担当替え")
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert not has_role(clerk, ["clerk"])
    assert entries("staff.revoke", result="ok").count() == 1


def test_a_transfer_revokes_every_designation_at_once_and_opens_a_deprovisioning_task(sysadmin, manager, clerk):
    other = Unit.objects.create(key="kaikei", name_ja="会計課")
    count = services.transfer_user(actor=Actor(user=sysadmin), user=clerk, unit=other, reason="4月異動")
    assert count == 1
    assert not active_assignments(clerk).exists()
    assert RoleAssignment.objects.get(user=clerk).revoked_at is not None
    assert ProvisioningTask.objects.filter(user=clerk, kind="deprovision", cause="transfer", closed_at=None).exists()
    assert entries("staff.transfer").get().count == 1


def test_only_an_administrator_may_transfer(manager, clerk):
    with pytest.raises(Refused):
        services.transfer_user(actor=Actor(user=manager), user=clerk, unit=Unit.objects.create(key="x", name_ja="X課"))
    assert active_assignments(clerk).exists()


def test_assigning_a_post_moves_the_ex_officio_role_to_the_new_holder(sysadmin, make_user, somu):
    first = make_user("first", unit=somu)
    second = make_user("second", unit=somu)
    post = Post.objects.get(key="somu_kacho")
    start = TODAY() - dt.timedelta(days=100)
    services.assign_post(actor=Actor(user=sysadmin), user=first, post=post, start_date=start)
    assert has_role(first, ["manager"])
    services.assign_post(actor=Actor(user=sysadmin), user=second, post=post, start_date=TODAY())
    assert has_role(second, ["manager"]) and not has_role(first, ["manager"])
    assert has_role(first, ["manager"], on=TODAY() - dt.timedelta(days=1))  # dated history (R-ORG-2)
    assert [h.user for h in post.holdings.order_by("start_date")] == [first, second]


def test_user_ids_are_never_reused_even_after_deactivation(sysadmin, clerk):
    services.deactivate_user(actor=Actor(user=sysadmin), user=clerk, reason="退職")
    clerk.refresh_from_db()
    assert not clerk.is_active and clerk.deactivated_at is not None
    with pytest.raises(Refused):
        services.create_user(actor=Actor(user=sysadmin), username="CLERK", full_name="別人 花子")
    assert entries("staff.user_create", result="refused").count() == 1


def test_create_user_returns_a_temporary_password_that_must_be_changed(sysadmin, somu):
    user, password = services.create_user(actor=Actor(user=sysadmin), username="yamada", full_name="山田 花子", unit=somu)
    assert user.check_password(password) and user.must_change_password
    entry = entries("staff.user_create").get()
    assert "山田" not in str(entry.details)  # no names in the log


# --- real profiles ------------------------------------------------------------------------------------------


@pytest.fixture
def sendai(activate):
    profile = activate("sendai-kyosai")
    services.ensure_org_structure()
    return profile


def _person(make_user, name, *roles, unit_key=None):
    unit = Unit.objects.get(key=unit_key) if unit_key else None
    return make_user(name, *roles, unit=unit)


def test_000_refuses_a_third_site_administrator(sendai, make_user):
    sys_admin = _person(make_user, "kanri", "sys_admin")
    ops = [_person(make_user, f"op{i}", "operator") for i in range(3)]
    services.designate(actor=Actor(user=sys_admin), user=ops[0], role_key="site_admin", tasks=["p1"])
    services.designate(actor=Actor(user=sys_admin), user=ops[1], role_key="site_admin", tasks=["p1"])
    with pytest.raises(Refused) as exc:
        services.designate(actor=Actor(user=sys_admin), user=ops[2], role_key="site_admin", tasks=["p1"])
    assert "2名" in exc.value.message
    assert "000" in exc.value.article
    assert not has_role(ops[2], ["site_admin"])


def test_000_a_site_administrator_must_be_an_operator_and_designated_by_the_system_administrator(
    sendai, make_user
):
    sys_admin = _person(make_user, "kanri", "sys_admin")
    id_manager = _person(make_user, "jicho", "id_manager")
    not_operator = _person(make_user, "ippan")
    operator = _person(make_user, "op1", "operator")
    with pytest.raises(Refused) as exc:
        services.designate(actor=Actor(user=sys_admin), user=not_operator, role_key="site_admin", tasks=["p1"])
    assert exc.value.code == "ineligible_role"
    with pytest.raises(Refused) as exc:
        services.designate(actor=Actor(user=id_manager), user=operator, role_key="site_admin", tasks=["p1"])
    assert exc.value.code == "not_designator"
    assert entries("staff.designate", result="refused").count() == 2


def test_004_a_handler_must_be_nenkin_staff(activate, make_user):
    activate("hyogo-kyosai")
    services.ensure_org_structure()
    officer = _person(make_user, "kacho", "protection_officer", unit_key="nenkin")
    outsider = _person(make_user, "somu1", unit_key="jimukyoku")
    insider = _person(make_user, "nenkin1", unit_key="nenkin")
    from tokutei.profiles.selectors import get_profile

    task = next(iter(get_profile().selectable_tasks()))
    with pytest.raises(Refused) as exc:
        services.designate(actor=Actor(user=officer), user=outsider, role_key="handler", tasks=[task])
    assert "004" in exc.value.article
    services.designate(actor=Actor(user=officer), user=insider, role_key="handler", tasks=[task])
    assert has_role(insider, ["handler"])


# --- posts follow the same eligibility as designations (E-33) -------------------------------------------


@pytest.fixture
def hyogo(activate, make_user):
    activate("hyogo-kyosai")
    services.ensure_org_structure()
    return _person(make_user, "kanri", "system_admin", unit_key="nenkin")


def test_004_it_refuses_the_nenkin_kacho_post_to_someone_outside_nenkin(hyogo, make_user):
    """E-33: the 保護責任者 (ex officio, 年金課長) must be 年金課 staff — a post is no way around it."""
    outsider = _person(make_user, "somu1", unit_key="jimukyoku")
    post = Post.objects.get(key="nenkin_kacho")
    with pytest.raises(Refused) as exc:
        services.assign_post(actor=Actor(user=hyogo), user=outsider, post=post, start_date=TODAY())
    assert exc.value.code == "ineligible_unit" and "004" in exc.value.article
    assert not has_role(outsider, ["protection_officer"])
    assert not post.holdings.exists()
    refusal = entries("staff.designate", result="refused").get()
    assert refusal.actor_id == hyogo.pk and refusal.details["role"] == "protection_officer"


def test_004_the_nenkin_kacho_post_goes_to_nenkin_staff(hyogo, make_user):
    insider = _person(make_user, "nenkin1", unit_key="nenkin")
    services.assign_post(actor=Actor(user=hyogo), user=insider, post=Post.objects.get(key="nenkin_kacho"),
                         start_date=TODAY())
    assert has_role(insider, ["protection_officer"])


def test_004_the_post_page_shows_the_eligibility_refusal_on_its_form(hyogo, make_user, client):
    outsider = _person(make_user, "somu1", unit_key="jimukyoku")
    client.force_login(hyogo)
    response = client.post("/staff/posts/", {"post": Post.objects.get(key="nenkin_kacho").pk, "user": outsider.pk,
                                             "start_date": TODAY().isoformat()})
    page = response.content.decode()
    assert response.status_code == 200 and "年金課の職員だけです" in page
    assert not has_role(outsider, ["protection_officer"])


def test_a_designator_cannot_end_a_designation_of_a_role_they_do_not_designate(client, manager, sysadmin):
    """Per record: the 保護管理者 designates clerks, not the システム管理者 — refused on the one page, logged."""
    assignment = RoleAssignment.objects.get(user=sysadmin)
    client.force_login(manager)
    response = client.post(f"/staff/designations/{assignment.pk}/end/", {"reason": "x"})
    assert response.status_code == 403 and "テスト規程第4条" in response.content.decode()
    assert assignment.__class__.objects.get(pk=assignment.pk).revoked_at is None
    assert entries("staff.revoke", result="refused", actor_id=manager.pk).count() == 1


def test_004_the_audit_officer_must_be_one_of_the_insiders_of_s5(hyogo, make_user):
    """004 §5: who may know 特定個人情報等 in the course of duty is 事務局長, 年金課長 or 年金課 staff — the audit
    officer, who reads the log and the 運用状況, is designated from them (E-33)."""
    outside = Unit.objects.create(key="somuka", name_ja="総務課")
    outsider = make_user("kansa1", unit=outside)
    with pytest.raises(Refused) as exc:
        services.designate(actor=Actor(user=hyogo), user=outsider, role_key="audit_officer")
    assert exc.value.code == "ineligible_unit" and not has_role(outsider, ["audit_officer"])
    insider = _person(make_user, "kansa2", unit_key="jimukyoku")
    services.designate(actor=Actor(user=hyogo), user=insider, role_key="audit_officer")
    assert has_role(insider, ["audit_officer"])
