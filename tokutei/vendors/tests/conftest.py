"""Vendor tests: each organisation's vendor manager, a vendor owner, and a vendor ready for a contract."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.policy import Actor

# profile → (its vendor manager's role, a staff role that may own a vendor, that staff role's tasks?)
PEOPLE = {
    "sendai-kyosai": ("sys_admin", "operator"),
    "kokubunji": ("sec_officer", "operator"),
    "sayama": ("pm", "staff"),
    "inabe": ("pm", "handler"),
    "hyogo-kyosai": ("protection_officer", "handler"),
}


def a_unit():
    from tokutei.staff.models import Unit

    return Unit.objects.get_or_create(key="nenkin", defaults={"name_ja": "年金課"})[0]


def web(user) -> Actor:
    return Actor(user=user)


@pytest.fixture
def people(activate, make_user):
    """people("sayama") → (profile, manager, owner, approver): the approver decides sub-contracting."""

    def _make(name: str):
        profile = activate(name)
        manager_role, owner_role = PEOPLE[name]
        unit = a_unit()
        tasks = list(profile.selectable_tasks())[:1]
        manager = make_user("kanri", manager_role, unit=unit)
        owner = make_user("tanto", owner_role, unit=unit, tasks=tasks if profile.roles[owner_role].handles_data else [])
        step_roles = (profile.approvals["subcontracting"].steps[0].roles
                      if "subcontracting" in profile.approvals else [manager_role])
        approver = make_user("shonin", step_roles[0], unit=unit)
        return profile, manager, owner, approver

    return _make


def adopted_evaluation(manager, vendor, *, on: dt.date | None = None, pattern: str = "III"):
    """An adopted 別紙3 sheet (every applicable item A) for ``vendor``, dated ``on``."""
    from tokutei.vendors import services

    ev = services.create_evaluation(actor=web(manager), vendor_id=vendor.pk, pattern=pattern,
                                    created_on=on or timezone.localdate(), method="hearing")
    services.grade(actor=web(manager), evaluation_id=ev.pk, grades={i.no: "A" for i in ev.items.all()})
    return services.finalise(actor=web(manager), evaluation_id=ev.pk)


def qualified_vendor(profile, manager, owner, name: str = "株式会社データ処理センター"):
    """A vendor that passed the check before selection the profile asks for."""
    from tokutei.vendors import services

    vendor = services.create_vendor(actor=web(manager), name=name, department="公共事業部",
                                    responsible_person="山田一郎", owner=owner, unit=a_unit())
    if profile.outsourcing.vendor_evaluation.enabled:
        adopted_evaluation(manager, vendor)
    elif profile.outsourcing.qualification.required:
        method = next(iter(profile.outsourcing.qualification.methods))
        services.record_qualification(actor=web(manager), vendor_id=vendor.pk, method=method,
                                      evidence="ISMS認証書の写し、安全管理措置の説明書", qualified=True)
    return vendor


def active_contract(manager, vendor, *, ends_in_days: int = 365):
    """A contract with every clause confirmed, made active."""
    from tokutei.vendors import services

    today = timezone.localdate()
    contract = services.draft_contract(actor=web(manager), vendor_id=vendor.pk, title="給付データ入力業務委託",
                                       work="申請書の入力", entrusted="氏名、住所、個人番号",
                                       starts_on=today - dt.timedelta(days=10),
                                       ends_on=today + dt.timedelta(days=ends_in_days))
    for i in range(len(contract.clauses)):
        services.confirm_clause(actor=web(manager), contract_id=contract.pk, index=i, location=f"第{i + 1}条")
    return services.activate_contract(actor=web(manager), contract_id=contract.pk)
