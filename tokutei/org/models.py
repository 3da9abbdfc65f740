"""Organisation records the regulations ask for (docs/org.md): each member of staff's acknowledgement of the
duties, per version of the rules (000 §21, 001 §10, 002 §9), and disciplinary measures where a regulation
provides for them (001 §17). Nothing here is about the people in the files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Acknowledgement(models.Model):
    """One person's written acknowledgement of one duty of the profile, under one version of the rules."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements")
    duty_key = models.CharField(_("義務"), max_length=60)  # a key of the profile's org.acknowledgements
    duty_text = models.TextField(_("確認した内容"))  # the duty as it read when acknowledged
    rules_in_force = models.DateField(_("規程の版（施行日）"))  # organisation.versions[*].in_force in force then
    profile_sha256 = models.CharField(max_length=64)  # the profile text in force (profiles.ActiveProfile)
    acknowledged_on = models.DateField(_("確認日"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    on_paper = models.BooleanField(_("書面（誓約書）による"), default=False)
    article = models.CharField(max_length=200)

    class Meta:
        ordering = ["user_id", "duty_key", "-rules_in_force"]
        constraints = [models.UniqueConstraint(fields=["user", "duty_key", "rules_in_force"],
                                               name="org_ack_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.duty_key} {self.rules_in_force}"


class DisciplinaryMeasure(models.Model):
    """A disciplinary measure decided on a member of staff (001 §17); seen only by the profile's roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("措置"), max_length=60)  # a key of org.discipline.kinds
    ground = models.CharField(_("違反した義務"), max_length=300)
    decided_on = models.DateField(_("決定日"))
    description = models.TextField(_("内容"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    article = models.CharField(max_length=200)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.decided_on}"
