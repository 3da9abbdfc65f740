"""Audit fixtures: the people of a shipped profile, with the organisation's units and posts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tokutei.policy import Actor


def web(user) -> Actor:
    return Actor(user=user)


@pytest.fixture
def shipped(activate):
    """shipped("inabe") → the profile, with its units and posts created."""
    from tokutei.staff.services import ensure_org_structure

    def _shipped(name: str):
        profile = activate(name)
        ensure_org_structure()
        return profile

    return _shipped


@pytest.fixture
def person(make_user):
    """person("tanaka", "pm", unit="shokuin") → a user of that unit holding the roles."""
    from tokutei.staff.models import Unit

    def _person(username: str, *roles: str, unit: str | None = None, tasks: list[str] | None = None):
        u = Unit.objects.get(key=unit) if unit else None
        return make_user(username, *roles, unit=u, tasks=tasks)

    return _person


def today() -> dt.date:
    return timezone.localdate()
