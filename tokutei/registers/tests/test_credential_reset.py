"""An administrator's credential reset deletes 照合情報 too (000 §7.3, E-10): revoking a person's WebAuthn
authenticators needs the 拠点管理者's application approved by the システム管理者 where the profile requires it
(000), and is recorded in the 照合情報管理簿; profiles that require none reset as before (004)."""

from __future__ import annotations

import pytest

from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import BiometricRecord
from tokutei.staff import services as staff
from tokutei.staff.models import SecondFactor

from .test_ids import _approved, _enrol, webauthn  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("webauthn")


def _active(user) -> int:
    return SecondFactor.objects.filter(user=user, revoked_at__isnull=True).count()


def test_it_refuses_to_revoke_an_operators_authenticator_without_the_approved_deletion_in_000(
        officers000):
    operator, sys_admin = officers000["operator"], officers000["sys_admin"]
    _approved(officers000, "biometric_register", operator)
    _enrol(operator)
    with pytest.raises(Refused, match="照合情報の削除には 住基ネットシステム管理者 の承認がありません"):
        staff.reset_credentials(actor=Actor.console(sys_admin), user=operator, second_factors=True)
    assert _active(operator) == 1
    assert BiometricRecord.objects.get().deleted_at is None
    refusal = Entry.objects.get(action="staff.credential_reset", result="refused")
    assert refusal.article == "000 §7.3" and refusal.target_id == str(operator.pk)
    assert not Entry.objects.filter(action="staff.credential_reset", result="ok").exists()


def test_a_password_reset_or_an_unlock_needs_no_deletion_approval_in_000(officers000):
    operator, sys_admin = officers000["operator"], officers000["sys_admin"]
    _approved(officers000, "biometric_register", operator)
    _enrol(operator)
    assert staff.reset_credentials(actor=Actor.console(sys_admin), user=operator, password=True, unlock=True)
    assert _active(operator) == 1


def test_with_the_approved_deletion_the_reset_revokes_and_records_it_in_the_register_in_000(
        officers000):
    operator, sys_admin = officers000["operator"], officers000["sys_admin"]
    _approved(officers000, "biometric_register", operator)
    _enrol(operator)
    deletion = _approved(officers000, "biometric_delete", operator)
    staff.reset_credentials(actor=Actor.console(sys_admin), user=operator, second_factors=True)
    assert _active(operator) == 0
    line = BiometricRecord.objects.get()
    assert line.deleted_at is not None and line.delete_approval == deletion and line.deleted_by == sys_admin
    deletion.refresh_from_db()
    assert deletion.status == ApprovalRequest.Status.USED
    entry = Entry.objects.get(action="staff.credential_reset", result="ok")
    assert entry.details["approval_id"] == deletion.pk and entry.details["biometric_record_ids"] == [line.pk]
    assert entry.article == "000 §7.3"


def test_an_approved_deletion_for_someone_else_does_not_reset_this_person_in_000(officers000):
    operator, sys_admin = officers000["operator"], officers000["sys_admin"]
    _approved(officers000, "biometric_register", operator)
    _enrol(operator)
    other = _approved(officers000, "biometric_delete", officers000["operator2"])
    with pytest.raises(Refused, match="対象者が異なります"):
        staff.reset_credentials(actor=Actor.console(sys_admin), user=operator, second_factors=True,
                                approval_id=other.pk)
    assert _active(operator) == 1


def test_the_reset_page_refuses_without_the_approval_and_links_to_the_application_in_000(
        client, officers000):
    operator, sys_admin = officers000["operator"], officers000["sys_admin"]
    _approved(officers000, "biometric_register", operator)
    _enrol(operator)
    client.force_login(sys_admin)
    page = client.get(f"/staff/{operator.pk}/").content.decode()
    assert "「照合情報の削除」の承認が必要です" in page
    assert "operation=biometric_delete" not in page  # the 拠点管理者 applies, not the システム管理者
    response = client.post(f"/staff/{operator.pk}/reset/", {"what": "second_factors"})
    assert response.status_code == 403 and "セキュリティ管理規程第7条第3項" in response.content.decode()
    assert _active(operator) == 1


def test_the_reset_revokes_authenticators_without_an_application_where_the_profile_requires_none(
        activate, make_user):
    activate("hyogo-kyosai")
    admin = make_user("kanri1", "system_admin")
    handler = make_user("nenkin1", "handler", tasks=[])
    _enrol(handler)
    staff.reset_credentials(actor=Actor.console(admin), user=handler, second_factors=True)
    assert _active(handler) == 0
    assert BiometricRecord.objects.get().deleted_at is not None  # the register still says when
    assert not Entry.objects.filter(result="refused").exists()


def test_a_cancelled_deprovisioning_keeps_the_authenticator_suspended_until_its_approved_deletion_in_000(
        officers000):
    """E-13 meets E-10: a transfer suspends the operator's credentials; closing the removal as cancelled
    revokes what needs no application, but the authenticator (照合情報) waits, unusable, for the approved
    deletion, which then lifts the suspension."""
    from tokutei.approvals.tests.conftest import a_unit
    from tokutei.staff.models import ProvisioningTask

    operator, sys_admin = officers000["operator"], officers000["sys_admin"]
    _approved(officers000, "biometric_register", operator)
    _enrol(operator)
    staff.transfer_user(actor=Actor.console(sys_admin), user=operator, unit=a_unit(), reason="4月異動")
    task = ProvisioningTask.objects.get(user=operator, kind="deprovision")
    staff.close_provisioning_task(actor=Actor.console(sys_admin), task=task, outcome="cancelled")
    operator.refresh_from_db()
    assert _active(operator) == 1 and operator.credentials_suspended_at is not None
    assert BiometricRecord.objects.get().deleted_at is None
    closed = Entry.objects.get(action="staff.provisioning_close")
    assert closed.details["authenticators_await_deletion_application"] is True

    _approved(officers000, "biometric_delete", operator)
    staff.reset_credentials(actor=Actor.console(sys_admin), user=operator, second_factors=True)
    operator.refresh_from_db()
    assert _active(operator) == 0 and operator.credentials_suspended_at is None
    assert BiometricRecord.objects.get().deleted_at is not None
