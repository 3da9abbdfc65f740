"""Checklists generated from the regulation (R-AUD-1, R-AUD-2): for each shipped profile the inspection and
audit checklists list that regulation's obligations with their articles; an inspection is carried out, its
report reaches the recipients the regulation names, and its findings are followed to closure."""

from __future__ import annotations

import datetime as dt

import pytest

from tokutei.auditlog.models import Entry
from tokutei.audits import evidence, services
from tokutei.audits.maps import regulation_map
from tokutei.audits.models import Engagement, Finding
from tokutei.core.errors import Refused
from tokutei.profiles.citations import cite

from .conftest import today, web

PROFILES = ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"]
# who audits, and who receives the audit report, as the regulations say (requirements R-AUD-1)
AUDIT = {
    "sendai-kyosai": ("security_audit", "chief", ["chief"], "住基ネットセキュリティ会議"),
    "kokubunji": ("compliance_check", "general_head", ["general_head"], "セキュリティ委員会"),
    "sayama": ("audit", "auditor", ["general_pm", "ciso"], ""),
    "inabe": ("audit", "auditor", ["general_head"], ""),
    "hyogo-kyosai": ("audit", "audit_officer", ["protection_officer"], ""),
}


@pytest.mark.parametrize("name", PROFILES)
def test_the_checklists_list_every_obligation_of_the_regulation_with_its_article(shipped, name):
    profile = shipped(name)
    reg = regulation_map(profile.organisation.code)
    assert reg is not None
    inspection = evidence.checklist(profile, "inspection", today(), today())
    audit = evidence.checklist(profile, "audit", today(), today())
    by_id = {r.id: r for r in inspection}
    for item in reg.items():  # every [CHK]/[REC] obligation and every rule not enforced, with its article
        assert by_id[item.id].article == item.article and by_id[item.id].ja == item.ja
        assert cite(item.article, profile).startswith(profile.organisation.short_ja)
    live = [r for r in audit if r.kind == "LIVE"]
    assert live and not [r for r in inspection if r.kind == "LIVE"]  # the audit also checks the enforced rules
    enforced = {(a.article, rule) for a in reg.articles for rule in a.enforced}
    assert {(r.article, r.id.rsplit("-", 2)[-2] + "-" + r.id.rsplit("-", 1)[-1]) for r in live} == enforced
    assert {r.id for r in inspection} <= {r.id for r in audit}


def test_002_an_inspection_is_carried_out_reported_to_the_general_manager_and_the_ciso(shipped, person, client):
    shipped("sayama")
    pm = person("kacho", "pm", unit="shimin")
    general_pm, ciso = person("bucho", "general_pm"), person("ciso", "ciso")
    inspection = services.open_engagement(actor=web(pm), kind="inspection", schedule_key="inspection",
                                          title="令和8年度 定期点検", period_from=today() - dt.timedelta(days=90),
                                          period_to=today())
    rows = evidence.checklist(shipped("sayama"), "inspection", inspection.period_from, inspection.period_to)
    with pytest.raises(Refused, match="未回答の項目"):
        services.report(actor=web(pm), engagement_id=inspection.pk, summary="概ね適正")
    for row in rows:
        result = "finding" if row.kind == "CHK" and "施錠" in row.ja else "compliant"
        services.answer(actor=web(pm), engagement_id=inspection.pk, item_id=row.id, result=result,
                        evidence_text="現地で確認")
    services.report(actor=web(pm), engagement_id=inspection.pk, summary="施錠の不備1件")
    inspection.refresh_from_db()
    assert inspection.status == Engagement.Status.REPORTED and inspection.recipients == ["general_pm", "ciso"]
    client.force_login(ciso)
    page = client.get("/").content.decode()
    assert "令和8年度 定期点検" in page  # the report is on the recipient's dashboard
    services.receive(actor=web(ciso), engagement_id=inspection.pk, comment="確認した")
    with pytest.raises(Refused):  # someone who is not a recipient cannot receive it
        services.receive(actor=web(person("other", "staff", unit="shimin")), engagement_id=inspection.pk)
    actions = list(Entry.objects.filter(target_type="engagement", result="ok").values_list("action", flat=True))
    assert actions[0] == "audits.engagement" and actions[-2:] == ["audits.report", "audits.receive"]
    assert general_pm.pk  # the 総括保護管理者 is a recipient too (above)


@pytest.mark.parametrize("name", PROFILES)
def test_the_audit_report_reaches_the_recipient_the_regulation_names(shipped, person, name):
    profile = shipped(name)
    key, auditor_role, recipients, body = AUDIT[name]
    auditor = person("kansa", auditor_role)
    audit = services.open_engagement(actor=web(auditor), kind="audit", schedule_key=key, title="定期監査",
                                     period_from=today() - dt.timedelta(days=365), period_to=today())
    for row in evidence.checklist(profile, "audit", audit.period_from, audit.period_to):
        services.answer(actor=web(auditor), engagement_id=audit.pk, item_id=row.id, result="compliant")
    services.report(actor=web(auditor), engagement_id=audit.pk, summary="適正")
    audit.refresh_from_db()
    assert audit.recipients == recipients
    assert body in audit.to_body


def test_only_the_roles_the_profile_names_open_an_audit(shipped, person):
    shipped("inabe")
    handler = person("tanto", "handler", unit="shokuin")
    with pytest.raises(Refused):
        services.open_engagement(actor=web(handler), kind="audit", title="監査", period_from=today(),
                                 period_to=today())
    handling_mgr = person("shumu", "handling_mgr", unit="shokuin")
    with pytest.raises(Refused, match="この種類の監査・点検を行えるのは"):  # an inspector does not audit
        services.open_engagement(actor=web(handling_mgr), kind="audit", title="監査", period_from=today(),
                                 period_to=today())
    services.open_engagement(actor=web(handling_mgr), kind="inspection", title="点検", period_from=today(),
                             period_to=today())


