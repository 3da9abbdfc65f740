"""The session engine: Django's database sessions, with the one read every request makes as a fixed
statement (tokutei.core.sql) instead of a compiled QuerySet. Same table, same encoding, same expiry rule."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from tokutei.core.sql import select_models


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        using = router.db_for_read(self.model)
        now = connections[using].ops.adapt_datetimefield_value(timezone.now())
        found = select_models(self.model, '"session_key" = %s AND "expire_date" > %s', [self.session_key, now],
                              limit=1, using=using)
        if not found:
            self._session_key = None
            return None
        return found[0]
