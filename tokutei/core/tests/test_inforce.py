"""One "in force on a date" rule: the Python helper, the Q-builder and the SQL condition agree."""

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tokutei.core.inforce import in_force_on, in_force_q, in_force_sql
from tokutei.core.sql import select_models

BASE = dt.date(2026, 4, 1)
D = dt.timedelta(days=1)
STARTS = [BASE - 5 * D, BASE, BASE + 5 * D]
ENDS = [None, BASE - 6 * D, BASE - D, BASE, BASE + D, BASE + 6 * D]
DAYS = [BASE - 10 * D, BASE - 5 * D, BASE - D, BASE, BASE + D, BASE + 5 * D, BASE + 6 * D, BASE + 20 * D]


class Row:
    def __init__(self, start_date, end_date, revoked_at):
        self.start_date, self.end_date, self.revoked_at = start_date, end_date, revoked_at


@given(st.dates(), st.one_of(st.none(), st.dates()), st.booleans(), st.dates())
def test_the_python_rule(start, end, revoked, day):
    row = Row(start, end, timezone.now() if revoked else None)
    expected = not revoked and start <= day and (end is None or day <= end)
    assert in_force_on(row, day) is expected
    assert in_force_on(row, day, start=None) is (not revoked and (end is None or day <= end))
    assert in_force_on(row, day, revoked=None) is (start <= day and (end is None or day <= end))


@pytest.fixture
def every_combination(make_user):
    from tokutei.staff.models import PasswordOnlyDecision, RoleAssignment

    user = make_user("dated")
    rows = []
    for start, end, revoked in itertools.product(STARTS, ENDS, (False, True)):
        rows.append(RoleAssignment.objects.create(user=user, role_key="clerk", start_date=start, end_date=end,
                                                  revoked_at=timezone.now() if revoked else None))
        PasswordOnlyDecision.objects.create(
            user=user, decided_by=user, reason="r", instruction_management="m", instruction_proper_use="p",
            instructed_on=start, start_date=start, end_date=end, revoked_at=timezone.now() if revoked else None)
    return user, rows


@pytest.mark.django_db
def test_python_q_and_sql_agree_on_every_combination(every_combination):
    from tokutei.staff.models import PasswordOnlyDecision, RoleAssignment

    user, rows = every_combination
    for day in DAYS:
        variants: list[dict[str, Any]] = [{}, {"start": None}]
        for variant in variants:
            python = {r.pk for r in rows if in_force_on(r, day, **variant)}
            by_q = set(RoleAssignment.objects.filter(in_force_q(day, **variant), user=user).values_list("pk", flat=True))
            condition, params = in_force_sql(day, **variant)
            by_sql = {r.pk for r in select_models(RoleAssignment, f'"user_id" = %s AND {condition}',
                                                  [user.pk, *params], order_by='"id"')}
            assert python == by_q == by_sql, (day, variant)
        decisions = PasswordOnlyDecision.objects.filter(user=user)
        assert ({d.pk for d in decisions if d.is_active_on(day)}
                == set(decisions.filter(in_force_q(day)).values_list("pk", flat=True)))
        assert ({r.pk for r in rows if r.is_active_on(day)}
                == {r.pk for r in rows if in_force_on(r, day)})


@pytest.mark.django_db
def test_the_staff_selectors_use_the_one_rule(every_combination):
    from tokutei.staff.models import RoleAssignment, User
    from tokutei.staff.selectors import active_assignments, assignments_in_force, holders_count, holders_of

    user, rows = every_combination
    for day in DAYS:
        expected = {r.pk for r in rows if in_force_on(r, day)}
        assert {a.pk for a in active_assignments(user, on=day)} == expected
        assert {a.pk for a in assignments_in_force(user, on=day)} == expected
        assert (user in holders_of("clerk", on=day)) is bool(expected)
        later = {r.user_id for r in rows if in_force_on(r, day, start=None)}
        assert holders_count("clerk", on=day) == len(later)
    # Through a relation: the prefix reaches the same columns.
    assert set(User.objects.filter(in_force_q(BASE, prefix="assignments__")).distinct()) == {user}
    assert RoleAssignment.objects.filter(in_force_q(BASE)).count() == len(
        [r for r in rows if in_force_on(r, BASE)])


def test_a_model_without_revocation_passes_none():
    from tokutei.staff.models import PostHolding

    holding = PostHolding(start_date=BASE, end_date=BASE + D)
    assert in_force_on(holding, BASE + D, revoked=None)
    assert not in_force_on(holding, BASE + 2 * D, revoked=None)
    condition, params = in_force_sql(BASE, revoked=None, connection=connection)
    assert "revoked_at" not in condition and len(params) == 2
    assert "revoked_at" not in str(in_force_q(BASE, revoked=None))