def test_a_reported_engagement_is_not_changed(shipped, person):
    profile = shipped("hyogo-kyosai")
    officer = person("sekinin", "protection_officer", unit="nenkin")
    insp = services.open_engagement(actor=web(officer), kind="inspection", title="別紙1の点検", period_from=today(),
                                    period_to=today())
    rows = evidence.checklist(profile, "inspection", today(), today())
    for row in rows:
        services.answer(actor=web(officer), engagement_id=insp.pk, item_id=row.id, result="na")
    services.report(actor=web(officer), engagement_id=insp.pk, summary="")
    with pytest.raises(Refused, match="報告済み"):
        services.answer(actor=web(officer), engagement_id=insp.pk, item_id=rows[0].id, result="finding")


def test_a_finding_is_followed_to_closure_and_an_overdue_one_escalates(shipped, person):
    from tokutei.policy import Actor

    shipped("sayama")
    pm = person("kacho", "pm", unit="shimin")
    owner = person("tanto", "staff", unit="shimin", tasks=[])
    insp = services.open_engagement(actor=web(pm), kind="inspection", title="点検", period_from=today(),
                                    period_to=today())
    finding = services.raise_finding(actor=web(pm), source="inspection", engagement_id=insp.pk,
                                     title="キャビネットが施錠されていない", severity="high", owner=owner)
    assert finding.due_on == today() + dt.timedelta(days=14)  # the profile's default for 重大
    services.record_corrective(actor=web(owner), finding_id=finding.pk, corrective_action="施錠を徹底し鍵を管理",
                               root_cause="鍵の管理者が決まっていなかった")
    with pytest.raises(Refused):  # the owner does not re-check their own action
        services.recheck(actor=web(owner), finding_id=finding.pk, effective=True, note="")
    own = services.raise_finding(actor=web(pm), source="inspection", engagement_id=insp.pk, title="台帳の記載漏れ",
                                 severity="low", owner=pm)
    services.record_corrective(actor=web(pm), finding_id=own.pk, corrective_action="記載した")
    with pytest.raises(Refused, match="自分の是正措置"):  # not even a manager
        services.recheck(actor=web(pm), finding_id=own.pk, effective=True, note="")
    services.recheck(actor=web(pm), finding_id=finding.pk, effective=False, note="一部未施錠",
                     new_due_on=today() - dt.timedelta(days=1))
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN and finding.is_overdue
    with pytest.raises(Refused):  # escalation is the scheduler's
        services.escalate_overdue(actor=web(pm))
    assert services.escalate_overdue(actor=Actor.system()) == 1
    finding.refresh_from_db()
    assert finding.escalated_to == ["general_pm"]
    assert services.escalate_overdue(actor=Actor.system()) == 0  # once
    services.record_corrective(actor=web(owner), finding_id=finding.pk, corrective_action="鍵箱を設置")
    services.recheck(actor=web(pm), finding_id=finding.pk, effective=True, note="全て施錠を確認")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.closed_at is not None


def test_a_finding_comes_from_an_incident_or_the_log_analysis(shipped, person):
    from django.utils import timezone

    from tokutei.auditlog.models import LogReview
    from tokutei.incidents import services as incidents

    shipped("inabe")
    pm = person("kacho", "pm", unit="shokuin")
    auditor = person("kansa", "auditor")
    incident = incidents.report_incident(actor=web(pm), category="leak", summary="誤送付", found_at=timezone.now(),
                                         found_by="窓口")
    f1 = services.raise_finding(actor=web(auditor), source="incident", incident_id=incident.pk, title="封入確認の不徹底",
                                severity="medium", owner=pm)
    review = LogReview.objects.create(reviewer=auditor, period_from=today(), period_to=today(), findings="夜間の閲覧",
                                      issues_found=True, signed_at=timezone.now())
    f2 = services.raise_finding(actor=web(auditor), source="log_analysis", log_review_id=review.pk,
                                title="夜間の閲覧の理由が不明", severity="low", owner=pm)
    assert f1.article == incident.article and f2.article == "003 §16(5)"
    with pytest.raises(Refused):
        services.raise_finding(actor=web(auditor), source="incident", incident_id=99999, title="x", severity="low",
                               owner=pm)


def test_no_my_number_in_an_answer(shipped, person):
    profile = shipped("inabe")
    mgr = person("shumu", "handling_mgr", unit="shokuin")
    insp = services.open_engagement(actor=web(mgr), kind="inspection", title="点検", period_from=today(),
                                    period_to=today())
    row = evidence.checklist(profile, "inspection", today(), today())[0]
    with pytest.raises(Refused, match="個人番号"):
        services.answer(actor=web(mgr), engagement_id=insp.pk, item_id=row.id, result="finding",
                        evidence_text="番号 123456789018 の書類")


@pytest.mark.parametrize(("name", "key", "article", "count"),
                         [("kokubunji", "hazards", "001 §8", 8), ("inabe", "network", "003 §16", 5)])
def test_the_checklists_hold_each_measure_the_profile_lists(shipped, name, key, article, count):
    profile = shipped(name)
    for kind in ("inspection", "audit"):
        rows = [r for r in evidence.checklist(profile, kind, today(), today()) if r.id.startswith(f"safeguard-{key}-")]
        assert [r.ja for r in rows] == profile.safeguards[key].items and len(rows) == count
        assert {r.article for r in rows} == {article} and {r.kind for r in rows} == {"CHK"}
