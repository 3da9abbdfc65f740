"""Assessments from live data: crossing a band by an intake (import), by designations and by an incident
moves the file's level, keeps the history and shows on the protection manager's dashboard with the reason."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.ledgers import files as register
from tokutei.pia import selectors, services
from tokutei.pia.models import Assessment
from tokutei.policy import Actor


def _latest(file) -> Assessment:
    latest = selectors.latest_for(file.pk)
    assert latest is not None
    return latest


def _number(seed: int) -> str:
    from stdnum.jp import in_

    base = f"{seed:011d}"
    return base + in_.calc_check_digit(base)


def test_it_counts_people_by_distinct_person_and_leaves_deleted_ones_out(pension_file, fill):
    from tokutei.vault.models import Person

    fill(pension_file, 30)
    first = Person.objects.filter(file=pension_file).order_by("pk").values_list("pk", flat=True)[0]
    Person.objects.filter(pk=first).update(deleted_at=timezone.now())
    assert selectors.people_count(pension_file.pk) == 29


def test_an_intake_that_crosses_1000_people_requires_a_basic_assessment_on_the_dashboard(
        pension_file, fill, at_desk, manager, client, terminal, django_capture_on_commit_callbacks):
    from tokutei.vault.services import intake_person

    fill(pension_file, 999)
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
    assert _latest(pension_file).level == "none"
    with django_capture_on_commit_callbacks(execute=True):
        intake_person(actor=at_desk, file=pension_file, values={"my_number": _number(77), "name": "山田 太郎"})
    latest = _latest(pension_file)
    assert (latest.level, latest.previous_level, latest.raised, latest.trigger) == ("basic", "none", True, "intake")
    assert latest.people == 1000
    assert Entry.objects.filter(action="pia.assess", target_id=str(pension_file.pk)).count() == 2
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "上位の評価が必要になったファイル" in page and "年金受給者ファイル" in page
    assert "基礎項目評価" in page and "対象人数が1,000人以上1万人未満" in page
    assert "特定個人情報保護評価に関する規則" in page


def test_designating_the_500th_handler_moves_a_10000_person_file_to_the_focused_level(
        pension_file, fill, handlers, manager, org, django_capture_on_commit_callbacks):
    from tokutei.staff.services import designate

    fill(pension_file, 10_000)
    handlers(498, dispatched=20)  # + the clerk = 499
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
    assert _latest(pension_file).level == "basic"
    newcomer = handlers(1, start=900)[0]
    newcomer.assignments.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        designate(actor=Actor.console(manager), user=newcomer, role_key="clerk", tasks=["pension"],
                  unit=pension_file.unit)
    latest = _latest(pension_file)
    assert (latest.level, latest.trigger, latest.handlers) == ("focused", "designation", 500)
    kinds = {g["kind"]: g["count"] for g in latest.handler_breakdown}
    assert kinds == {"staff": 480, "dispatched": 20}
    assert any("取扱者数が500人以上" in r["text"] for r in latest.reasons)


def test_a_serious_incident_in_the_last_year_raises_a_10000_person_file(pension_file, fill, manager):
    from tokutei.incidents.models import Incident, PpcAssessment

    fill(pension_file, 10_000)
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
    old = Incident.objects.create(category="leak", summary="以前の漏えい", found_at=timezone.now(), found_by="x",
                                  reported_by=manager)
    PpcAssessment.objects.create(incident=old, learned_at=timezone.now() - dt.timedelta(days=400),
                                 categories=["system_leak"], updated_by=manager)
    assert selectors.compute(register.describe(pension_file)).result.level == "basic"  # too old
    recent = Incident.objects.create(category="leak", summary="漏えい", found_at=timezone.now(), found_by="x",
                                     reported_by=manager)
    PpcAssessment.objects.create(incident=recent, learned_at=timezone.now() - dt.timedelta(days=3),
                                 categories=["system_leak"], updated_by=manager)
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.INCIDENT)
    latest = _latest(pension_file)
    assert (latest.level, latest.serious_incidents, latest.raised) == ("focused", [recent.pk], True)


def test_history_keeps_every_recorded_judgement(pension_file, fill):
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
    fill(pension_file, 1_000)
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
    assert [a.level for a in selectors.history(pension_file.pk)] == ["basic", "none"]
    assert services.assess_file(actor=Actor.system(), file_id=pension_file.pk, trigger="intake") is None  # unchanged


def test_a_unit_manager_sees_only_the_files_of_their_unit(org, pension_file, make_user, client):
    from tokutei.staff.models import Unit

    other = Unit.objects.create(key="zeimu", name_ja="税務課")
    outsider = make_user("manager2", "manager", unit=other)
    client.force_login(outsider)
    assert client.get(f"/pia/files/{pension_file.pk}/").status_code == 404
    assert client.get("/pia/").status_code == 200


def test_the_draft_is_prefilled_from_the_file_register(pension_file, fill, manager, client):
    fill(pension_file, 1_200)
    client.force_login(manager)
    page = client.get(f"/pia/files/{pension_file.pk}/draft/").content.decode()
    assert "年金給付事務" in page and "年金受給者ファイル" in page and "1,000人以上1万人未満" in page
    assert "個人番号、氏名" in page
    xlsx = client.get(f"/pia/files/{pension_file.pk}/draft.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert Entry.objects.filter(action="pia.draft").count() == 2


def test_the_api_gives_the_level_with_reasons_and_history(pension_file, fill, manager, client):
    fill(pension_file, 1_000)
    services.assess_all(actor=Actor.system(), trigger=Assessment.Trigger.SCHEDULED)
    client.force_login(manager)
    data = client.get(f"/api/v1/pia/files/{pension_file.pk}").json()
    assert data["level"] == "basic" and data["people"] == 1000 and data["history"][0]["level"] == "basic"
    assert all(r["source"] for r in data["reasons"])
    assert client.get("/api/v1/pia/files").json()[0]["file_id"] == pension_file.pk


def test_the_rules_page_cites_the_source_of_every_band_and_exemption(manager, client):
    from tokutei.pia import rules_file

    client.force_login(manager)
    page = client.get("/pia/rules/").content.decode()
    rules = rules_file.load()
    for entry in rules.entries():
        assert entry["ja"] in page and rules.cite(entry["cite"]) in page
    assert "本文で未確認" in page and "一部のみ確認" in page


def test_the_scheduled_command_records_every_file(pension_file, fill):
    from io import StringIO

    from django.core.management import call_command

    fill(pension_file, 1_000)
    out = StringIO()
    call_command("pia", "assess", stdout=out)
    assert "年金受給者ファイル: basic" in out.getvalue()
    assert _latest(pension_file).trigger == "scheduled"


def test_a_clerk_may_not_read_the_assessments(clerk, client):
    client.force_login(clerk)
    assert client.get("/pia/").status_code == 403


def test_per_task_the_people_of_all_its_files_count_once(pension_file, fill, at_desk, manager, client):
    from tokutei.vault.models import SpecificFile
    from tokutei.vault.services import create_file

    second = create_file(actor=at_desk, name="年金（過年度）ファイル", tasks=["pension"])
    SpecificFile.objects.filter(pk=second.pk).update(unit=pension_file.unit)
    second.refresh_from_db()
    fill(pension_file, 600)
    fill(second, 600, start=300)  # 300 of them are in both files
    rows = {t.task: t for t in selectors.by_task(Actor(user=manager))}
    assert (rows["pension"].people, rows["pension"].result.level) == (900, "none")
    fill(second, 200, start=5_000)
    rows = {t.task: t for t in selectors.by_task(Actor(user=manager))}
    assert (rows["pension"].people, rows["pension"].result.level) == (1100, "basic")
    client.force_login(manager)
    assert "事務ごとの判断" in client.get("/pia/").content.decode()
