"""The authentication backend: Django's ``ModelBackend``, with the user of every request read by one fixed
statement (``tokutei.core.sql``) instead of a compiled QuerySet (docs/performance.md, "Lookup over HTTP").

Signing in is ``tokutei.staff.signin`` (password, then TOTP or WebAuthn); this backend only answers "which user
is this session's" and the permission checks ModelBackend gives the admin site.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from tokutei.core.fields import db_id
from tokutei.core.sql import select_models


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        from .models import User

        pk = db_id(user_id)
        if pk is None:
            return None
        found = select_models(User, '"id" = %s', [pk])
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
