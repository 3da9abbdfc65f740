"""Activating a profile for this database."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .loader import digest, find_profile, parse_profile
from .models import ActiveProfile
from .schema import Profile


@transaction.atomic
def activate_profile(*, name: str, actor=None) -> tuple[ActiveProfile, Profile]:
    """Validate the named shipped profile and make it the organisation's profile in force."""
    source = find_profile(name)
    text = source.path.read_text(encoding="utf-8")
    profile = parse_profile(text, source=str(source.path))  # raises ProfileError: never loads if invalid
    row = ActiveProfile.objects.create(
        name=source.name, org_code=profile.organisation.code, source_yaml=text, sha256=digest(text), loaded_by=actor,
        effect_logged_at=timezone.now(),  # in force at once (the initialisation is logged as such)
    )
    return row, profile
