"""Incident fixtures: people of a shipped profile, acting from the browser (no terminal needed to report)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tokutei.policy import Actor


def web(user) -> Actor:
    """The user in the browser on an unregistered terminal: a report needs no registered terminal."""
    return Actor(user=user, terminal=None)


@pytest.fixture
def unit(db):
    from tokutei.staff.models import Unit

    return Unit.objects.create(key="shimin", name_ja="市民課")


@pytest.fixture
def other_unit(db):
    from tokutei.staff.models import Unit

    return Unit.objects.create(key="zeimu", name_ja="税務課")


@pytest.fixture
def report(db):
    """report(user) → an incident reported by ``user`` (a leak found an hour ago)."""
    from tokutei.incidents import services

    def _report(user, **kwargs):
        values: dict[str, Any] = {"category": "leak", "summary": "通知書を誤送付したおそれ（記録 ID 12）",
                  "found_at": timezone.now() - dt.timedelta(hours=1), "found_by": "窓口担当",
                  "affected": {"records": [12]}, "suspected_cause": "封入時の確認漏れ"}
        return services.report_incident(actor=web(user), **(values | kwargs))

    return _report
