"""IDs and 照合情報 (000 §7.3, §14.2, §15; E-10): an authenticator (照合情報) is enrolled only after a
拠点管理者's application approved by the システム管理者 where the profile requires it (000), freely where it
does not (004); its deletion and delegated authority go through the same engine; the user-ID register is
read from the live accounts."""

from __future__ import annotations

import json

import pytest

from tokutei.approvals import services as approvals
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import BiometricRecord
from tokutei.registers.services import ids
from tokutei.staff import factors
from tokutei.staff.models import SecondFactor
from tokutei.staff.tests.test_webauthn import ORIGIN, SoftAuthenticator


@pytest.fixture
def webauthn(settings):
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


def _enrol(user):
    device = SoftAuthenticator()
    options, challenge = factors.registration_options(user)
    return factors.enrol_webauthn(user=user, challenge=challenge, response=json.dumps(device.create(options)))


def _approved(officers, operation, subject):
    req = approvals.create_request(actor=Actor.console(officers["site_admin"]), operation=operation, subject=subject)
    approvals.decide(actor=Actor.console(officers["sys_admin"]), request_id=req.pk, approve=True)
    return req


def test_a_biometric_enrolment_without_the_approved_application_is_refused_in_000(officers000, webauthn):
    operator = officers000["operator"]
    with pytest.raises(Refused, match="住基ネットシステム管理者"):
        _enrol(operator)
    assert not SecondFactor.objects.filter(user=operator).exists()
    refusal = Entry.objects.get(action="staff.second_factor_enrol", result="refused")
    assert refusal.article == "000 §7.3"


def test_a_pending_application_is_not_enough_and_an_approved_one_is_used_once(officers000, webauthn):
    operator = officers000["operator"]
    req = approvals.create_request(actor=Actor.console(officers000["site_admin"]), operation="biometric_register",
                                   subject=operator)
    with pytest.raises(Refused):
        _enrol(operator)
    approvals.decide(actor=Actor.console(officers000["sys_admin"]), request_id=req.pk, approve=True)
    factor = _enrol(operator)
    line = BiometricRecord.objects.get()
    assert line.factor_id == factor.pk and line.register_approval == req
    req.refresh_from_db()
    assert req.status == "used"
    with pytest.raises(Refused):  # a second authenticator needs a second application
        _enrol(operator)


def test_only_a_site_administrator_applies_for_biometric_registration(officers000):
    with pytest.raises(Refused, match="拠点管理者"):
        approvals.create_request(actor=Actor.console(officers000["operator2"]), operation="biometric_register",
                                 subject=officers000["operator"])


def test_a_biometric_enrolment_is_allowed_without_an_application_where_the_profile_requires_none(
        activate, make_user, webauthn):
    activate("hyogo-kyosai")
    handler = make_user("nenkin1", "handler", tasks=[])
    factor = _enrol(handler)
    assert BiometricRecord.objects.get().factor_id == factor.pk


def test_the_enrolment_page_says_why_it_is_refused(client, officers000, webauthn):
    client.force_login(officers000["operator"])
    from django.urls import reverse

    response = client.post(reverse("staff:webauthn_register_options"))
    assert response.status_code == 403 and "承認がありません" in response.json()["error"]


def test_deleting_biometric_data_needs_its_own_approval_and_revokes_the_authenticator(officers000, webauthn):
    operator = officers000["operator"]
    _approved(officers000, "biometric_register", operator)
    factor = _enrol(operator)
    line = BiometricRecord.objects.get()
    site_admin = officers000["site_admin"]
    with pytest.raises(Refused):
        ids.delete_biometric(actor=Actor.console(site_admin), record_id=line.pk)
    other = _approved(officers000, "biometric_delete", officers000["operator2"])
    with pytest.raises(Refused, match="対象者が異なります"):
        ids.delete_biometric(actor=Actor.console(site_admin), record_id=line.pk, approval_id=other.pk)
    req = _approved(officers000, "biometric_delete", operator)
    ids.delete_biometric(actor=Actor.console(site_admin), record_id=line.pk, approval_id=req.pk)
    factor.refresh_from_db()
    line.refresh_from_db()
    assert factor.revoked_at is not None and line.deleted_at is not None and line.delete_approval == req


def test_delegated_authority_is_added_and_returned_only_with_approvals(officers000):
    site_admin, operator = officers000["site_admin"], officers000["operator"]
    with pytest.raises(Refused):
        ids.add_authority(actor=Actor.console(site_admin), holder=operator, scope="住民票の写しの交付")
    line = ids.add_authority(actor=Actor.console(site_admin), holder=operator, scope="住民票の写しの交付",
                             approval_id=_approved(officers000, "delegated_authority_add", operator).pk)
    with pytest.raises(Refused):
        ids.return_authority(actor=Actor.console(site_admin), authority_id=line.pk)
    ids.return_authority(actor=Actor.console(site_admin), authority_id=line.pk,
                         approval_id=_approved(officers000, "delegated_authority_return", operator).pk)
    line.refresh_from_db()
    assert line.returned_at is not None


def test_the_user_id_register_is_read_from_the_live_accounts(officers000):
    from tokutei.staff import services as staff

    user, _password = staff.create_user(actor=Actor.console(officers000["sys_admin"]), username="shinnin1",
                                        full_name="新任 一郎")
    rows = {r["user_id"]: r for r in ids.user_id_rows()}
    assert rows["shinnin1"]["issued_by"] == officers000["sys_admin"].username
    assert rows["shinnin1"]["status"] == "利用中"
    staff.deactivate_user(actor=Actor.console(officers000["sys_admin"]), user=user, reason="退職")
    assert {r["user_id"]: r for r in ids.user_id_rows()}["shinnin1"]["status"] == "返却（失効）"
