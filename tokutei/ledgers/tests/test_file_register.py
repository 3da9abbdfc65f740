"""特定個人情報ファイル管理台帳 (004 §10 別紙2, E-43): the access list follows the live designations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.services import record
from tokutei.core.errors import Refused
from tokutei.ledgers import services
from tokutei.ledgers.files import get_file
from tokutei.ledgers.selectors import access_list, file_register
from tokutei.ledgers.tests.test_real_profiles import _shipped
from tokutei.policy import Actor
from tokutei.staff.models import RoleAssignment, Unit, User


@pytest.fixture
def somu(org):
    return Unit.objects.create(key="somu", name_ja="総務課")


@pytest.fixture
def payroll_file(org, somu, manager):
    from tokutei.vault.models import SpecificFile

    return SpecificFile.objects.create(name="源泉徴収票ファイル", kind="電子ファイル", unit=somu,
                                       tasks=["payroll"], responsible=manager)


def _usernames(file, org):
    info = get_file(file.pk)
    assert info is not None
    return [p["username"] for p in access_list(info, profile=org)]


def test_the_access_list_follows_a_new_designation_and_an_ended_one(org, payroll_file, make_user, somu):
    assert _usernames(payroll_file, org) == []
    clerk = make_user("clerk", "clerk", tasks=["payroll"], unit=somu)
    make_user("other", "clerk", tasks=["insurance"], unit=somu)  # a different task: no access
    assert _usernames(payroll_file, org) == ["clerk"]
    assignment = RoleAssignment.objects.get(user=clerk)
    assignment.end_date = timezone.localdate() - dt.timedelta(days=1)
    assignment.save(update_fields=["end_date"])
    assert _usernames(payroll_file, org) == []


def test_a_designation_in_another_unit_gives_no_access(org, payroll_file, make_user):
    kaikei = Unit.objects.create(key="kaikei", name_ja="会計課")
    make_user("clerk2", "clerk", tasks=["payroll"], unit=kaikei)
    assert _usernames(payroll_file, org) == []


def test_it_flags_a_file_that_was_never_signed_off_and_used_before_registration(org, payroll_file, clerk):
    record(action="vault.view", actor=clerk, purpose="payroll", details={"file_id": payroll_file.pk})
    services.sync_from_log()
    [row] = file_register(org)
    assert "未登録（責任者の確認がありません）" in row["flags"]
    assert "台帳への登録前に利用されています" in row["flags"]


def test_it_flags_an_access_list_that_differs_from_the_signed_off_one(org, payroll_file, manager, make_user, somu):
    make_user("clerk", "clerk", tasks=["payroll"], unit=somu)
    services.sign_off_file(actor=Actor.console(manager), file_id=payroll_file.pk)
    [row] = file_register(org)
    assert row["flags"] == []
    make_user("newcomer", "clerk", tasks=["payroll"], unit=somu)
    [row] = file_register(org)
    assert "アクセス権を有する者が台帳と実際の指定で異なります" in row["flags"]
    assert [p["username"] for p in row["added"]] == ["newcomer"]
    services.sign_off_file(actor=Actor.console(manager), file_id=payroll_file.pk)
    [row] = file_register(org)
    assert row["flags"] == []


def test_it_refuses_a_sign_off_by_someone_not_responsible(org, payroll_file, auditor):
    with pytest.raises(Refused):
        services.sign_off_file(actor=Actor.console(auditor), file_id=payroll_file.pk)


def test_a_unit_scoped_role_reaches_only_files_of_the_holders_own_unit(activate, make_user):
    from tokutei.vault.models import SpecificFile

    _shipped("inabe")
    inabe = activate("inabe")
    shokuin = Unit.objects.create(key="shokuin", name_ja="職員課")
    kaikei = Unit.objects.create(key="kaikei", name_ja="会計課")
    f = SpecificFile.objects.create(name="健康保険届出ファイル", unit=shokuin, tasks=["health_insurance_48"])
    for username, unit in (("in_unit", shokuin), ("elsewhere", kaikei)):
        user = User.objects.create_user(username=username, password="x" * 12, unit=unit)
        RoleAssignment.objects.create(user=user, role_key="handler", tasks=["health_insurance"],
                                      start_date=timezone.localdate())  # no unit on the designation
    info = get_file(f.pk)
    assert info is not None
    assert [p["username"] for p in access_list(info, profile=inabe)] == ["in_unit"]
