"""The pages, prints, Excel and API of the audit programme, as its users meet them: an overdue audit and
an overdue corrective action show on the dashboard; the auditor reads everything; the article-by-article
report prints and exports every article; every step is in the log; the demo fills the programme."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.audits import demo, evidence, maps, services
from tokutei.audits.models import Engagement, Finding

from .conftest import today, web


@pytest.fixture
def inabe(shipped, person):
    profile = shipped("inabe")
    return profile, person("kansa", "auditor"), person("fuku", "general_head"), person("kacho", "pm", unit="shokuin")


def _reported_audit(profile, auditor, days_ago: int) -> Engagement:
    audit = services.open_engagement(actor=web(auditor), kind="audit", schedule_key="audit", title="定期監査",
                                     period_from=today() - dt.timedelta(days=365), period_to=today())
    for row in evidence.checklist(profile, "audit", audit.period_from, audit.period_to):
        services.answer(actor=web(auditor), engagement_id=audit.pk, item_id=row.id, result="compliant")
    services.report(actor=web(auditor), engagement_id=audit.pk, summary="適正")
    Engagement.objects.filter(pk=audit.pk).update(reported_at=timezone.now() - dt.timedelta(days=days_ago))
    return audit


def test_an_overdue_audit_shows_on_the_auditors_dashboard(inabe, client):
    profile, auditor, _head, _pm = inabe
    _reported_audit(profile, auditor, days_ago=400)  # the profile's audit is yearly
    client.force_login(auditor)
    page = client.get("/").content.decode()
    assert "監査・点検等の予定" in page and "管理状況の定期監査" in page and "期限を過ぎています" in page


def test_a_recent_audit_is_not_due(inabe, client):
    profile, auditor, _head, _pm = inabe
    _reported_audit(profile, auditor, days_ago=10)
    client.force_login(auditor)
    assert "管理状況の定期監査" not in client.get("/").content.decode()


def test_an_overdue_corrective_action_shows_to_its_owner_and_after_escalation_to_the_general_pm(inabe, person,
                                                                                              client):
    from tokutei.policy import Actor

    _profile, auditor, _head, pm = inabe
    general_pm = person("bucho", "general_pm")
    audit = services.open_engagement(actor=web(auditor), kind="audit", title="随時監査", period_from=today(),
                                     period_to=today())
    finding = services.raise_finding(actor=web(auditor), source="audit", engagement_id=audit.pk, title="鍵の管理",
                                     severity="high", owner=pm, due_on=today() - dt.timedelta(days=1))
    client.force_login(pm)
    assert "期限を過ぎた是正措置" in client.get("/").content.decode()
    client.force_login(general_pm)
    assert "期限を過ぎた是正措置" not in client.get("/").content.decode()
    services.escalate_overdue(actor=Actor.system())
    assert "鍵の管理" in client.get("/").content.decode()
    assert Entry.objects.filter(action="audits.escalate", target_id=str(finding.pk)).exists()


def test_the_auditor_reads_every_page_and_the_evidence_prints_and_exports_every_article(inabe, client):
    profile, auditor, _head, pm = inabe
    audit = _reported_audit(profile, auditor, days_ago=0)
    finding = services.raise_finding(actor=web(auditor), source="audit", engagement_id=audit.pk, title="台帳",
                                     severity="low", owner=pm)
    session = services.record_session(actor=web(pm), requirement_key="handling_managers", title="研修",
                                      held_on=today())
    client.force_login(auditor)
    for address in ["/audits/", f"/audits/{audit.pk}/", f"/audits/{audit.pk}/print/", "/audits/findings/",
                    f"/audits/findings/{finding.pk}/", "/audits/evidence/", "/audits/evidence/print/",
                    "/audits/review/", "/audits/training/", f"/audits/training/{session.pk}/"]:
        response = client.get(address)
        assert response.status_code == 200, address
    printed = client.get("/audits/evidence/print/").content.decode()
    reg = maps.regulation_map("003")
    assert reg is not None
    from tokutei.profiles.citations import cite

    for art in reg.articles:
        assert cite(art.article, profile) in printed, art.key
    response = client.get("/audits/evidence/export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cited = {row[0] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert {cite(a.article, profile) for a in reg.articles} <= cited
    assert Entry.objects.filter(action="audits.export", target_type="evidence").exists()
    review = client.get("/audits/review/").content.decode()
    assert "定期監査" in review and "研修の受講状況" in review and "事故等" in review
    report = client.get(f"/audits/{audit.pk}/print/").content.decode()
    assert "総括責任者" in report  # the recipient 003 names
    # the owner records the corrective action on the finding's page
    client.force_login(pm)
    assert client.post(f"/audits/findings/{finding.pk}/corrective/", {"corrective_action": "記載"}).status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.ACTION_TAKEN


def test_a_handler_sees_no_audit_page(inabe, person, client):
    handler = person("tanto", "handler", unit="shokuin", tasks=[])
    client.force_login(handler)
    assert client.get("/audits/").status_code == 403
    assert client.get("/audits/evidence/").status_code == 403


def test_an_inspection_through_the_pages(inabe, person, client):
    profile, _auditor, _head, pm = inabe
    mgr = person("shumu", "handling_mgr", unit="shokuin")
    client.force_login(mgr)
    response = client.post("/audits/new/", {"kind": "inspection", "schedule_key": "inspection", "title": "上期点検",
                                            "period_from": str(today() - dt.timedelta(days=180)),
                                            "period_to": str(today())})
    insp = Engagement.objects.get(title="上期点検")
    assert response.status_code == 302
    rows = evidence.checklist(profile, "inspection", insp.period_from, insp.period_to)
    for row in rows:
        client.post(f"/audits/{insp.pk}/answer/", {"item_id": row.id, "result": "compliant", "evidence": "確認"})
    client.post(f"/audits/{insp.pk}/report/", {"summary": "適正"})
    insp.refresh_from_db()
    assert insp.status == Engagement.Status.REPORTED and insp.recipients == ["pm"]
    client.force_login(pm)
    assert "上期点検" in client.get("/").content.decode()
    client.post(f"/audits/{insp.pk}/receive/", {"comment": "了"})
    assert insp.receipts.get().user == pm


def test_the_api_gives_the_schedule_the_evidence_and_the_checklist(inabe, client):
    _profile, auditor, _head, _pm = inabe
    client.force_login(auditor)
    duties = client.get("/api/v1/audits/schedule").json()
    assert {d["key"] for d in duties} >= {"audit", "inspection", "log_analysis", "training"}
    articles = client.get("/api/v1/audits/evidence").json()
    five = next(a for a in articles if a["article"] == "003 §5")
    assert five["status"] == "enforced" and five["enforced"][0]["rule"] == "E-38"
    items = client.get("/api/v1/audits/checklist/inspection").json()
    assert items and all(i["citation"] for i in items)
    created = client.post("/api/v1/audits/engagements", {"kind": "audit", "title": "API監査",
                                                         "period_from": str(today()), "period_to": str(today())},
                          content_type="application/json")
    assert created.status_code == 201
    handler_refused = client.post("/api/v1/audits/engagements", {"kind": "inspection", "title": "x",
                                                                  "period_from": str(today()),
                                                                  "period_to": str(today())},
                                  content_type="application/json")
    assert handler_refused.status_code == 403 and handler_refused.json()["article"]


@pytest.mark.parametrize("name", ["hyogo-kyosai", "sendai-kyosai", "kokubunji", "sayama", "inabe"])
def test_the_demo_fills_the_programme_without_refusals(activate, name):
    from tokutei.staff import demo as staff_demo
    from tokutei.staff.models import RoleAssignment, User

    profile = activate(name)
    admin = User.objects.create_user(username="admin", password="x" * 16)
    for key in profile.admin_roles():
        RoleAssignment.objects.create(user=admin, role_key=key, basis="bootstrap", start_date="2020-04-01")
    staff_demo.load()
    lines = demo.load()
    assert lines and not any("できませんでした" in line for line in lines), lines
    assert not Entry.objects.filter(action__startswith="audits.", result="refused").exists()
