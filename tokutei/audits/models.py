"""Audits and inspections (監査・点検), their checklist answers, findings and corrective actions, training
sessions and attendance, and the 業務引継簿 (003 §5).

Every row is written by ``tokutei.audits.services`` with its log entry. Nothing here holds personal data
of the files: people are staff (users); evidence is text and references (log entry ids, record ids).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Engagement(models.Model):
    """One audit, inspection or review, for a period (R-AUD-1, R-AUD-2)."""

    class Kind(models.TextChoices):
        AUDIT = "audit", _("監査")
        INSPECTION = "inspection", _("点検")
        REVIEW = "review", _("評価・見直し")

    class Status(models.TextChoices):
        OPEN = "open", _("実施中")
        REPORTED = "reported", _("報告済み")

    kind = models.CharField(_("種類"), max_length=12, choices=Kind)
    schedule_key = models.CharField(max_length=60, blank=True)  # the profile's schedule it carries out
    title = models.CharField(_("件名"), max_length=200)
    scope = models.TextField(_("対象・範囲"), max_length=2000, blank=True)
    external = models.BooleanField(_("外部監査"), default=False)
    unit = models.ForeignKey("staff.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("対象期間（自）"))
    period_to = models.DateField(_("対象期間（至）"))
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    summary = models.TextField(_("結果の概要"), max_length=4000, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)  # role keys the report went to (snapshot)
    to_body = models.CharField(max_length=200, blank=True)  # the governance body it went to (000, 001)
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.title}"


class Answer(models.Model):
    """The answer to one checklist item of an engagement: compliant, finding, or not applicable."""

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("適合")
        FINDING = "finding", _("指摘あり")
        NOT_APPLICABLE = "na", _("該当なし")

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="answers")
    item_id = models.CharField(max_length=80)
    article = models.CharField(max_length=200)
    result = models.CharField(_("結果"), max_length=10, choices=Result)
    evidence = models.TextField(_("証跡"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement_id", "id"]
        constraints = [models.UniqueConstraint(fields=["engagement", "item_id"], name="audits_one_answer_per_item")]

    def __str__(self) -> str:
        return f"#{self.engagement_id} {self.item_id} {self.result}"


class Receipt(models.Model):
    """A recipient's acknowledgement of an engagement's report."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role_key = models.CharField(max_length=60)
    received_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("所見"), max_length=2000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["engagement", "user"], name="audits_one_receipt_per_user")]

    def __str__(self) -> str:
        return f"#{self.engagement_id} ← {self.user_id}"


class Finding(models.Model):
    """A finding and its corrective action, tracked to closure (R-AUD-4)."""

    class Source(models.TextChoices):
        AUDIT = "audit", _("監査")
        INSPECTION = "inspection", _("点検")
        INCIDENT = "incident", _("事故等")
        LOG_ANALYSIS = "log_analysis", _("操作履歴の分析")

    class Severity(models.TextChoices):
        HIGH = "high", _("重大")
        MEDIUM = "medium", _("中")
        LOW = "low", _("軽微")

    class Status(models.TextChoices):
        OPEN = "open", _("是正待ち")
        ACTION_TAKEN = "action_taken", _("再確認待ち")
        CLOSED = "closed", _("完了")

    source = models.CharField(_("発見の経緯"), max_length=14, choices=Source)
    engagement = models.ForeignKey(Engagement, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="findings")
    item_id = models.CharField(max_length=80, blank=True)
    incident_id = models.PositiveBigIntegerField(null=True, blank=True)
    log_review_id = models.PositiveBigIntegerField(null=True, blank=True)
    article = models.CharField(max_length=200, blank=True)
    title = models.CharField(_("指摘事項"), max_length=300)
    detail = models.TextField(_("内容"), max_length=4000, blank=True)
    severity = models.CharField(_("重要度"), max_length=8, choices=Severity)
    root_cause = models.TextField(_("原因"), max_length=2000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("是正の期限"))
    status = models.CharField(max_length=14, choices=Status, default=Status.OPEN)
    corrective_action = models.TextField(_("是正措置"), max_length=4000, blank=True)
    action_taken_at = models.DateTimeField(null=True, blank=True)
    recheck_note = models.TextField(_("再確認の結果"), max_length=2000, blank=True)
    rechecked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.due_on < timezone.localdate()


class TrainingSession(models.Model):
    """A training planned or held (R-TRN-1): which of the profile's trainings, when, by whom, what."""

    requirement_key = models.CharField(_("研修"), max_length=60)
    title = models.CharField(_("件名"), max_length=200)
    content = models.TextField(_("内容"), max_length=4000, blank=True)
    held_on = models.DateField(_("実施日"))
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Attendance(models.Model):
    """A staff member attended a session; the certificate number is issued when it is recorded."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certificate_no = models.CharField(max_length=40, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="audits_attend_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id}"


class Handover(models.Model):
    """業務引継簿 (003 §5, E-38): written by the outgoing holder, confirmed by the 保護管理者."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("作成中")
        SUBMITTED = "submitted", _("確認待ち")
        CONFIRMED = "confirmed", _("確認済み")

    role_key = models.CharField(max_length=60)
    unit = models.ForeignKey("staff.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outgoing = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    successor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    book = models.JSONField(default=dict, blank=True)  # section key → text (the profile's sections)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    interview_note = models.TextField(_("聞き取りの結果"), max_length=4000, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.role_key} {self.outgoing_id}→{self.successor_id}"
