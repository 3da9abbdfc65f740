"""Retention and reviewers from the shipped organisation profiles (000 §17: 7 years, 001 §6: 1 year)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import purge, retention_cutoff
from tokutei.core.errors import Refused
from tokutei.policy import Actor, decide


@pytest.mark.parametrize(("profile", "years"), [("sendai-kyosai", 7), ("kokubunji", 1)])
def test_the_retention_boundary_follows_the_profile(activate, profile, years):
    activate(profile)
    cutoff, article = retention_cutoff(dt.date(2030, 5, 20))
    assert cutoff is not None
    assert cutoff.date() == dt.date(2030 - years, 5, 20)
    assert article


def test_a_six_year_old_log_cannot_be_purged_in_sendai(activate, log_entries):
    activate("sendai-kyosai")
    six_years_ago = timezone.now() - dt.timedelta(days=6 * 365)
    with pytest.raises(Refused, match="保存期間"):
        purge(before=six_years_ago + dt.timedelta(days=1))


def test_the_reviewer_named_by_the_profile_reads_the_whole_log(activate, make_user):
    activate("kokubunji")
    officer = make_user("officer", "sec_officer")
    clerk = make_user("op", "operator")
    assert decide(Actor(user=officer), Action.LOG_VERIFY) and not decide(Actor(user=clerk), Action.LOG_VERIFY)
