"""E-31 (002 §38.5): a dispatched worker gets no designation until the worker-dispatch contract's
confidentiality terms are confirmed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.staff import services as staff
from tokutei.staff.models import RoleAssignment, User
from tokutei.vendors import services

from .conftest import a_unit, web

TODAY = timezone.localdate()


def _dispatched(username="haken1"):
    return User.objects.create_user(username=username, password="correct horse 42", full_name="派遣 花子",
                                    unit=a_unit(), employment=User.Employment.DISPATCHED)


def test_002_no_designation_before_the_dispatch_terms_are_confirmed(people):
    profile, manager, _owner, _ = people("sayama")
    worker = _dispatched()
    task = next(iter(profile.selectable_tasks()))
    with pytest.raises(Refused, match="労働者派遣契約") as refused:
        staff.designate(actor=web(manager), user=worker, role_key="staff", tasks=[task], unit=a_unit())
    assert refused.value.article == "002 §38.5"
    row = services.record_dispatched_worker(actor=web(manager), user=worker, agency="株式会社派遣元",
                                            dispatch_contract="派遣契約 R8-12", contract_from=TODAY,
                                            contract_to=TODAY + dt.timedelta(days=180))
    with pytest.raises(Refused, match="労働者派遣契約"):
        staff.designate(actor=web(manager), user=worker, role_key="staff", tasks=[task], unit=a_unit())
    with pytest.raises(Refused, match="明記されている箇所"):
        services.confirm_dispatch_terms(actor=web(manager), worker_id=row.pk, locations=["第8条", ""])
    services.confirm_dispatch_terms(actor=web(manager), worker_id=row.pk, locations=["第8条", "第9条"])
    staff.designate(actor=web(manager), user=worker, role_key="staff", tasks=[task], unit=a_unit())
    assert RoleAssignment.objects.filter(user=worker, role_key="staff").exists()


def test_002_a_designation_after_the_dispatch_period_is_refused(people):
    profile, manager, _owner, _ = people("sayama")
    worker = _dispatched()
    row = services.record_dispatched_worker(actor=web(manager), user=worker, agency="株式会社派遣元",
                                            dispatch_contract="派遣契約 R8-12", contract_from=TODAY,
                                            contract_to=TODAY + dt.timedelta(days=30))
    services.confirm_dispatch_terms(actor=web(manager), worker_id=row.pk, locations=["第8条", "第9条"])
    with pytest.raises(Refused, match="労働者派遣契約"):
        staff.designate(actor=web(manager), user=worker, role_key="staff", tasks=[next(iter(profile.selectable_tasks()))],
                        unit=a_unit(), start_date=TODAY + dt.timedelta(days=40))


def test_other_organisations_have_no_dispatch_rule(people):
    profile, _manager, _owner, _ = people("hyogo-kyosai")
    worker = _dispatched()
    designator = next(iter(profile.roles["handler"].designated_by))
    from tokutei.staff.models import RoleAssignment as RA

    boss = User.objects.create_user(username="boss", password="correct horse 42", full_name="上司", unit=a_unit())
    RA.objects.create(user=boss, role_key=designator, start_date=TODAY - dt.timedelta(days=5))
    staff.designate(actor=web(boss), user=worker, role_key="handler", tasks=[next(iter(profile.selectable_tasks()))],
                    unit=a_unit())
    assert RoleAssignment.objects.filter(user=worker, role_key="handler").exists()


def test_002_a_protection_manager_records_only_their_own_units_dispatched_workers(people, make_user):
    from tokutei.core.errors import NotFoundOrForbidden
    from tokutei.staff.models import Unit

    _profile, manager, _owner, _ = people("sayama")
    elsewhere = User.objects.create_user(username="haken2", password="correct horse 42", full_name="派遣 次郎",
                                         unit=Unit.objects.create(key="zeimu", name_ja="税務課"),
                                         employment=User.Employment.DISPATCHED)
    with pytest.raises(NotFoundOrForbidden):
        services.record_dispatched_worker(actor=web(manager), user=elsewhere, agency="派遣元", dispatch_contract="R8-1",
                                          contract_from=TODAY, contract_to=TODAY + dt.timedelta(days=30))
