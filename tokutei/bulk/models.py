"""Bulk-acquisition imports (一括取得, 004 §14(1), §14(3)): one resumable job per file and 特定個人情報ファイル.

An ImportJob holds no personal data: the file is named by its SHA-256 digest and base name, progress by
byte offset and line number, results by counts. Its progress is updated in the same transaction as each
batch of records, so after a crash the job says exactly which records are in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("取込中")
        COMPLETED = "completed", _("完了")
        FAILED = "failed", _("中断")
        ABANDONED = "abandoned", _("取消")  # given up: see services.abandon_import

    file_digest = models.CharField(_("ファイルのSHA-256"), max_length=64)
    file_name = models.CharField(_("ファイル名"), max_length=255)
    file_size = models.BigIntegerField(default=0)
    specific_file_id = models.BigIntegerField(_("特定個人情報ファイル"))
    purpose = models.CharField(_("事務"), max_length=60)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approval_id = models.BigIntegerField(null=True, blank=True)
    encoding = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=Status, default=Status.RUNNING, db_index=True)
    # Progress of the last committed batch.
    offset = models.BigIntegerField(default=0)  # byte offset just after the last committed record
    line = models.BigIntegerField(default=1)  # physical line number of that record
    batches = models.PositiveIntegerField(default=0)
    loaded = models.PositiveIntegerField(_("登録件数"), default=0)
    rejected = models.PositiveIntegerField(_("除外件数"), default=0)
    report_path = models.CharField(max_length=500, blank=True)
    report_size = models.BigIntegerField(default=0)  # bytes of the reject report that belong to committed batches
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "一括取込"
        constraints = [
            models.UniqueConstraint(fields=["file_digest", "specific_file_id"], name="bulk_one_job_per_file"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} {self.status}"
