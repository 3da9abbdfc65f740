"""Retention and disposal: the payment calendar, recorded start dates, legal holds, disposal lists.

Nothing here holds personal data: records are named by their class and id (and, on certificates, by a
keyed digest), never by a number or a name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentDate(models.Model):
    """給付日カレンダー: the payment dates the organisation maintains (000 §11.1 「次回の年金給付」)."""

    date = models.DateField(_("給付日"), unique=True)
    label = models.CharField(_("内容"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return self.date.isoformat()


class RecordEvent(models.Model):
    """A start date recorded for one record: 失権日, 契約終了日, 処理の終了, 「不要と判断した日」…"""

    record_class = models.CharField(max_length=30)
    record_id = models.CharField(max_length=40)
    event = models.CharField(max_length=30)  # RETENTION_EVENTS key
    date = models.DateField()
    note = models.CharField(max_length=300, blank=True)  # no personal data
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["record_class", "record_id", "event"])]

    def __str__(self) -> str:
        return f"{self.record_class}:{self.record_id} {self.event} {self.date}"


class LegalHold(models.Model):
    """法的保存: an incident, an audit or a lawsuit stops the clock (R-RET-1). On one record, or on every
    person of one file (``record_id`` empty, ``file_id`` set)."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("事故・漏えい等の調査")
        AUDIT = "audit", _("監査")
        LAWSUIT = "lawsuit", _("訴訟・不服申立て")

    record_class = models.CharField(max_length=30)
    record_id = models.CharField(max_length=40, blank=True)
    file_id = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(_("理由の種類"), max_length=10, choices=Kind)
    reason = models.CharField(_("理由"), max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return f"法的保存 #{self.pk}"


class DisposalList(models.Model):
    """廃棄リスト: drafted from the worklist → second person's check → 保護管理者's confirmation →
    execution → closed (certificates in) (004 §14(6), 003 §14, 002 §14.2; E-25, E-32, E-36)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("作成済（確認待ち）")
        CHECKED = "checked", _("確認済（承認待ち）")
        CONFIRMED = "confirmed", _("承認済（実施待ち）")
        EXECUTED = "executed", _("実施済（証明書待ち）")
        CLOSED = "closed", _("完了")
        CANCELLED = "cancelled", _("取消")

    title = models.CharField(_("件名"), max_length=200)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    needs_check = models.BooleanField(default=False)  # a rule of an item asks for the second person
    confirm_roles = models.JSONField(default=list)  # roles of the profile that must confirm (003 §14)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.CharField(max_length=300, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    executed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-id"]

    def __str__(self) -> str:
        return f"廃棄リスト No.{self.pk}"


class DisposalItem(models.Model):
    """One record on a disposal list, and after execution its disposal record (R-RET-5): date, item,
    method, who did it, who checked it, witness, certificate."""

    class Status(models.TextChoices):
        PENDING = "pending", _("未実施")
        AWAITING_CERTIFICATE = "awaiting", _("証明書待ち")
        DONE = "done", _("廃棄・削除済")

    disposal = models.ForeignKey(DisposalList, on_delete=models.PROTECT, related_name="items")
    record_class = models.CharField(max_length=30)
    record_id = models.CharField(max_length=40)  # person/medium/document/copy id, "file:<id>", or "day:<date>"
    # The ids of the kept records (handling records, register entries, approvals) the item stands for: fixed
    # when drafted, narrowed at the execution to the ids actually disposed of.
    record_ids = models.JSONField(default=list, blank=True)
    file_id = models.PositiveIntegerField(null=True, blank=True)
    unit_name = models.CharField(max_length=100, blank=True)
    label = models.CharField(max_length=200)  # register label — never personal data
    digest = models.CharField(max_length=64)  # keyed digest of (class, id): identifies it on certificates
    rule_key = models.CharField(max_length=60)
    article = models.CharField(max_length=200, blank=True)
    due = models.DateField()
    count = models.PositiveIntegerField(default=1)
    access_history = models.JSONField(default=list)  # captured at the check (004 §14(6)②): no personal data
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    method = models.CharField(max_length=60, blank=True)  # key of profile.retention.methods
    method_label = models.CharField(max_length=200, blank=True)
    vendor = models.CharField(_("委託先"), max_length=200, blank=True)
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    executed_at = models.DateTimeField(null=True, blank=True)
    certificate_ref = models.CharField(_("証明書の番号等"), max_length=200, blank=True)
    certificate_date = models.DateField(null=True, blank=True)
    certificate_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["disposal", "record_class", "record_id"],
                                               name="retention_item_once_per_list")]

    def __str__(self) -> str:
        return f"{self.record_class}:{self.record_id}"

    @property
    def ids_display(self) -> str:
        """The ids of a group of kept records, runs shortened: ``3, 5–9, 12``."""
        ids = sorted(int(i) for i in self.record_ids)
        runs: list[list[int]] = []
        for i in ids:
            if runs and i == runs[-1][1] + 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
        return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)
