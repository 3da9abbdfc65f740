"""The session's user is read by a fixed statement and is the user Django's own backend would return."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.forms.models import model_to_dict

from tokutei.staff.backends import StaffBackend


@pytest.mark.django_db
def test_the_session_user_is_the_one_djangos_backend_reads(make_user):
    user = make_user("yamada", "clerk")
    ours, django_s = StaffBackend().get_user(user.pk), ModelBackend().get_user(user.pk)
    assert ours is not None and django_s is not None
    assert ours == django_s and model_to_dict(ours) == model_to_dict(django_s)
    assert ours.password == django_s.password and ours.last_login == django_s.last_login


@pytest.mark.django_db
def test_a_deactivated_or_unknown_user_has_no_session(make_user):
    user = make_user("suzuki", "clerk")
    user.is_active = False
    user.save()
    assert StaffBackend().get_user(user.pk) is None
    for odd in (user.pk + 1000, "x", "", None, -1, "9" * 30):
        assert StaffBackend().get_user(odd) is None
