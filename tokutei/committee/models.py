"""The security committee (000 §8 住基ネットセキュリティ会議, 001 §12–16 委員会): meetings and 持ち回り
(circulated) resolutions, who attended, the minutes, and the action items decided, tracked to closure.

Who the members are, who chairs, what the committee deliberates on and whether circulated resolutions are
allowed come from the profile's ``governance_body``. Finalised minutes are not changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("会議")
        CIRCULATED = "circulated", _("持ち回りによる決定")

    class Presiding(models.TextChoices):
        CHAIR = "chair", _("委員長（議長）")
        VICE_CHAIR = "vice_chair", _("委員長が不在のため副委員長")

    kind = models.CharField(_("種類"), max_length=12, choices=Kind, default=Kind.MEETING)
    presiding = models.CharField(_("議長"), max_length=12, choices=Presiding, default=Presiding.CHAIR)
    title = models.CharField(_("件名"), max_length=200)
    held_on = models.DateField(_("開催日"))
    agenda = models.JSONField(default=list, blank=True)  # texts: the profile's 審議事項 and others
    incident_ids = models.JSONField(default=list, blank=True)  # open incidents put on the agenda
    finding_ids = models.JSONField(default=list, blank=True)  # open audit findings put on the agenda
    minutes = models.TextField(_("議事録"), max_length=20000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Attendee(models.Model):
    """A member present (or, for a circulated resolution, a member who agreed), an external expert heard, or
    another person heard (001 §15 意見の聴取)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("委員")
        EXPERT = "expert", _("外部の有識者")
        OTHER = "other", _("委員以外の出席者")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    kind = models.CharField(_("区分"), max_length=10, choices=Kind)
    capacity = models.CharField(_("職・役割"), max_length=100, blank=True)
    name = models.CharField(_("氏名"), max_length=100)
    # 001 §15: materials asked of a non-member (only where the profile's governance body may ask for them)
    materials = models.CharField(_("提出を求めた資料"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ActionItem(models.Model):
    """A decision to be carried out, with who and by when, tracked until it is closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    text = models.CharField(_("決定事項・対応"), max_length=500)
    owner = models.CharField(_("担当"), max_length=100)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closing_note = models.CharField(_("完了の内容"), max_length=500, blank=True)

    class Meta:
        ordering = ["closed_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.text[:40]
