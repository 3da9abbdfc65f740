"""An incident can suspend a vendor (tokutei.incidents.measures): the vendor is recorded as no longer
qualified, and every delivery to it is refused until a new qualification is recorded (E-29)."""

from __future__ import annotations

import pytest

from tokutei.core.errors import Refused
from tokutei.incidents.measures import take_measure

from .conftest import web


@pytest.mark.parametrize("name", ["hyogo-kyosai", "sayama"])
def test_a_vendor_suspended_by_an_incident_gets_no_delivery(name, people, make_user):
    from tokutei.auditlog.actions import Action
    from tokutei.incidents.services import report_incident
    from tokutei.vendors.services import check_delivery
    from tokutei.vendors.tests.conftest import active_contract, qualified_vendor

    profile, manager, owner, _approver = people(name)
    vendor = qualified_vendor(profile, manager, owner)
    contract = active_contract(manager, vendor)
    assert check_delivery(actor=web(owner), action=Action.MEDIA_CARRY_OUT, contract_id=contract.pk)
    from django.utils import timezone

    incident = report_incident(actor=web(owner), category="leak", summary="委託先で書類の紛失", found_at=timezone.now(),
                               found_by="委託先", affected={}, suspected_cause="")
    measure = take_measure(actor=web(manager), incident_id=incident.pk, kind="suspend_vendor",
                           text="調査が終わるまで提供を停止", vendor_id=vendor.pk)
    assert measure.targets == {"vendor": vendor.pk}
    with pytest.raises(Refused) as refused:
        check_delivery(actor=web(owner), action=Action.MEDIA_CARRY_OUT, contract_id=contract.pk)
    assert "提供できません" in refused.value.message and ("基準を満たさない" in refused.value.message
                                                      or "基準を満たすことが確認されていません" in refused.value.message)
