"""The JSON API reports and acknowledges like the pages (out of scope = 404, refusals with the article), and
the register exports to Excel, logged."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.incidents.models import Incident

REPORT = {"category": "leak", "summary": "USB メモリの所在不明", "found_at": "2026-01-05T09:30:00+09:00",
          "found_by": "保管担当", "affected": {"media": [3]}}


def test_a_report_through_the_api_is_routed_and_acknowledged(activate, make_user, client):
    activate("kokubunji")
    operator, officer = make_user("sosasha", "operator"), make_user("sekinin", "sec_officer")
    client.force_login(operator)
    created = client.post("/api/v1/incidents/", REPORT, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["steps"][0]["recipients"] == ["sekinin"] and body["ppc"]["reportable"] is None
    assert body["ppc"]["final_due"] > body["ppc"]["preliminary_due"]
    client.force_login(officer)
    acked = client.post(f"/api/v1/incidents/{body['id']}/acknowledge", content_type="application/json").json()
    assert acked["steps"][0]["acknowledged_by"] == "sekinin"


def test_the_api_refuses_a_my_number_with_the_article(activate, make_user, client):
    activate("kokubunji")
    client.force_login(make_user("sosasha", "operator"))
    response = client.post("/api/v1/incidents/", REPORT | {"summary": "123456789018 の件"},
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "my_number_in_text"
    assert response.json()["article"].startswith("001 §9") and not Incident.objects.exists()


def test_someone_elses_incident_is_missing_through_the_api(activate, make_user, client):
    activate("kokubunji")
    client.force_login(make_user("sosasha", "operator"))
    pk = client.post("/api/v1/incidents/", REPORT, content_type="application/json").json()["id"]
    client.force_login(make_user("sosasha2", "operator"))
    assert client.get(f"/api/v1/incidents/{pk}").status_code == 404
    assert client.get("/api/v1/incidents/").json() == []


def test_the_register_exports_to_excel_and_the_export_is_logged(activate, make_user, report, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    client.force_login(officer)
    assert "/incidents/export.xlsx" in client.get("/incidents/").content.decode()
    response = client.get("/incidents/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for r in sheet.iter_rows(values_only=True) for c in r if c]
    assert str(incident.pk) in values and "漏えい・滅失・き損" in values and "未判断" in values
    assert Entry.objects.filter(action="incidents.export", actor_id=officer.pk, count=1).exists()


def test_a_reporter_cannot_export(activate, make_user, report, client):
    activate("kokubunji")
    operator = make_user("sosasha", "operator")
    report(operator)
    client.force_login(operator)
    assert client.get("/incidents/export.xlsx").status_code == 403


def test_a_measure_through_the_api_is_refused_to_the_wrong_role_with_its_article(activate, make_user, client):
    activate("kokubunji")
    operator, officer = make_user("sosasha", "operator"), make_user("sekinin", "sec_officer")
    client.force_login(operator)
    pk = client.post("/api/v1/incidents/", REPORT, content_type="application/json").json()["id"]
    body = {"kind": "external_support", "text": "J-LIS に技術的支援を要請し、保守業者と対応"}
    refused = client.post(f"/api/v1/incidents/{pk}/measures", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["article"] == "001 §9.1"
    client.force_login(officer)
    taken = client.post(f"/api/v1/incidents/{pk}/measures", body, content_type="application/json")
    assert taken.status_code == 201, taken.content
    measure = taken.json()["measures"][0]
    assert measure["kind"] == "external_support" and measure["recorded_by"] == "sekinin"
    assert "地方公共団体情報システム機構" in measure["label"]
