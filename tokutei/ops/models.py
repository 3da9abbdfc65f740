"""The backup register (バックアップ台帳) and the restore drills (復元訓練) — 002 §29, 分散保管."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupCopy(models.Model):
    """One backup copy: what it holds, when it was taken, where it is kept and who holds it.

    Data copies and key copies are separate rows (and separate files): no copy holds both.
    """

    class Kind(models.TextChoices):
        DATA = "data", _("データ")
        KEYS = "keys", _("鍵")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=200, unique=True)  # the backup's folder / file name
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    engine = models.CharField(max_length=20, blank=True)  # data: sqlite / postgresql
    sha256 = models.CharField(max_length=64)  # of the manifest (data) or of the encrypted file (keys)
    size_bytes = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # data: rows per table in the copy
    destroyed_keys = models.JSONField(default=list, blank=True)  # crypto-shredded key ids when taken
    location = models.CharField(_("保管場所"), max_length=200, blank=True)
    custodian = models.CharField(_("保管責任者"), max_length=100, blank=True)
    note = models.CharField(_("備考"), max_length=500, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("バックアップ")

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class RestoreDrill(models.Model):
    """Evidence of a restore: the copy, into what, whether every table's count and the log verified."""

    backup_name = models.CharField(max_length=200)
    keys_name = models.CharField(max_length=200, blank=True)
    performed_at = models.DateTimeField()
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    ok = models.BooleanField(default=False)
    counts_ok = models.BooleanField(default=False)
    log_ok = models.BooleanField(default=False)
    seconds = models.FloatField(default=0)
    findings = models.JSONField(default=list, blank=True)  # the problems found, in Japanese
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"drill {self.backup_name} {'ok' if self.ok else 'NG'}"


class Probe(models.Model):
    """Never holds a row: the health check inserts one inside a transaction it rolls back, which proves
    the database (and so the operation log) accepts writes without writing anything."""

    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"probe {self.at}"
