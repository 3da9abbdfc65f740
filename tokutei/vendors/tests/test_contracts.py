"""Qualification before selection (E-29), the clause checklist (E-28), the 覚書 (000 §22.3), 002's written
confirmations, and the return or erasure at a contract's end (E-32)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.vendors import services
from tokutei.vendors.models import Contract

from .conftest import a_unit, active_contract, adopted_evaluation, qualified_vendor, web

TODAY = timezone.localdate()


def _draft(manager, vendor):
    return services.draft_contract(actor=web(manager), vendor_id=vendor.pk, title="入力業務委託", work="入力",
                                   entrusted="氏名、個人番号", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=365))


@pytest.mark.parametrize("name", ["sendai-kyosai", "sayama", "hyogo-kyosai"])
def test_no_contract_draft_for_a_vendor_not_qualified_before_selection(people, name):
    profile, manager, owner, _ = people(name)
    vendor = services.create_vendor(actor=web(manager), name="未確認商事", owner=owner, unit=a_unit())
    with pytest.raises(Refused) as refused:
        _draft(manager, vendor)
    assert refused.value.article == profile.outsourcing.qualification.article
    assert not Contract.objects.exists()
    entry = Entry.objects.filter(action="vendors.contract", result="refused").get()
    assert entry.reason and entry.article == profile.outsourcing.qualification.article


@pytest.mark.parametrize("name", ["sendai-kyosai", "sayama"])
def test_a_check_that_found_the_vendor_short_does_not_qualify_it(people, name):
    profile, manager, owner, _ = people(name)
    vendor = services.create_vendor(actor=web(manager), name="不足商事", owner=owner, unit=a_unit())
    method = next(iter(profile.outsourcing.qualification.methods))
    services.record_qualification(actor=web(manager), vendor_id=vendor.pk, method=method,
                                  evidence="実地調査で入退室管理の不備を確認", qualified=False)
    with pytest.raises(Refused, match="基準を満たすことが確認されていない"):
        _draft(manager, vendor)
    with pytest.raises(Refused, match="根拠"):
        services.record_qualification(actor=web(manager), vendor_id=vendor.pk, method=method, evidence=" ",
                                      qualified=True)


def test_004_qualification_is_an_adopted_evaluation(people):
    _profile, manager, owner, _ = people("hyogo-kyosai")
    vendor = services.create_vendor(actor=web(manager), name="評価前株式会社", owner=owner, unit=a_unit())
    ev = services.create_evaluation(actor=web(manager), vendor_id=vendor.pk, pattern="IV")
    services.grade(actor=web(manager), evaluation_id=ev.pk, grades={i.no: "A" for i in ev.items.all()} | {"3": "C"})
    services.finalise(actor=web(manager), evaluation_id=ev.pk)
    with pytest.raises(Refused, match="不採用"):
        _draft(manager, vendor)
    adopted_evaluation(manager, vendor, pattern="IV")
    assert _draft(manager, vendor).evaluation.verdict == "adopted"


@pytest.mark.parametrize(("name", "clauses", "confirmations"), [
    ("sendai-kyosai", 13, 1), ("kokubunji", 6, 0), ("sayama", 10, 2), ("hyogo-kyosai", 7, 0)])
def test_a_contract_with_one_mandatory_item_unconfirmed_cannot_go_active(people, name, clauses, confirmations):
    profile, manager, owner, _ = people(name)
    vendor = qualified_vendor(profile, manager, owner)
    contract = _draft(manager, vendor)
    assert [c["kind"] for c in contract.clauses] == ["clause"] * clauses + ["confirmation"] * confirmations
    assert [c["ja"] for c in contract.clauses[:clauses]] == [c.ja for c in profile.outsourcing.contract_clauses]
    last = clauses - 1  # the last mandatory clause (the written confirmations follow it)
    for i in range(len(contract.clauses)):
        if i != last:
            services.confirm_clause(actor=web(manager), contract_id=contract.pk, index=i, location=f"第{i + 1}条")
    with pytest.raises(Refused, match="確認されていません") as refused:
        services.activate_contract(actor=web(manager), contract_id=contract.pk)
    assert refused.value.article == profile.outsourcing.contract_clauses[last].article
    assert contract.clauses[last]["ja"] in str(refused.value)
    assert Contract.objects.get(pk=contract.pk).status == "draft"
    with pytest.raises(Refused, match="どこに定められているか"):
        services.confirm_clause(actor=web(manager), contract_id=contract.pk, index=last, location="")
    services.confirm_clause(actor=web(manager), contract_id=contract.pk, index=last, location="別紙 特記仕様書 3頁")
    assert services.activate_contract(actor=web(manager), contract_id=contract.pk).status == "active"
    assert Entry.objects.filter(action="vendors.clause", result="ok").count() == len(contract.clauses)


def test_002_written_confirmations_are_part_of_the_checklist(people):
    profile, manager, owner, _ = people("sayama")
    contract = _draft(manager, qualified_vendor(profile, manager, owner))
    written = [c["ja"] for c in contract.clauses if c["kind"] == "confirmation"]
    assert written == ["委託先における責任者及び業務従事者の管理及び実施体制", "特定個人情報の管理の状況についての検査に関する事項"]


def test_000_the_memorandum_names_what_it_covers(people):
    profile, manager, owner, _ = people("sendai-kyosai")
    contract = active_contract(manager, qualified_vendor(profile, manager, owner))
    items = profile.outsourcing.memorandum.items
    with pytest.raises(Refused, match="覚書で定めた事項"):
        services.record_memorandum(actor=web(manager), contract_id=contract.pk, concluded_on=TODAY, items=["勝手な事項"])
    services.record_memorandum(actor=web(manager), contract_id=contract.pk, concluded_on=TODAY, items=items[:2])
    assert Contract.objects.get(pk=contract.pk).memorandum_items == items[:2]


@pytest.mark.parametrize("name", ["sayama", "hyogo-kyosai"])
def test_the_return_task_closes_only_with_the_vendors_certificate(people, name):
    profile, manager, owner, _ = people(name)
    contract = active_contract(manager, qualified_vendor(profile, manager, owner))
    task = services.end_contract(actor=web(manager), contract_id=contract.pk)
    assert Contract.objects.get(pk=contract.pk).status == "ended"
    with pytest.raises(Refused, match="証明書") as refused:
        services.record_return(actor=web(manager), contract_id=contract.pk, outcome="erased")
    assert refused.value.article == profile.outsourcing.return_article
    task.refresh_from_db()
    assert task.closed_at is None
    services.record_return(actor=web(manager), contract_id=contract.pk, outcome="erased",
                           certificate_ref="消去証明書 第2026-15号", certificate_date=TODAY)
    task.refresh_from_db()
    assert task.closed_at is not None and Contract.objects.get(pk=contract.pk).status == "closed"


def test_000_tracks_the_return_without_a_certificate_rule(people):
    profile, manager, owner, _ = people("sendai-kyosai")
    contract = active_contract(manager, qualified_vendor(profile, manager, owner))
    services.end_contract(actor=web(manager), contract_id=contract.pk)
    services.record_return(actor=web(manager), contract_id=contract.pk, outcome="returned", note="媒体3枚を受領")
    assert Contract.objects.get(pk=contract.pk).status == "closed"


def test_a_unit_scoped_manager_reaches_only_their_own_units_vendors(people, make_user):
    from tokutei.core.errors import NotFoundOrForbidden
    from tokutei.staff.models import Unit

    profile, manager, owner, _ = people("sayama")
    other_unit = Unit.objects.create(key="zeimu", name_ja="税務課")
    other_pm = make_user("zeimu_pm", "pm", unit=other_unit)
    vendor = qualified_vendor(profile, manager, owner)
    with pytest.raises(NotFoundOrForbidden):
        _draft(other_pm, vendor)
    assert Entry.objects.filter(action="vendors.contract", result="refused", actor_id=other_pm.pk).exists()
