"""The profile a database was initialised with, kept in the database with its digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ActiveProfile(models.Model):
    """One row per load (application). The profile in force on a day is the row with the latest
    ``effective_from`` (施行日) on or before that day — the last applied among equal dates. A row applied
    ahead of its 施行日 is pending until that day, and from that day on it is in force without anyone acting
    (docs/profiles.md "Rules in force on a date")."""

    name = models.CharField(max_length=100)
    org_code = models.CharField(max_length=20)
    source_yaml = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(default=timezone.localdate)  # 施行日: in force from this day
    # When its taking effect was logged: at once for a profile applied for today, by the scheduled
    # ``tokutei org in-force`` for one applied ahead of its 施行日 (empty until then).
    effect_logged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.org_code}) {self.sha256[:12]}"
