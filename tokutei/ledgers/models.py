"""Handling-status records, the file register and the simple record books (HSR, REG).

Nothing here holds 特定個人情報: records name people by record id, files by id, staff by user id;
counts, purposes (task keys), field keys, and recipients' organisation names are all that is stored
(PPC guideline on 取扱状況の記録; requirements lessons "The file register must not itself hold 特定個人情報").

Every table is append-only: a correction is a new row that points at the row it corrects
(R-HSR-1, R-REG-0). Saving an existing row or deleting one raises ``AppendOnlyError``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokutei.core.models import AppendOnly as _AppendOnly
from tokutei.core.models import AppendOnlyError  # noqa: F401 - raised by the rows below


class AppendOnly(_AppendOnly):
    append_only_change_message = "台帳の記録は変更できません。訂正は新しい記録として追加してください。"
    append_only_delete_message = "台帳の記録は削除できません。"

    class Meta:
        abstract = True


class HandlingRecord(AppendOnly):
    """One line of the handling-status record (運用状況記録票 004 別紙1 / 取扱状況の記録 003 §7 / 002 §15).

    ``source`` "log": generated from operation-log entry ``source_seq`` (one row per entry, idempotent).
    ``source`` "manual": a paper step entered by a recorder; ``source_seq`` is the seq of the
    ``ledgers.manual_entry`` log entry written in the same transaction.
    """

    class Source(models.TextChoices):
        LOG = "log", _("システム記録")
        MANUAL = "manual", _("手入力")

    source = models.CharField(max_length=10, choices=Source)
    source_seq = models.BigIntegerField(unique=True, null=True)
    occurred_at = models.DateTimeField(db_index=True)
    stage = models.CharField(max_length=20, db_index=True)  # profiles.schema.Stage
    action = models.CharField(max_length=80, blank=True)
    result = models.CharField(max_length=10, default="ok")
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    terminal_name = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=60, blank=True)  # task key
    file_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    count = models.PositiveIntegerField(default=1)
    fields = models.JSONField(default=list, blank=True)  # field KEYS only
    recipient = models.CharField(_("提供先・進達先"), max_length=200, blank=True)  # organisation name
    place = models.CharField(_("保管場所"), max_length=200, blank=True)
    method = models.CharField(_("方法"), max_length=200, blank=True)
    checker = models.CharField(_("確認者"), max_length=150, blank=True)  # staff user ID
    item = models.CharField(_("対象（書類・媒体等）"), max_length=200, blank=True)  # e.g. 届出書 3通, USBメモリ M-01
    certificate = models.CharField(_("証明書等"), max_length=200, blank=True)  # vendor's erasure certificate (004 §9.2)
    article = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("備考"), max_length=500, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Not a column: the witness's user id that the log entry names, set by services._row_from_entry on
    # the rows it builds and read by services._enrich before they are written.
    _witness_id: int | None = None

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = "取扱状況記録"
        constraints = [  # a record is corrected once; a further correction corrects the correction
            models.UniqueConstraint(fields=["corrects"], condition=models.Q(corrects__isnull=False),
                                    name="ledgers_handling_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"No.{self.pk} {self.stage} {self.action}"


class FileRegisterSignOff(AppendOnly):
    """特定個人情報ファイル管理台帳 (004 §10 別紙2): the responsible person's sign-off of one file's entry.

    The live register is computed from the file and the live designations; what is stored here is the
    approved snapshot (type, name, purpose, access list) so that differences can be flagged (E-43).
    Each sign-off is a new row; the newest per file is in force.
    """

    file_id = models.BigIntegerField(db_index=True)
    snapshot = models.JSONField(default=dict)  # kind, name, unit, responsible, tasks, status, access
    note = models.CharField(_("備考"), max_length=500, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    log_seq = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["file_id", "-signed_at", "-id"]
        verbose_name = "ファイル管理台帳の確認"

    def __str__(self) -> str:
        return f"file {self.file_id} signed {self.signed_at:%Y-%m-%d}"


class RegisterEntry(AppendOnly):
    """One entry of a simple record book defined by ``profile.registers[register]`` (R-REG-0).

    ``entry_no`` numbers entries within a register; a correction keeps the entry_no and gets the next
    ``version``, pointing at the row it replaces. The newest version of each entry_no is in force.
    """

    register = models.CharField(max_length=60, db_index=True)
    entry_no = models.PositiveIntegerField()
    version = models.PositiveIntegerField(default=1)
    values = models.JSONField(default=dict)  # field key → value, validated against the typed profile fields
    form_version = models.PositiveIntegerField(default=1)  # the register's form version the entry was made under
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    reason = models.CharField(_("訂正理由"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    log_seq = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["register", "entry_no", "version"]
        constraints = [
            models.UniqueConstraint(fields=["register", "entry_no", "version"], name="ledgers_register_entry_version"),
        ]
        verbose_name = "記録簿の記載"

    def __str__(self) -> str:
        return f"{self.register} No.{self.entry_no} v{self.version}"


class LogCursor(models.Model):
    """How far the operation log has been turned into handling-status records (one row, id=1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"cursor {self.seq}"
