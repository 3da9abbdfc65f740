"""Incidents (事故・漏えい等の事案) and what follows them: the route, the timeline, the report to the
個人情報保護委員会 and the notices to the people concerned.

A report is never edited or deleted (R-INC-1): the ``Incident`` row and its timeline entries are
append-only; later facts are new ``TimelineEntry`` rows, each with who and when. The route's steps hold
state (opened, acknowledged, escalated), written only by the services with their log entries.

Nothing here holds personal data: affected files, records, media and terminals are ids; people notified
are named by their record id, never by their number (the report service refuses text shaped like a 個人番号).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.core.inforce import in_force_on
from tokutei.core.models import AppendOnly as _AppendOnly
from tokutei.core.models import AppendOnlyError  # noqa: F401 - raised by the rows below


class AppendOnly(_AppendOnly):
    append_only_change_message = "事故等の報告は変更できません。後の事実は経過として追加してください。"
    append_only_delete_message = "事故等の報告は削除できません。"

    class Meta:
        abstract = True


class Incident(AppendOnly):
    """A report of an incident or a sign of one (000 §20, 001 §9, 002 §39, 003 §8, 004 §16)."""

    class Category(models.TextChoices):
        LEAK = "leak", _("漏えい・滅失・き損")
        BREACH = "breach", _("規程違反")
        SYSTEM = "system", _("システムの障害・不具合")
        OTHER = "other", _("その他（兆候を含む）")

    category = models.CharField(_("区分"), max_length=10, choices=Category)
    summary = models.TextField(_("何が起きたか"), max_length=2000)
    found_at = models.DateTimeField(_("発見日時"))
    found_by = models.CharField(_("発見者"), max_length=100)
    affected = models.JSONField(default=dict, blank=True)  # {"files": [ids], "records": [...], "media", "terminals"}
    suspected_cause = models.TextField(_("推定される原因"), max_length=2000, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now, db_index=True)
    unit = models.ForeignKey("staff.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    route = models.JSONField(default=dict, blank=True)  # snapshot: {"roles": [...], "fallback": {...}, ...}
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = "事故等の報告"

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"


class TimelineEntry(AppendOnly):
    """A later fact about an incident: who recorded what, and when it happened."""

    class Kind(models.TextChoices):
        DETECTION = "detection", _("検知・発見")
        CONTAINMENT = "containment", _("被害の拡大防止・復旧")
        INVESTIGATION = "investigation", _("事実関係の調査")
        DECISION = "decision", _("判断・決定")
        NOTIFICATION = "notification", _("報告・通知")
        PREVENTION = "prevention", _("再発防止策")
        OTHER = "other", _("その他")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind)
    text = models.TextField(_("内容"), max_length=2000)
    occurred_at = models.DateTimeField(_("日時"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.kind}"


class RouteStep(models.Model):
    """One step of an incident's route: the holders of one role, told in order, who acknowledge it.

    ``role_key`` is the route's role; ``to_role`` the role whose holders were told — the profile's
    ``fallback`` when the role's holders are absent (003 §8: 保護管理者 → 総括保護管理者, E-42).
    """

    class Redirect(models.TextChoices):
        NONE = "", _("なし")
        ABSENT = "absent", _("不在のため")
        NO_HOLDER = "no_holder", _("該当者がいないため")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    index = models.PositiveSmallIntegerField()
    role_key = models.CharField(max_length=60)
    to_role = models.CharField(max_length=60)
    redirect = models.CharField(max_length=12, choices=Redirect, default=Redirect.NONE, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()  # escalates to the next step when not acknowledged by then
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident_id", "index"]
        constraints = [models.UniqueConstraint(fields=["incident", "index"], name="incidents_one_step_per_index")]

    def __str__(self) -> str:
        return f"#{self.incident_id} step {self.index} {self.to_role}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class StepRecipient(models.Model):
    """A person a step went to (a holder of ``to_role``, in force and available when it opened)."""

    step = models.ForeignKey(RouteStep, on_delete=models.PROTECT, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="incidents_recipient_once")]

    def __str__(self) -> str:
        return f"step {self.step_id} → {self.user_id}"


class Absence(models.Model):
    """A staff member's absence (不在), from/to inclusive: the route's fallback takes their steps."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="absences")
    start_date = models.DateField(_("開始日"))
    end_date = models.DateField(_("終了日"))
    reason = models.CharField(_("理由"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)  # cancelled (back early)

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.start_date}〜{self.end_date}"

    def is_active_on(self, day=None) -> bool:
        return in_force_on(self, day)


class PpcAssessment(models.Model):
    """The decision aid for the report to the 個人情報保護委員会 (速報・確報), one per incident.

    ``categories`` are keys of ``tokutei.incidents.deadlines.CATEGORIES``; any of them makes the
    incident reportable. The clock runs from ``learned_at`` (when the organisation learned of it).
    """

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="ppc")
    learned_at = models.DateTimeField(_("組織が知った日時"))
    categories = models.JSONField(default=list, blank=True)
    affected_people = models.PositiveIntegerField(_("本人の数"), null=True, blank=True)
    items = models.JSONField(default=dict, blank=True)  # the report's items the staff wrote (text)
    preliminary_reported_on = models.DateField(_("速報の提出日"), null=True, blank=True)
    final_reported_on = models.DateField(_("確報の提出日"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.incident_id} PPC"

    @property
    def reportable(self) -> bool:
        return bool(self.categories)


class PersonNotice(AppendOnly):
    """A notice to a person concerned (本人への通知), by record id — never their number."""

    class Method(models.TextChoices):
        MAIL = "mail", _("郵送")
        HAND = "hand", _("手交")
        PHONE = "phone", _("電話")
        EMAIL = "email", _("電子メール")
        OTHER = "other", _("その他")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notices")
    record_id = models.PositiveBigIntegerField(_("本人の記録番号"))
    method = models.CharField(_("方法"), max_length=10, choices=Method)
    notified_on = models.DateField(_("通知日"))
    note = models.CharField(_("備考"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["notified_on", "id"]

    def __str__(self) -> str:
        return f"#{self.incident_id} → {self.record_id}"


class Measure(AppendOnly):
    """A measure an incident led to (tokutei.incidents.measures): a legal hold on the records it concerns,
    a user or terminal suspended, 001 §9's outside support, disconnection and reconnection, the report to
    the committees, 002 §40's publication. Append-only like the report; each is also a timeline entry."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("措置"), max_length=20)
    text = models.TextField(_("内容"), max_length=2000)
    occurred_at = models.DateTimeField(_("日時"))
    targets = models.JSONField(default=dict, blank=True)  # {"holds": [ids], "user": id, "terminal": id, "to": [...]}
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="measure")
    article = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.kind}"
