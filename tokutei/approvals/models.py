"""Approvals: the requests for controlled operations and each approver's decision on them.

Who must approve what comes only from the organisation profile (``profile.approvals[operation]``). A request
keeps a snapshot of the rule it was made under, so a later profile change does not alter a request in flight.
Nothing here holds personal data: particulars are scope (purpose key, count limit, file id, medium id).
The registers of what the approvals are for (media, documents, carry-outs, copies) are ``tokutei.registers``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApprovalRequest(models.Model):
    """An application for a controlled operation (承認申請), decided step by step, used once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        APPROVED = "approved", _("承認済み")
        REJECTED = "rejected", _("却下")
        USED = "used", _("使用済み")
        EXPIRED = "expired", _("期限切れ")
        WITHDRAWN = "withdrawn", _("取下げ")

    operation = models.CharField(_("操作"), max_length=60, db_index=True)
    particulars = models.JSONField(_("承認の範囲"), default=dict, blank=True)  # scope only: no personal data
    rule = models.JSONField(default=dict, blank=True)  # snapshot of profile.approvals[operation]
    article = models.CharField(max_length=200, blank=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(  # whom a permission is for (room entry, operator registration)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)  # rejected / withdrawn / expired

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "承認申請"

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} {self.status}"

    def is_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now

    def status_now(self, now=None) -> str:
        """The status as of now: an approved request past its expiry reads as expired — computed on every
        read, written only by ``services.expire_overdue`` (no writes on GET)."""
        if self.status == self.Status.APPROVED and self.is_expired(now):
            return self.Status.EXPIRED
        return self.status

    def get_status_now_display(self) -> str:
        return str(self.Status(self.status_now()).label)


class ApprovalStepDecision(models.Model):
    """One approver's decision on one step of a request."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("承認")
        REJECT = "reject", _("却下")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="decisions")
    step_index = models.PositiveSmallIntegerField()
    role_key = models.CharField(max_length=60)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision)
    comment = models.CharField(_("コメント"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request_id", "step_index", "at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "step_index"], name="approvals_one_decision_per_step"),
        ]

    def __str__(self) -> str:
        return f"#{self.request_id} step {self.step_index} {self.decision}"
