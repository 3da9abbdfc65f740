"""PIA threshold assessments (しきい値判断) and the disclosure reports given to people (本人開示).

Nothing here holds 特定個人情報: files are ids (and their register name), people are record ids, the report
keeps the log entries' sequence numbers it listed — never a number, a name or a field value.
Both tables are append-only history: an assessment is a snapshot; a later one is a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Assessment(models.Model):
    """One しきい値判断 of one 特定個人情報ファイル, as computed from live data at ``assessed_at``.

    A row is written when a file is first assessed, when its level changes, and on every scheduled or
    manual run (the periodic record); ``raised`` marks a move into a higher level (the dashboard shows it).
    """

    class Trigger(models.TextChoices):
        IMPORT = "import", _("一括取込")
        INTAKE = "intake", _("個人番号の取得・入力")
        DELETION = "deletion", _("削除")
        DESIGNATION = "designation", _("取扱者の指定・取消")
        INCIDENT = "incident", _("事故等")
        SCHEDULED = "scheduled", _("定期の再判断")
        MANUAL = "manual", _("手動の再判断")

    file_id = models.BigIntegerField(db_index=True)
    file_name = models.CharField(max_length=200)
    assessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    trigger = models.CharField(max_length=12, choices=Trigger)
    trigger_seq = models.BigIntegerField(null=True, blank=True)  # the log entry of the event
    trigger_at = models.DateTimeField(null=True, blank=True)  # when the event happened
    people = models.PositiveIntegerField()
    handlers = models.PositiveIntegerField()
    handler_breakdown = models.JSONField(default=list)  # [{"kind", "label", "count", "source"}]
    serious_incidents = models.JSONField(default=list)  # incident ids within the look-back period
    level = models.CharField(max_length=10)  # rules file levels: none / basic / focused / full
    rule_id = models.CharField(max_length=40)
    reasons = models.JSONField(default=list)  # [{"text", "source", "verified", "rule"}]
    rules_version = models.CharField(max_length=20)
    previous_level = models.CharField(max_length=10, blank=True)
    raised = models.BooleanField(default=False)
    log_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["file_id", "-assessed_at"])]
        verbose_name = "しきい値判断"

    def __str__(self) -> str:
        return f"file {self.file_id} {self.level} {self.assessed_at:%Y-%m-%d}"


class DisclosureReport(models.Model):
    """A report of the use and provision of one person's records, issued to the person (本人開示)."""

    person_ids = models.JSONField(default=list)  # the person's records (one per file) the report covers
    file_ids = models.JSONField(default=list)
    purpose = models.CharField(max_length=60)  # the task under which it was issued
    period_from = models.DateField()
    period_to = models.DateField()
    entry_seqs = models.JSONField(default=list)  # the log entries listed, so a copy lists exactly them
    staff_names = models.CharField(max_length=10)  # how staff were named (profile pia.disclosure.staff_names)
    approval_id = models.BigIntegerField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    log_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "提供・利用状況の開示"

    def __str__(self) -> str:
        return f"開示 #{self.pk}"
