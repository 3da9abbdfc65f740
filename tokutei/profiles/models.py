"""The profile a database was initialised with, kept in the database with its digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActiveProfile(models.Model):
    """One row per load; the newest row is the organisation's profile in force."""

    name = models.CharField(max_length=100)
    org_code = models.CharField(max_length=20)
    source_yaml = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.org_code}) {self.sha256[:12]}"
