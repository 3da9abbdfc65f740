"""本人開示: the report for one person lists exactly the operations the log holds for that person's record
(used, searched, exported) and nothing about anyone else; it needs the profile's approval and is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.pia import disclosure
from tokutei.pia.models import DisclosureReport
from tokutei.policy import Actor


def _number(seed: int) -> str:
    from stdnum.jp import in_

    base = f"{seed:011d}"
    return base + in_.calc_check_digit(base)


A, B = _number(1001), _number(2002)
TODAY = timezone.localdate()
WEEK = (TODAY - dt.timedelta(days=7), TODAY)


@pytest.fixture
def two_people(pension_file, at_desk):
    from tokutei.vault.services import intake_person

    a = intake_person(actor=at_desk, file=pension_file, values={"my_number": A, "name": "山田 花子"}).person
    b = intake_person(actor=at_desk, file=pension_file, values={"my_number": B, "name": "佐藤 次郎"}).person
    return a, b


@pytest.fixture
def approved(clerk, manager, terminal):
    """approved() → the id of an approval of a disclosure, given by the 保護管理者."""
    from tokutei.approvals import services as approvals

    def _make() -> int:
        req = approvals.create_request(actor=Actor(user=clerk, terminal=terminal), operation="disclosure",
                                       particulars={"purpose": "pension"})
        approvals.decide(actor=Actor(user=manager, terminal=terminal), request_id=req.pk, approve=True)
        return req.pk

    return _make


@pytest.fixture
def handled(two_people, at_desk):
    """A's record viewed, found by search and exported to the 年金機構; B's record viewed only."""
    from tokutei.registers.services.exports import export_people
    from tokutei.vault.services import get_person, search_people, view_person

    a, b = two_people
    view_person(actor=at_desk, person=get_person(actor=at_desk, pk=a.pk))
    search_people(actor=at_desk, by="my_number", value=A)
    export_people(actor=at_desk, recipient="日本年金機構", person_ids=[a.pk])
    view_person(actor=at_desk, person=get_person(actor=at_desk, pk=b.pk))
    return a, b


def _ops(report) -> list[tuple[str, str]]:
    return [(r.operation, r.recipient) for r in report.rows]


def test_the_report_lists_exactly_the_operations_on_that_persons_record(handled, at_desk, approved):
    a, _b = handled
    report = disclosure.issue(actor=at_desk, my_number=A, period_from=WEEK[0], period_to=WEEK[1],
                              approval_id=approved())
    assert _ops(report) == [("個人番号の取得・入力", ""), ("閲覧", ""), ("検索", ""), ("出力", "日本年金機構")]
    about_a = {e.seq for e in Entry.objects.filter(target_type="person", target_id=str(a.pk), result="ok")
               .exclude(action="pia.disclosure")}  # the report's own entry is written after it
    about_a |= {e.seq for e in Entry.objects.filter(action__in=["vault.search", "vault.export"])
                if a.pk in (e.details or {}).get("person_ids", [])}
    assert set(report.report.entry_seqs) == about_a
    assert report.files == ["年金受給者ファイル"]


def test_the_other_persons_report_holds_nothing_about_the_first(handled, at_desk, approved):
    a, _b = handled
    report = disclosure.issue(actor=at_desk, my_number=B, period_from=WEEK[0], period_to=WEEK[1],
                              approval_id=approved())
    assert _ops(report) == [("個人番号の取得・入力", ""), ("閲覧", "")]
    seqs_about_a = {e.seq for e in Entry.objects.filter(target_type="person", target_id=str(a.pk))}
    assert not seqs_about_a & set(report.report.entry_seqs)
    assert "日本年金機構" not in str([r.as_dict() for r in report.rows])


def test_staff_appear_as_the_profile_says(handled, at_desk, approved, clerk, unit, monkeypatch):
    from tokutei.staff.models import Post, PostHolding

    report = disclosure.issue(actor=at_desk, my_number=A, period_from=WEEK[0], period_to=WEEK[1],
                              approval_id=approved())
    assert {r.staff for r in report.rows} == {"年金課 担当者"}  # post: no post held, so the unit
    post = Post.objects.create(key="nenkin_kakari", name_ja="年金係員", unit=unit)
    PostHolding.objects.create(post=post, user=clerk, start_date=TODAY - dt.timedelta(days=30))
    report = disclosure.issue(actor=at_desk, my_number=A, period_from=WEEK[0], period_to=WEEK[1],
                              approval_id=approved())
    assert {r.staff for r in report.rows} == {"年金係員"}
    assert "clerk" not in str([r.as_dict() for r in report.rows])


def test_it_is_refused_without_the_approval_the_profile_requires(handled, at_desk):
    with pytest.raises(Refused):
        disclosure.issue(actor=at_desk, my_number=A, period_from=WEEK[0], period_to=WEEK[1])
    assert not DisclosureReport.objects.exists()
    assert Entry.objects.filter(action="pia.disclosure", result="refused").exists()


def test_it_is_refused_for_a_task_that_does_not_cover_the_file(handled, clerk, terminal, approved):
    with pytest.raises(Refused):
        disclosure.issue(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), my_number=A,
                         period_from=WEEK[0], period_to=WEEK[1], approval_id=approved())


def test_issuing_it_is_logged_without_the_number_and_shows_on_the_next_report(handled, at_desk, approved):
    a, _b = handled
    first = disclosure.issue(actor=at_desk, my_number=A, period_from=WEEK[0], period_to=WEEK[1],
                             approval_id=approved())
    entry = Entry.objects.get(action="pia.disclosure", result="ok")
    assert entry.target_id == str(a.pk) and entry.details["report"] == first.report.pk
    assert A not in str(Entry.objects.filter(action="pia.disclosure").values_list("details", "target_id", "reason"))
    second = disclosure.issue(actor=at_desk, my_number=A, period_from=WEEK[0], period_to=WEEK[1],
                              approval_id=approved())
    assert _ops(second)[-1] == ("本人への提供・利用状況の開示", "")


def test_the_page_prints_the_report_in_japanese(handled, clerk, approved, client, make_terminal, settings):
    from tokutei.policy.actor import PURPOSE_SESSION_KEY

    _terminal, credential = make_terminal("窓口端末2")
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    client.force_login(clerk)
    session = client.session
    session[PURPOSE_SESSION_KEY] = "pension"
    session.save()
    assert client.get("/pia/disclosure/").status_code == 200
    page = client.post("/pia/disclosure/", {"my_number": A, "period_from": WEEK[0].isoformat(),
                                            "period_to": WEEK[1].isoformat(), "approval_id": approved()})
    text = page.content.decode()
    assert page.status_code == 200
    assert "特定個人情報の提供・利用状況のお知らせ" in text and "日本年金機構" in text and "年金課 担当者" in text
    assert A not in text


def test_the_api_issues_the_report(handled, at_desk, approved, monkeypatch, client, clerk):
    import tokutei.pia.api as api

    monkeypatch.setattr(api, "api_actor", lambda request, action: at_desk)
    client.force_login(clerk)
    data = client.post("/api/v1/pia/disclosures", {"my_number": A, "period_from": WEEK[0].isoformat(),
                                                   "period_to": WEEK[1].isoformat(), "approval_id": approved()},
                       content_type="application/json").json()
    assert [r["operation"] for r in data["rows"]] == ["個人番号の取得・入力", "閲覧", "検索", "出力"]
    assert A not in str(data)


@pytest.mark.parametrize(("how", "shown"), [("name", "clerk 太郎"), ("role", "担当者"), ("post", "年金課 担当者")])
def test_each_way_of_naming_staff(handled, clerk, how, shown):
    entry = Entry.objects.filter(action="vault.view", actor_id=clerk.pk).order_by("seq")[0]
    assert disclosure.staff_label(entry, how, {clerk.pk: clerk}) == shown


def test_an_automatic_operation_is_named_as_the_system(handled):
    entry = Entry.objects.filter(action="vault.view").order_by("seq")[0]
    entry.actor_id = None
    assert disclosure.staff_label(entry, "name", {}) == "システム（自動処理）"
