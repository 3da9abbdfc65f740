"""情報連携システムのID (004 §14(2), §14(7), E-44): the 特定個人情報保護責任者 applies to the 連合会 for each
handler's ID; the ID is activated only on that recorded application (refused and logged, citing the 004
profile, without it), its suspension and return are recorded, and the register shows the application."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import LinkageId
from tokutei.registers.services import linkage

APPLIED = dt.date(2026, 4, 1)
ISSUED = dt.date(2026, 4, 8)


@pytest.fixture
def org004(activate, make_user):
    activate("hyogo-kyosai")
    return {"officer": make_user("nenkin_kacho", "protection_officer"),
            "handler": make_user("nenkin1", "handler", tasks=[]),
            "handler2": make_user("nenkin2", "handler", tasks=[])}


def _applied(org, holder=None):
    return linkage.record_application(actor=Actor.console(org["officer"]), holder=holder or org["handler"],
                                      applied_on=APPLIED, reference="RENGO-2026-017")


def test_it_refuses_to_activate_a_linkage_id_without_the_recorded_application_to_the_federation(org004):
    with pytest.raises(Refused, match="連合会への申請が記録されていない"):
        linkage.activate(actor=Actor.console(org004["officer"]), holder=org004["handler"], linkage_id="NK0123",
                         issued_on=ISSUED)
    assert not LinkageId.objects.exists()
    refusal = Entry.objects.get(action="ids.linkage_activate", result="refused")
    assert refusal.article == "004 §14(2), §14(7)" and refusal.target_id == str(org004["handler"].pk)


def test_an_id_is_activated_on_the_recorded_application_and_keeps_it(org004):
    line = _applied(org004)
    assert line.status == "applied" and line.applied_by == org004["officer"]
    active = linkage.activate(actor=Actor.console(org004["officer"]), holder=org004["handler"],
                              linkage_id="NK0123", issued_on=ISSUED, activated_on=ISSUED)
    assert active.pk == line.pk and active.status == "active" and active.reference == "RENGO-2026-017"
    assert Entry.objects.filter(action="ids.linkage_activate", result="ok").count() == 1
    # another handler's application does not let a third person's ID start
    with pytest.raises(Refused):
        linkage.activate(actor=Actor.console(org004["officer"]), holder=org004["handler2"], linkage_id="NK0999",
                         issued_on=ISSUED)


def test_suspension_resumption_and_return_are_recorded_and_a_returned_id_needs_a_new_application(org004):
    officer = Actor.console(org004["officer"])
    line = _applied(org004)
    linkage.activate(actor=officer, holder=org004["handler"], linkage_id="NK0123", issued_on=ISSUED)
    line = linkage.suspend(actor=officer, record_id=line.pk, reason="長期休暇")
    assert line.status == "suspended" and line.suspended_on is not None
    line = linkage.suspend(actor=officer, record_id=line.pk, reason="", resume=True)
    assert line.status == "active"
    line = linkage.return_id(actor=officer, record_id=line.pk, reason="異動")
    assert line.status == "returned" and line.returned_on is not None and line.note == "異動"
    with pytest.raises(Refused, match="返却済み"):
        linkage.suspend(actor=officer, record_id=line.pk, reason="x")
    with pytest.raises(Refused, match="連合会への申請が記録されていない"):
        linkage.activate(actor=officer, holder=org004["handler"], linkage_id="NK0124", issued_on=ISSUED)
    codes = set(Entry.objects.filter(result="ok").values_list("action", flat=True))
    assert {"ids.linkage_apply", "ids.linkage_activate", "ids.linkage_suspend", "ids.linkage_return"} <= codes


def test_only_the_protection_officer_records_applications(org004):
    with pytest.raises(Refused):
        _applied({**org004, "officer": org004["handler2"]})
    assert Entry.objects.get(action="ids.linkage_apply", result="refused").article


def test_the_register_page_shows_the_application_and_refuses_activation_without_one(client, org004):
    client.force_login(org004["officer"])
    url = reverse("registers:linkage_ids")
    client.post(url, {"apply": "1", "a-holder": org004["handler"].pk, "a-applied_on": "2026-04-01",
                      "a-reference": "RENGO-2026-017"})
    page = client.get(url).content.decode()
    assert "RENGO-2026-017" in page and "令和8年4月1日" in page and org004["officer"].display_name in page
    refused = client.post(url, {"activate": "1", "b-holder": org004["handler2"].pk, "b-linkage_id": "NK0999",
                                "b-issued_on": "2026-04-08"})
    assert refused.status_code == 403 and "取扱要綱第14条第2号" in refused.content.decode()
    client.post(url, {"activate": "1", "b-holder": org004["handler"].pk, "b-linkage_id": "NK0123",
                      "b-issued_on": "2026-04-08"})
    assert LinkageId.objects.get(holder=org004["handler"]).status == "active"
    assert "NK0123" in client.get(reverse("registers:print", args=["linkage_ids"])).content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("registers:export", args=["linkage_ids"])).content)).active
    assert [c.value for c in sheet[4]][:3] == ["事務取扱担当者", "連合会への申請日", "申請の受付番号"]


def test_the_record_book_page_leads_to_the_workflow_rather_than_typing_an_activation(client, org004):
    client.force_login(org004["officer"])
    page = client.get(reverse("ledgers:register", args=["linkage_ids"])).content.decode()
    assert reverse("registers:linkage_ids") in page


def test_an_organisation_without_linkage_ids_has_no_such_register(client, officers000):
    client.force_login(officers000["sys_admin"])
    assert client.get(reverse("registers:linkage_ids")).status_code == 404
    assert client.get(reverse("registers:print", args=["linkage_ids"])).status_code == 404
    before = Entry.objects.filter(result="refused").count()
    assert client.get("/api/v1/registers/tables/linkage-ids").status_code == 404
    assert Entry.objects.filter(result="refused").count() == before + 1  # logged, like a missing record
