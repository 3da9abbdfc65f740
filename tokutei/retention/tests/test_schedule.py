"""Each shipped profile computes the dates its regulation gives (R-RET-1, R-RET-11, E-36).

A record may not be disposed of the day before its due date and may be on that day. The tables below are
the regulations' own: 004 §15 (10 years from the 翌事業年度 of 失権; 5 business days), 000 §11.1 (after the
next payment), 003 §14 and 002 §14 (保管期限 / when no longer needed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tokutei.profiles.loader import ProfileError, load_profile_file, parse_profile
from tokutei.profiles.schema import RECORD_CLASSES
from tokutei.retention.schedule import Hold, compute, rule_for

DATA = Path(__file__).resolve().parents[2] / "profiles" / "data"
SHIPPED = ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"]
D = dt.date


def profile(name: str):
    return load_profile_file(DATA / f"{name}.yaml")


def due_of(p, record_class: str, event: dt.date | None, **kw):
    key, rule = rule_for(p, record_class)
    return compute(p, key, rule, event=event, on=kw.pop("on", D(2026, 12, 3)), **kw)


# --- 004: 10 years counted from the business year after the one holding the 失権 date ------------------

@pytest.mark.parametrize(("lost", "due"), [
    (D(2020, 7, 15), D(2031, 4, 1)),   # 令和2年度 → 令和3年4月1日から10年
    (D(2021, 3, 31), D(2031, 4, 1)),   # the last day of 令和2年度 counts in 令和2年度
    (D(2021, 4, 1), D(2032, 4, 1)),    # the first day of 令和3年度
    (D(2024, 2, 29), D(2034, 4, 1)),   # 閏日
])
def test_004_keeps_records_ten_years_from_the_next_business_year(lost, due):
    s = due_of(profile("hyogo-kyosai"), "person", lost)
    assert s.due == due
    assert not s.disposable_on(due - dt.timedelta(days=1)) and s.disposable_on(due)


def test_004_business_year_start_month_comes_from_the_profile():
    p = profile("hyogo-kyosai")
    p = p.model_copy(update={"retention": p.retention.model_copy(update={"business_year_start_month": 1})})
    assert due_of(p, "person", D(2020, 7, 15)).due == D(2031, 1, 1)
    assert due_of(p, "person", D(2020, 12, 31)).due == D(2031, 1, 1)


def test_004_unlinked_images_go_after_five_business_days_skipping_the_year_end():
    p = profile("hyogo-kyosai")
    rule = p.retention_rules["linkage_unlinked_images"]
    # Fri 25 Dec → Mon 28 (1), 29 Dec–3 Jan closed, 4 (2), 5 (3), 6 (4), 7 Jan (5)
    assert compute(p, "linkage_unlinked_images", rule, event=D(2026, 12, 25)).due == D(2027, 1, 7)
    # over a national holiday: Fri 1 May 2026 → 3–6 May are holidays → 7 (1) 8 (2) 11 (3) 12 (4) 13 (5)
    assert compute(p, "linkage_unlinked_images", rule, event=D(2026, 5, 1)).due == D(2026, 5, 13)


def test_the_organisations_own_closed_days_are_not_business_days():
    p = profile("hyogo-kyosai")
    cal = p.retention.calendar.model_copy(update={"closed_days": [D(2027, 1, 5)]})
    p = p.model_copy(update={"retention": p.retention.model_copy(update={"calendar": cal})})
    rule = p.retention_rules["linkage_unlinked_images"]
    assert compute(p, "linkage_unlinked_images", rule, event=D(2026, 12, 25)).due == D(2027, 1, 8)


def test_004_without_a_loss_date_nothing_is_disposable():
    s = due_of(profile("hyogo-kyosai"), "person", None)
    assert s.due is None and s.status(D(2099, 1, 1)) == "undetermined" and not s.disposable_on(D(2099, 1, 1))


# --- 000: after the next payment date of the organisation's calendar ----------------------------------

PAYMENTS = [D(2026, 6, 15), D(2026, 8, 14), D(2026, 10, 15)]


@pytest.mark.parametrize(("acquired", "due"), [
    (D(2026, 6, 1), D(2026, 6, 16)),
    (D(2026, 6, 14), D(2026, 6, 16)),
    (D(2026, 6, 15), D(2026, 8, 15)),  # acquired on a payment day: the next payment is the following one
    (D(2026, 8, 20), D(2026, 10, 16)),
])
def test_000_erases_identity_data_after_the_next_payment(acquired, due):
    p = profile("sendai-kyosai")
    for record_class in ("person", "medium"):
        s = due_of(p, record_class, acquired, payments=PAYMENTS)
        assert s.due == due
        assert not s.disposable_on(due - dt.timedelta(days=1)) and s.disposable_on(due)


def test_000_without_a_later_payment_date_the_date_is_not_determined():
    s = due_of(profile("sendai-kyosai"), "person", D(2026, 11, 1), payments=PAYMENTS)
    assert s.due is None and "給付日" in s.undetermined


def test_000_without_delay_means_overdue_after_the_profiles_business_days():
    s = due_of(profile("sendai-kyosai"), "person", D(2026, 6, 1), payments=PAYMENTS)
    # due Tue 16 June; five business days: 17, 18, 19, 22, 23 → overdue from the 24th
    assert s.status(D(2026, 6, 15)) == "not_due"
    assert s.status(D(2026, 6, 23)) == "due"
    assert s.status(D(2026, 6, 24)) == "overdue"


# --- 003: 保管期限 (organisation-decided 7 years from the next 年度) -------------------------------------

def test_003_keeps_documents_and_data_for_the_organisations_period():
    p = profile("inabe")
    assert due_of(p, "person", D(2026, 3, 31)).due == D(2033, 4, 1)
    assert due_of(p, "document", D(2026, 4, 1)).due == D(2034, 4, 1)
    assert rule_for(p, "person")[1].confirmed_by == ["pm"]  # 003 §14: the 保護管理者 confirms


# --- 002 / 001: when no longer needed, with a review date ----------------------------------------------

@pytest.mark.parametrize("name", ["sayama", "kokubunji"])
def test_data_kept_until_recorded_as_no_longer_needed(name):
    p = profile(name)
    s = due_of(p, "person", D(2025, 5, 1), on=D(2026, 12, 3))
    assert s.due is None and s.review_on == D(2027, 5, 1)
    decided = due_of(p, "person", D(2025, 5, 1), no_longer_needed=D(2026, 11, 30))
    assert decided.due == D(2026, 11, 30) and decided.disposable_on(D(2026, 11, 30))
    assert not decided.disposable_on(D(2026, 11, 29))


# --- legal holds stop the clock --------------------------------------------------------------------------

def test_a_legal_hold_stops_the_clock_and_its_days_are_added():
    p = profile("hyogo-kyosai")
    active = due_of(p, "person", D(2020, 7, 15), holds=[Hold(D(2030, 1, 1), None)], on=D(2032, 1, 1))
    assert active.held and not active.disposable_on(D(2032, 1, 1)) and active.status(D(2032, 1, 1)) == "held"
    released = due_of(p, "person", D(2020, 7, 15), holds=[Hold(D(2030, 1, 1), D(2030, 1, 31))], on=D(2032, 1, 1))
    assert released.due == D(2031, 5, 1)  # 30 days later


# --- every class of every profile has a rule; a missing one is a profile error ---------------------------

@pytest.mark.parametrize("name", SHIPPED)
def test_every_record_class_has_a_rule_in_every_shipped_profile(name):
    p = profile(name)
    for record_class in RECORD_CLASSES:
        key, rule = rule_for(p, record_class)
        assert rule.article and key


def test_a_record_class_without_a_rule_is_a_profile_error():
    data = yaml.safe_load((DATA / "inabe.yaml").read_text(encoding="utf-8"))
    del data["retention"]["classes"]["medium"]
    with pytest.raises(ProfileError) as exc:
        parse_profile(yaml.safe_dump(data, allow_unicode=True), source="inabe-broken")
    assert any(path == "retention.classes.medium" and "記録媒体" in msg for path, msg in exc.value.errors)


def test_a_rule_counted_from_a_date_the_class_does_not_have_is_a_profile_error():
    data = yaml.safe_load((DATA / "hyogo-kyosai.yaml").read_text(encoding="utf-8"))
    data["retention"]["classes"]["approval"] = "claim_documents"  # 失権日 — approvals have none
    with pytest.raises(ProfileError) as exc:
        parse_profile(yaml.safe_dump(data, allow_unicode=True), source="hyogo-broken")
    assert any(path == "retention.classes.approval" for path, _msg in exc.value.errors)


# --- property: never one day early, always on the due day ---------------------------------------------

FIXED = [(name, key) for name in SHIPPED for key, r in profile(name).retention_rules.items()
         if r.trigger == "fixed_period"]


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(FIXED), event=st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)))
def test_no_fixed_period_rule_allows_disposal_a_day_early(case, event):
    name, key = case
    p = profile(name)
    s = compute(p, key, p.retention_rules[key], event=event, on=event)
    assert s.due is not None and s.due >= event
    assert not s.disposable_on(s.due - dt.timedelta(days=1)) and s.disposable_on(s.due)


def test_explain_steps_say_how_the_date_was_counted_in_japanese():
    s = due_of(profile("hyogo-kyosai"), "person", D(2020, 7, 15))
    text = "\n".join(step.ja for step in s.steps)
    assert "失権の日" in text and "翌事業年度の初日" in text and "令和13年4月1日" in text
