"""Registers of what must be tracked outside the vault: media, documents, carry-outs, exports and copies.

Moved from ``tokutei.approvals`` (which keeps the approval engine): the tables keep their names
(``approvals_*``), so no row was copied (registers/0001 and approvals/0002 move only Django's state).
Nothing here holds personal data: summaries, counts and places only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.approvals.models import ApprovalRequest

# --- 記録媒体 (000 §11; 002 §13, §14; 003 §13) ----------------------------------------------------------


class Medium(models.Model):
    """A recording medium holding protected data (R-MED-1): the media register (記録媒体管理簿)."""

    class Kind(models.TextChoices):
        USB = "usb", _("USBメモリ")
        OPTICAL = "optical", _("光ディスク")
        DISK = "disk", _("磁気ディスク・SSD")
        TAPE = "tape", _("磁気テープ")
        PAPER = "paper", _("紙媒体")
        BUILT_IN = "built_in", _("端末・サーバ内蔵記憶装置")
        OTHER = "other", _("その他")

    class Status(models.TextChoices):
        STORED = "stored", _("保管中")
        OUT = "out", _("持出し中")
        DISPOSED = "disposed", _("廃棄済み")
        LOST = "lost", _("所在不明")

    label = models.CharField(_("媒体番号"), max_length=60, unique=True)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind)
    content_summary = models.CharField(_("内容（個人情報を書かない）"), max_length=200, blank=True)
    record_count = models.PositiveIntegerField(_("記録件数"), default=0)
    storage_place = models.CharField(_("保管場所"), max_length=200)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.STORED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disposed_at = models.DateTimeField(null=True, blank=True)
    disposal_method = models.CharField(_("廃棄方法"), max_length=100, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "approvals_medium"  # created by approvals/0001; moved without copying data
        ordering = ["label"]
        verbose_name = "記録媒体"

    def __str__(self) -> str:
        return self.label


class MediumCheck(models.Model):
    """障害の有無の記録 (000 §11.6): each check records whether the medium had a fault."""

    medium = models.ForeignKey(Medium, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now)
    has_fault = models.BooleanField(_("障害の有無"))
    description = models.CharField(_("内容"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "approvals_mediumcheck"  # created by approvals/0001; moved without copying data
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.medium_id} {'fault' if self.has_fault else 'ok'}"


class CarryOut(models.Model):
    """A carry-out (持出し) or external transport of media or papers (000 §11.3; 002 §11, §35; 003 §13)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("持出し前")
        OUT = "out", _("持出し中")
        RETURNED = "returned", _("返却済み")
        DISPOSED = "disposed", _("廃棄済み")
        DELIVERED = "delivered", _("提出・引渡し済み")

    medium = models.ForeignKey(Medium, null=True, blank=True, on_delete=models.PROTECT, related_name="carry_outs")
    counterparty = models.CharField(_("相手方"), max_length=200)
    media_type = models.CharField(_("記録媒体の種類"), max_length=60)
    quantity = models.PositiveIntegerField(_("数量"))
    record_count = models.PositiveIntegerField(_("記録件数"))
    purpose_key = models.CharField(_("持出しの目的"), max_length=60, blank=True)
    purpose_note = models.CharField(_("目的の説明"), max_length=200, blank=True)
    protections = models.JSONField(_("保護措置"), default=list, blank=True)  # protection keys
    approval = models.OneToOneField(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="carry_out"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal_method = models.CharField(_("廃棄方法"), max_length=100, blank=True)

    class Meta:
        db_table = "approvals_carryout"  # created by approvals/0001; moved without copying data
        ordering = ["-created_at", "-id"]
        verbose_name = "持出し記録"

    def __str__(self) -> str:
        return f"持出し #{self.pk}"


# --- ドキュメント (000 §12; 002 §30) ---------------------------------------------------------------------


class Document(models.Model):
    """A design, programming or operation document of the system (ドキュメント, 000 §2(3), §12.1)."""

    class Kind(models.TextChoices):
        DESIGN = "design", _("設計書")
        PROGRAM = "program", _("プログラム作成の記録")
        OPERATION = "operation", _("運用に関する記録・文書")
        DIAGRAM = "diagram", _("構成図")

    class Status(models.TextChoices):
        STORED = "stored", _("保管中")
        OUT = "out", _("持出し中")
        DISPOSED = "disposed", _("廃棄済み")

    title = models.CharField(_("文書名"), max_length=200)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind)
    storage_place = models.CharField(_("保管場所"), max_length=200)
    copies = models.PositiveIntegerField(_("部数"), default=1)
    status = models.CharField(max_length=10, choices=Status, default=Status.STORED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "approvals_document"  # created by approvals/0001; moved without copying data
        ordering = ["title"]
        verbose_name = "ドキュメント"

    def __str__(self) -> str:
        return self.title


class DocumentEvent(models.Model):
    """保管状況の記録: a copy, carry-out, return, storage check or disposal of a document."""

    class Kind(models.TextChoices):
        COPY = "copy", _("複製")
        CARRY_OUT = "carry_out", _("持出し")
        RETURN = "return", _("返却")
        CHECK = "check", _("保管状況の確認")
        DISPOSE = "dispose", _("廃棄")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    approval = models.OneToOneField(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="document_event"
    )
    note = models.CharField(_("備考"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "approvals_documentevent"  # created by approvals/0001; moved without copying data
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind}"


# --- 出力・一時的な複製 (002 §11, §26) ----------------------------------------------------------------------


class TemporaryCopy(models.Model):
    """An encrypted export or processing copy written under EXPORT_DIR; deleted automatically (E-40)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("出力ファイル")
        PROCESSING = "processing", _("一時的な加工用の複製")

    kind = models.CharField(max_length=12, choices=Kind, default=Kind.EXPORT)
    file_name = models.CharField(max_length=200, unique=True)  # relative to EXPORT_DIR
    purpose = models.CharField(max_length=60)
    field_keys = models.JSONField(default=list)
    record_count = models.PositiveIntegerField(default=0)
    recipient = models.CharField(_("受領者"), max_length=200)
    sha256 = models.CharField(max_length=64)  # of the encrypted bytes
    approval = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    bulk_approval = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deletion_reason = models.CharField(max_length=20, blank=True)  # expired / manual

    class Meta:
        db_table = "approvals_temporarycopy"  # created by approvals/0001; moved without copying data
        ordering = ["-created_at", "-id"]
        verbose_name = "出力・一時複製"

    def __str__(self) -> str:
        return self.file_name
