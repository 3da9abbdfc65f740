"""The incident pages as the people on the route use them: the detail with the route, the PPC assessment
and its print, absences — in Japanese and in English."""

from __future__ import annotations

from django.utils import timezone

from tokutei.incidents import services
from tokutei.incidents.models import Absence, PpcAssessment

from .conftest import web


def test_the_security_officer_records_the_assessment_and_the_submission_from_the_page(activate, make_user,
                                                                                     report, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    client.force_login(officer)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "報告を受領する" in page and "報告の判断を記録する" in page and "未判断" in page
    client.post(f"/incidents/{incident.pk}/ppc/", {
        "learned_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "categories": ["system_leak", "improper_purpose"], "affected_people": "3", "item_publication": "検討中"})
    ppc = PpcAssessment.objects.get(incident=incident)
    assert ppc.categories == ["system_leak", "improper_purpose"] and ppc.affected_people == 3
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "報告対象" in page and "知った日から 60 日" in page
    client.post(f"/incidents/{incident.pk}/ppc/submission/", {"kind": "preliminary",
                                                               "on": timezone.localdate().isoformat()})
    assert PpcAssessment.objects.get(incident=incident).preliminary_reported_on == timezone.localdate()


def test_the_reporter_sees_the_route_but_not_the_assessment_forms(activate, make_user, report, client):
    activate("kokubunji")
    make_user("sekinin", "sec_officer")
    operator = make_user("sosasha", "operator")
    incident = report(operator)
    client.force_login(operator)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "住基ネット情報セキュリティ責任者" in page and "受領待ち" in page
    assert "報告の判断を記録する" not in page and "報告を受領する" not in page
    assert client.get(f"/incidents/{incident.pk}/ppc/print/").status_code == 403


def test_a_person_records_their_own_absence_on_the_page_and_sees_only_their_own(activate, make_user, client):
    activate("inabe")
    me, other = make_user("tanto", "handler"), make_user("tanto2", "handler")
    today = timezone.localdate().isoformat()
    services.record_absence(actor=web(other), user_id=other.pk, start_date=timezone.localdate(),
                            end_date=timezone.localdate())
    client.force_login(me)
    client.post("/incidents/absences/", {"username": "tanto", "start_date": today, "end_date": today, "reason": "休暇"})
    assert Absence.objects.filter(user=me).count() == 1
    page = client.get("/incidents/absences/").content.decode()
    assert "tanto）" in page and "tanto2" not in page


def test_the_incident_pages_are_english_after_choosing_english(activate, make_user, report, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    incident = report(make_user("sosasha", "operator"))
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Reporting route" in page and "Acknowledge the report" in page and "Leak, loss or damage" in page
    assert "報告経路" not in page
