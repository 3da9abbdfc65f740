"""Staff, units, posts, role assignments and designations, registered terminals.

Role keys come from the organisation profile; nothing here names a role. Users are never deleted and
user IDs (識別符号) are never reused (E-14): leaving staff are deactivated and kept (R-ORG-12).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from tokutei.core.inforce import in_force_on


class Unit(models.Model):
    """所管 unit: 課・室・出先機関 (R-ORG-6)."""

    key = models.CharField(max_length=60, unique=True)
    name_ja = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name_ja


class User(AbstractUser):
    """A member of staff with a unique user ID (識別符号)."""

    class Employment(models.TextChoices):
        REGULAR = "regular", _("正規職員")
        PART_TIME = "part_time", _("嘱託員・会計年度任用職員")
        TEMPORARY = "temporary", _("臨時職員")
        DISPATCHED = "dispatched", _("派遣労働者")

    full_name = models.CharField(_("氏名"), max_length=100, blank=True)
    full_name_kana = models.CharField(_("氏名カナ"), max_length=100, blank=True)
    employee_no = models.CharField(_("職員番号"), max_length=30, blank=True)
    employment = models.CharField(_("雇用区分"), max_length=20, choices=Employment, default=Employment.REGULAR)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)  # never deleted, never reused (E-14)
    # 異動等 (001 §5.5, E-13): credentials for personal data suspended until the provisioning task is closed.
    credentials_suspended_at = models.DateTimeField(null=True, blank=True)
    # Raised to end every session of the user at once (folded into the session's auth hash).
    session_epoch = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password hash, with the session epoch folded in: raising the epoch (in the
        same transaction as a transfer) ends every session of the user at the next request, on any session
        backend, without finding the sessions. Epoch 0 keeps Django's own value (sessions made before the
        field existed stay valid)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]  # private in django-stubs
        return salted_hmac("tokutei.staff.User.session_auth_hash", f"{self.password}\x00{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Post(models.Model):
    """役職 (e.g. 事務局長, 年金課長). Roles filled ex officio follow the post's holder (R-ORG-2)."""

    key = models.CharField(max_length=60, unique=True)
    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return self.name_ja


class PostHolding(models.Model):
    """Who held a post, and when (dated history)."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="holdings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="post_holdings")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.post} {self.start_date}〜{self.end_date or ''}"


class RoleAssignment(models.Model):
    """A role held by a person, with dates — including handler designations and their task scope.

    Active when ``start_date <= today <= end_date`` (end inclusive) and not revoked. Revocation takes
    effect at once (001 §5-5): a transfer or end of designation sets ``revoked_at``.
    """

    class Basis(models.TextChoices):
        EX_OFFICIO = "ex_officio", _("充て職")
        DESIGNATION = "designation", _("指名・指定")
        BOOTSTRAP = "bootstrap", _("初期設定")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    role_key = models.CharField(max_length=60)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    tasks = models.JSONField(default=list, blank=True)  # task keys of the profile: the scope (E-02, E-04)
    basis = models.CharField(max_length=20, choices=Basis, default=Basis.DESIGNATION)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=200, blank=True)
    # 取扱いの範囲 (002 §4.4, 003 §3.10, E-04): narrower than the tasks, set by whom the profile names
    # (``handling_scope.set_by``). Empty lists: every record of the tasks. tokutei.policy.records reads them.
    scope_files = models.JSONField(default=list, blank=True)  # 特定個人情報ファイル ids
    scope_records = models.JSONField(default=list, blank=True)  # [[first, last], ...] record numbers (本人 #N)
    scope_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_set_at = models.DateTimeField(null=True, blank=True)
    scope_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user_id", "role_key", "-start_date"]
        indexes = [models.Index(fields=["role_key", "start_date"])]

    def __str__(self) -> str:
        return f"{self.role_key} {self.start_date}〜{self.end_date or ''}"

    def is_active_on(self, day: dt.date | None = None) -> bool:
        return in_force_on(self, day)

    @property
    def narrowed(self) -> bool:
        """A 取扱いの範囲 narrower than the tasks is set (E-04)."""
        return bool(self.scope_files or self.scope_records)


class Terminal(models.Model):
    """A registered terminal (端末の限定, 002 §31; 004 §14(7)).

    Registration issues a one-time enrolment code; the terminal's browser exchanges it for a long random
    credential kept in an HttpOnly cookie. Only its SHA-256 digest is stored here.
    """

    name = models.CharField(_("端末名"), max_length=100, unique=True)
    location = models.CharField(_("設置場所"), max_length=200, blank=True)
    asset_tag = models.CharField(_("資産番号"), max_length=60, blank=True)
    credential_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    enrolment_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    enrolment_expires_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    is_service_client = models.BooleanField(default=False)  # an API client system rather than a PC

    def __str__(self) -> str:
        return self.name

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.credential_digest is not None


class SecondFactor(models.Model):
    """A second factor of a user: TOTP (secret encrypted at rest) or a WebAuthn credential.

    A WebAuthn credential registered with user verification counts as 生体認証 (biometric_required).
    """

    class Kind(models.TextChoices):
        TOTP = "totp", _("ワンタイムパスワード (TOTP)")
        WEBAUTHN = "webauthn", _("生体認証・セキュリティキー (WebAuthn)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_factors")
    kind = models.CharField(max_length=10, choices=Kind)
    name = models.CharField(_("名前"), max_length=100, blank=True)
    secret_enc = models.TextField(blank=True)  # TOTP: AES-GCM ciphertext (staff.crypto), never the secret
    credential_id = models.CharField(max_length=400, blank=True)  # WebAuthn: base64url
    public_key = models.TextField(blank=True)  # WebAuthn: base64url COSE key
    sign_count = models.PositiveBigIntegerField(default=0)
    user_verified = models.BooleanField(default=False)
    last_counter = models.BigIntegerField(default=0)  # TOTP: last accepted time step (no replay)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user_id})"


class PasswordOnlyDecision(models.Model):
    """001 §5.3: the セキュリティ責任者 decided that biometric verification is extremely difficult for this
    operator, and the operator received the two instructions; only then ID + password sign-in is allowed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="password_only_decisions"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("やむを得ない事情"))
    instruction_management = models.TextField(_("識別符号及びパスワードの管理に関する指示"))
    instruction_proper_use = models.TextField(_("端末機の操作における適正利用に関する指示"))
    instructed_on = models.DateField(_("指示日"))
    start_date = models.DateField(_("開始日"))
    end_date = models.DateField(_("終了日"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ID・パスワード例外の決定 ({self.user_id})"

    def is_active_on(self, day: dt.date | None = None) -> bool:
        return in_force_on(self, day)


class ProvisioningTask(models.Model):
    """Set up or cancel credentials after a designation, post or unit change (R-IAM-9, 001 §5-5, E-13)."""

    class Kind(models.TextChoices):
        PROVISION = "provision", _("設定")
        DEPROVISION = "deprovision", _("取消し")

    class Outcome(models.TextChoices):
        SET = "set", _("設定した")
        CANCELLED = "cancelled", _("取り消した")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provisioning")
    kind = models.CharField(max_length=12, choices=Kind)
    cause = models.CharField(max_length=40)  # designation, revocation, transfer, post, deactivation
    assignment = models.ForeignKey(RoleAssignment, null=True, blank=True, on_delete=models.PROTECT)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome, blank=True)  # how it was closed (E-13)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["closed_at", "-opened_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cause} ({self.user_id})"
