"""The auditor's evidence, article by article (R-AUD-6): every article of the regulation, each with a status
that matches what the system does — an enforced rule counts its refusals, records count in their period,
a claimed control whose tests are missing is not reported as enforced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tokutei.auditlog.services import record
from tokutei.audits import evidence, maps
from tokutei.core.errors import Refused
from tokutei.staff import services as staff
from tokutei.staff.models import Post

from .conftest import today, web

PROFILES = ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"]


@pytest.mark.parametrize("name", PROFILES)
def test_the_report_covers_every_article_of_the_regulation_with_a_status(shipped, name):
    profile = shipped(name)
    rows = evidence.article_rows(profile, today() - dt.timedelta(days=30), today())
    reg = maps.regulation_map(profile.organisation.code)
    assert reg is not None
    assert [r.map.key for r in rows] == [a.key for a in reg.articles]
    assert all(r.status in evidence.STATUS_LABELS for r in rows)
    assert any(r.status == "enforced" for r in rows) and any(r.status == "checklist" for r in rows)


def test_003_the_handover_article_is_enforced_and_counts_its_refusals(shipped, person):
    profile = shipped("inabe")
    admin = person("kanri", "system_admin")
    post = Post.objects.get(key="shokuin_shumusha")
    staff.assign_post(actor=web(admin), user=person("maeda", unit="shokuin"), post=post, start_date=today())
    with pytest.raises(Refused):
        staff.assign_post(actor=web(admin), user=person("ushiro", unit="shokuin"), post=post, start_date=today())
    row = next(r for r in evidence.article_rows(profile, today(), today()) if r.map.key == "§5")
    assert row.status == "enforced"
    assert [(r.control.rule, r.refusals) for r in row.rules] == [("E-38", 1)]


def test_records_of_the_period_evidence_an_article_and_their_absence_shows(shipped, person):
    profile = shipped("sendai-kyosai")
    chief = person("tokatsu", "chief")

    def row():
        return next(r for r in evidence.article_rows(profile, today(), today()) if r.map.key == "§3")

    assert row().status == "no_records"  # 000 §3 統括責任者: evidenced by designations, none today
    with transaction.atomic():
        record(action="staff.designate", actor=chief, target_type="user", target_id=chief.pk)
    assert row().status == "records" and sum(r.count for r in row().records) == 1
    yesterday = today() - dt.timedelta(days=1)
    assert next(r for r in evidence.article_rows(profile, yesterday, yesterday) if r.map.key == "§3").status \
        == "no_records"


def test_a_control_whose_tests_are_missing_is_not_reported_as_enforced(shipped, monkeypatch):
    profile = shipped("inabe")
    real = maps.controls()
    broken = {k: (maps.Control(v.rule, v.ja, v.status, v.actions, ("tokutei/no/such_test.py",))
                  if k == "E-38" else v) for k, v in real.items()}
    monkeypatch.setattr(evidence, "controls", lambda: broken)
    row = next(r for r in evidence.article_rows(profile, today(), today()) if r.map.key == "§5")
    assert row.status != "enforced" and row.untested == ["E-38"]


def test_a_checklist_article_shows_the_latest_answer(shipped, person):
    from tokutei.audits import services

    profile = shipped("hyogo-kyosai")
    officer = person("sekinin", "protection_officer", unit="nenkin")
    insp = services.open_engagement(actor=web(officer), kind="inspection", title="点検", period_from=today(),
                                    period_to=today())
    art = next(r for r in evidence.article_rows(profile, today(), today()) if r.status == "checklist")
    services.answer(actor=web(officer), engagement_id=insp.pk, item_id=art.items[0].item.id, result="finding")
    again = next(r for r in evidence.article_rows(profile, today(), today()) if r.map.key == art.map.key)
    assert again.items[0].result == "finding"
