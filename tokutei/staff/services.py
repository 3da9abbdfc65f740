"""Staff writes: users, posts, designations, transfers, terminals, password-only decisions.

Every write is one function, decided first (refusals are logged outside the write transaction), then done
in one transaction together with its operation-log entry. Role keys and articles come from the profile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tokutei.auditlog.services import record, refuse
from tokutei.core.inforce import in_force_q
from tokutei.profiles.selectors import get_profile

from .models import (
    PasswordOnlyDecision,
    Post,
    PostHolding,
    ProvisioningTask,
    RoleAssignment,
    Terminal,
    Unit,
    User,
)
from .selectors import (
    active_assignments,
    credential_digest,
    designatable_roles,
    forget_assignments,
    has_role,
    holders_count,
    role_keys,
)

ENROLMENT_VALID_FOR = dt.timedelta(hours=24)


def _admin_article() -> str:
    profile = get_profile()
    return next((profile.roles[k].article for k in sorted(profile.admin_roles())), "")


def _require_admin(actor: User, *, action: str, terminal: Any = None, target_type: str = "", target_id: Any = "") -> None:
    if not has_role(actor, get_profile().admin_roles()):
        raise refuse(
            "この操作はシステム管理者だけが行えます。", action=action, article=_admin_article(),
            actor=actor, terminal=terminal, target_type=target_type, target_id=target_id,
        )


# --- organisation structure -----------------------------------------------------------------------------


def ensure_org_structure() -> None:
    """Create the profile's units and posts as rows (idempotent); names follow the profile."""
    profile = get_profile()
    for key, unit in profile.units.items():
        Unit.objects.update_or_create(key=key, defaults={"name_ja": unit.ja, "name_en": unit.en})
    for key, post in profile.posts.items():
        row = Unit.objects.get(key=post.unit) if post.unit else None
        Post.objects.update_or_create(key=key, defaults={"name_ja": post.ja, "name_en": post.en, "unit": row})


# --- users ------------------------------------------------------------------------------------------------


def create_user(
    *,
    actor: User,
    terminal: Any = None,
    username: str,
    full_name: str,
    full_name_kana: str = "",
    employee_no: str = "",
    employment: str = User.Employment.REGULAR,
    unit: Unit | None = None,
    password: str | None = None,
    must_change_password: bool = True,
) -> tuple[User, str]:
    """A new member of staff with a unique user ID (E-14). Returns (user, initial password)."""
    _require_admin(actor, action="staff.user_create", terminal=terminal)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        # IDs are never reused, even those of deactivated staff (000 §14.2, 004 §14(7)).
        raise refuse(
            "このユーザIDは既に使われています（過去の職員を含め、ユーザIDは再利用できません）。",
            action="staff.user_create", article=get_profile().authentication.article, actor=actor,
            terminal=terminal, code="duplicate_user_id",
        )
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, full_name=full_name, full_name_kana=full_name_kana,
            employee_no=employee_no, employment=employment, unit=unit,
            must_change_password=must_change_password, password_changed_at=timezone.now(),
        )
        record(action="staff.user_create", actor=actor, terminal=terminal, target_type="user",
               target_id=user.pk, details={"user_id": user.username, "unit": unit.key if unit else ""})
    return user, password


def _revoke_all(user: User, *, actor: User, reason: str, now: dt.datetime) -> int:
    """Revoke every active or future assignment and end post holdings, at once (001 §5-5)."""
    qs = RoleAssignment.objects.filter(in_force_q(start=None), user=user)  # in force today or later
    count = qs.update(revoked_at=now, revoked_by=actor, revoke_reason=reason[:200])
    forget_assignments()  # update() sends no post_save: the request memo must not keep the old roles
    PostHolding.objects.filter(user=user, end_date__isnull=True).update(end_date=timezone.localdate())
    return count


def deactivate_user(*, actor: User, terminal: Any = None, user: User, reason: str = "") -> None:
    """Deactivate (never delete) a member of staff; all roles end at once, credentials are to be cancelled."""
    _require_admin(actor, action="staff.revoke", terminal=terminal, target_type="user", target_id=user.pk)
    now = timezone.now()
    with transaction.atomic():
        count = _revoke_all(user, actor=actor, reason=reason or "deactivated", now=now)
        user.is_active = False
        user.deactivated_at = now
        user.save(update_fields=["is_active", "deactivated_at"])
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.DEPROVISION, cause="deactivation",
                                        opened_by=actor)
        record(action="staff.revoke", actor=actor, terminal=terminal, target_type="user", target_id=user.pk,
               count=count, details={"cause": "deactivation"})


def change_password(*, user: User, terminal: Any = None, old_password: str | None, new_password: str) -> None:
    """Change one's own password (E-15: never shown or stored readable; Argon2id in production)."""
    if old_password is not None and not user.check_password(old_password):
        raise ValidationError("現在のパスワードが正しくありません。")
    if old_password is not None and old_password == new_password:
        raise ValidationError("新しいパスワードは現在のものと異なるものにしてください。")
    min_length = get_profile().authentication.password_min_length
    if len(new_password) < min_length:
        raise ValidationError(f"パスワードは{min_length}文字以上にしてください。")
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(action="staff.password_change", actor=user, terminal=terminal, target_type="user", target_id=user.pk)


def reset_credentials(
    *, actor: User, terminal: Any = None, user: User, password: bool = False, second_factors: bool = False,
    unlock: bool = False,
) -> str | None:
    """Administrator recovery: a new temporary password (returned, shown once), second factors revoked
    (the user enrols again at the next sign-in), and/or the lockout lifted. One log entry."""
    _require_admin(actor, action="staff.credential_reset", terminal=terminal, target_type="user",
                   target_id=user.pk)
    from .models import SecondFactor

    new_password = secrets.token_urlsafe(12) if password else None
    with transaction.atomic():
        fields = []
        if new_password is not None:
            user.set_password(new_password)
            user.must_change_password = True
            user.password_changed_at = timezone.now()
            fields += ["password", "must_change_password", "password_changed_at"]
        if unlock:
            user.locked_until = None
            user.failed_sign_ins = 0
            fields += ["locked_until", "failed_sign_ins"]
        if fields:
            user.save(update_fields=fields)
        revoked = 0
        if second_factors:
            revoked = SecondFactor.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(action="staff.credential_reset", actor=actor, terminal=terminal, target_type="user",
               target_id=user.pk, count=max(1, revoked),
               details={"password": bool(password), "second_factors": revoked, "unlock": bool(unlock)})
    return new_password


# --- posts (充て職, R-ORG-2) ------------------------------------------------------------------------------


def assign_post(*, actor: User, terminal: Any = None, user: User, post: Post, start_date: dt.date) -> PostHolding:
    """Make ``user`` the holder of ``post`` from ``start_date``: the previous holder's holding and ex-officio
    roles end the day before, and the roles whose ``posts`` include it start for the new holder."""
    _require_admin(actor, action="staff.designate", terminal=terminal, target_type="user", target_id=user.pk)
    profile = get_profile()
    if not user.is_active:
        raise refuse("無効化された職員には役職を割り当てられません。", action="staff.designate",
                     article=_admin_article(), actor=actor, terminal=terminal, target_type="user", target_id=user.pk)
    role_keys_for_post = [k for k, r in profile.roles.items() if post.key in r.posts]
    day_before = start_date - dt.timedelta(days=1)
    with transaction.atomic():
        for old in PostHolding.objects.select_for_update().filter(post=post, end_date__isnull=True):
            old.end_date = max(day_before, old.start_date)
            old.save(update_fields=["end_date"])
            ended = RoleAssignment.objects.filter(
                user=old.user, post=post, basis=RoleAssignment.Basis.EX_OFFICIO, revoked_at__isnull=True,
                end_date__isnull=True,
            ).update(end_date=old.end_date)
            forget_assignments()
            ProvisioningTask.objects.create(user=old.user, kind=ProvisioningTask.Kind.DEPROVISION, cause="post",
                                            opened_by=actor, note=post.name_ja)
            record(action="staff.revoke", actor=actor, terminal=terminal, target_type="user", target_id=old.user_id,
                   count=ended, details={"post": post.key, "basis": "ex_officio"})
        holding = PostHolding.objects.create(post=post, user=user, start_date=start_date, created_by=actor)
        for role_key in role_keys_for_post:
            RoleAssignment.objects.create(
                user=user, role_key=role_key, unit=post.unit, basis=RoleAssignment.Basis.EX_OFFICIO, post=post,
                start_date=start_date, designated_by=actor, note=post.name_ja,
            )
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.PROVISION, cause="post",
                                        opened_by=actor, note=post.name_ja)
        record(action="staff.designate", actor=actor, terminal=terminal, target_type="user", target_id=user.pk,
               count=len(role_keys_for_post),
               details={"post": post.key, "basis": "ex_officio", "roles": role_keys_for_post,
                        "start_date": start_date.isoformat()})
    return holding


def end_post_holding(*, actor: User, terminal: Any = None, holding: PostHolding, end_date: dt.date) -> None:
    _require_admin(actor, action="staff.revoke", terminal=terminal, target_type="user", target_id=holding.user_id)
    with transaction.atomic():
        holding.end_date = max(end_date, holding.start_date)
        holding.save(update_fields=["end_date"])
        count = RoleAssignment.objects.filter(
            user=holding.user, post=holding.post, basis=RoleAssignment.Basis.EX_OFFICIO, revoked_at__isnull=True,
            end_date__isnull=True,
        ).update(end_date=holding.end_date)
        forget_assignments()
        ProvisioningTask.objects.create(user=holding.user, kind=ProvisioningTask.Kind.DEPROVISION, cause="post",
                                        opened_by=actor, note=holding.post.name_ja)
        record(action="staff.revoke", actor=actor, terminal=terminal, target_type="user",
               target_id=holding.user_id, count=count, details={"post": holding.post.key, "basis": "ex_officio"})


# --- designations (R-ORG-3, E-11, E-33) -----------------------------------------------------------------


def designate(
    *,
    actor: User,
    terminal: Any = None,
    user: User,
    role_key: str,
    tasks: list[str] | None = None,
    unit: Unit | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    note: str = "",
) -> RoleAssignment:
    """Designate ``user`` to ``role_key`` with a task scope and dates, on the actor's authority."""
    profile = get_profile()
    tasks = list(dict.fromkeys(tasks or []))
    start_date = start_date or timezone.localdate()
    role = profile.roles.get(role_key)

    def no(message: str, code: str, article: str | None = None) -> Exception:
        return refuse(message, action="staff.designate", article=article or (role.article if role else ""),
                      actor=actor, terminal=terminal, target_type="user", target_id=user.pk,
                      code=code, details={"role": role_key})

    if role is None:
        raise no("プロファイルにない役割です。", "unknown_role", profile.organisation.article)
    if role_key not in designatable_roles(actor):
        if role.designated_by:
            names = "・".join(profile.roles[k].ja for k in role.designated_by)
            raise no(f"{role.ja}を指定できるのは{names}だけです。", "not_designator")
        if role.posts:
            raise no(f"{role.ja}は充て職です。役職の割当てで設定してください。", "ex_officio_role")
        raise no(f"{role.ja}を指定する権限がありません。", "not_designator")
    if not user.is_active:
        raise no("無効化された職員は指定できません。", "inactive_user")
    if end_date is not None and end_date < start_date:
        raise no("終了日が開始日より前です。", "bad_dates")
    # A unit-scoped designator (保護管理者) acts only within their own unit (R-ORG-6).
    actor_roles = role_keys(actor)
    scoped = [k for k in role.designated_by if k in actor_roles and profile.roles[k].unit_scoped]
    if scoped and not (actor_roles & set(role.designated_by) - set(scoped)) and actor.unit_id != user.unit_id:
        raise no("自分の所管課以外の職員は指定できません。", "outside_unit", profile.roles[scoped[0]].article)
    if role.eligible_units and (user.unit is None or user.unit.key not in role.eligible_units):
        units = "・".join(profile.units[k].ja for k in role.eligible_units if k in profile.units)
        raise no(f"{role.ja}に指定できるのは{units}の職員だけです。", "ineligible_unit")
    if role.eligible_roles and not (role_keys(user, on=start_date) & set(role.eligible_roles)):
        names = "・".join(profile.roles[k].ja for k in role.eligible_roles)
        raise no(f"{role.ja}に指定できるのは{names}として指定されている者だけです。", "ineligible_role")
    limit = role.exact_holders if role.exact_holders is not None else role.max_holders
    if limit is not None and holders_count(role_key, on=start_date, exclude_user=user) + 1 > limit:
        raise no(f"{role.ja}は{limit}名までです。既に{limit}名が指定されています。", "too_many_holders")
    selectable = profile.selectable_tasks()
    unknown = [t for t in tasks if t not in selectable]
    if unknown:
        raise no("選択できない事務が含まれています。", "unknown_task", profile.organisation.article)
    if role.handles_data and not tasks:
        raise no(f"{role.ja}には取り扱う事務の範囲を指定してください。", "no_task_scope")
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            user=user, role_key=role_key, unit=unit or user.unit, tasks=tasks,
            basis=RoleAssignment.Basis.DESIGNATION, start_date=start_date, end_date=end_date,
            designated_by=actor, note=note[:200],
        )
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.PROVISION, cause="designation",
                                        assignment=assignment, opened_by=actor)
        record(action="staff.designate", actor=actor, terminal=terminal, target_type="user", target_id=user.pk,
               article=role.article,
               details={"assignment_id": assignment.pk, "role": role_key, "tasks": tasks,
                        "start_date": start_date.isoformat(),
                        "end_date": end_date.isoformat() if end_date else ""})
    return assignment


def end_designation(
    *, actor: User, terminal: Any = None, assignment: RoleAssignment, end_date: dt.date | None = None,
    reason: str = "",
) -> RoleAssignment:
    """End a designation: today (or no date) revokes at once; a later date sets the end date."""
    profile = get_profile()
    role = profile.roles.get(assignment.role_key)
    allowed = assignment.role_key in designatable_roles(actor) or has_role(actor, profile.admin_roles())
    if not allowed:
        raise refuse("この指定を終了する権限がありません。", action="staff.revoke",
                     article=role.article if role else "", actor=actor, terminal=terminal,
                     target_type="user", target_id=assignment.user_id)
    today = timezone.localdate()
    with transaction.atomic():
        if end_date is None or end_date <= today:
            assignment.revoked_at = timezone.now()
            assignment.revoked_by = actor
            assignment.revoke_reason = reason[:200]
            assignment.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        else:
            assignment.end_date = end_date
            assignment.save(update_fields=["end_date"])
        ProvisioningTask.objects.create(user=assignment.user, kind=ProvisioningTask.Kind.DEPROVISION,
                                        cause="revocation", assignment=assignment, opened_by=actor)
        record(action="staff.revoke", actor=actor, terminal=terminal, target_type="user",
               target_id=assignment.user_id, article=role.article if role else "",
               details={"assignment_id": assignment.pk, "role": assignment.role_key,
                        "end_date": (end_date or today).isoformat()})
    return assignment


def transfer_user(*, actor: User, terminal: Any = None, user: User, unit: Unit, reason: str = "") -> int:
    """異動: every designation and post is revoked at once (001 §5-5, E-13); credentials to be redone."""
    _require_admin(actor, action="staff.transfer", terminal=terminal, target_type="user", target_id=user.pk)
    now = timezone.now()
    with transaction.atomic():
        old_unit = user.unit.key if user.unit else ""
        count = _revoke_all(user, actor=actor, reason=reason or "transfer", now=now)
        user.unit = unit
        user.save(update_fields=["unit"])
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.DEPROVISION, cause="transfer",
                                        opened_by=actor, note=f"{old_unit}→{unit.key}")
        record(action="staff.transfer", actor=actor, terminal=terminal, target_type="user", target_id=user.pk,
               count=count, details={"from_unit": old_unit, "to_unit": unit.key, "revoked": count})
    return count


def close_provisioning_task(*, actor: User, terminal: Any = None, task: ProvisioningTask, note: str = "") -> None:
    _require_admin(actor, action="staff.provisioning_close", terminal=terminal, target_type="user",
                   target_id=task.user_id)
    with transaction.atomic():
        task.closed_at = timezone.now()
        task.closed_by = actor
        if note:
            task.note = note[:200]
        task.save(update_fields=["closed_at", "closed_by", "note"])
        record(action="staff.provisioning_close", actor=actor, terminal=terminal, target_type="user",
               target_id=task.user_id, details={"task_id": task.pk, "kind": task.kind, "cause": task.cause})


# --- the 001 §5.3 password-only exception ---------------------------------------------------------------


def record_password_only_decision(
    *, actor: User, terminal: Any = None, user: User, reason: str, instruction_management: str,
    instruction_proper_use: str, instructed_on: dt.date, start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> PasswordOnlyDecision:
    """Record the セキュリティ責任者's decision and the two instructions (001 §5.3, E-12)."""
    exception = get_profile().authentication.password_only_exception
    if not exception.allowed:
        raise refuse("この組織ではID・パスワードのみの例外は認められていません。", action="staff.password_only",
                     article=get_profile().authentication.article, actor=actor, terminal=terminal,
                     target_type="user", target_id=user.pk)
    if not has_role(actor, exception.granted_by):
        raise refuse("この決定を記録できるのはセキュリティ責任者だけです。", action="staff.password_only",
                     article=exception.article, actor=actor, terminal=terminal, target_type="user",
                     target_id=user.pk)
    if not (reason.strip() and instruction_management.strip() and instruction_proper_use.strip()):
        raise ValidationError("事情と二つの指示をすべて記録してください。")
    with transaction.atomic():
        decision = PasswordOnlyDecision.objects.create(
            user=user, decided_by=actor, reason=reason, instruction_management=instruction_management,
            instruction_proper_use=instruction_proper_use, instructed_on=instructed_on,
            start_date=start_date or timezone.localdate(), end_date=end_date,
        )
        record(action="staff.password_only", actor=actor, terminal=terminal, target_type="user",
               target_id=user.pk, article=exception.article, details={"decision_id": decision.pk})
    return decision


# --- registered terminals (002 §31, 004 §14(7)) ---------------------------------------------------------


def _new_enrolment_code() -> str:
    # 16 characters of an unambiguous alphabet (~80 bits), grouped for reading aloud.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def _code_digest(code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


def register_terminal(
    *, actor: User, terminal: Any = None, name: str, location: str = "", asset_tag: str = "",
    is_service_client: bool = False,
) -> tuple[Terminal, str]:
    """Register a terminal; returns it and a one-time enrolment code (shown once, stored as a digest)."""
    _require_admin(actor, action="staff.terminal_register", terminal=terminal)
    if Terminal.objects.filter(name=name).exists():
        raise ValidationError("同じ名前の端末が既に登録されています。")
    code = _new_enrolment_code()
    expires_at = timezone.now() + ENROLMENT_VALID_FOR
    with transaction.atomic():
        row = Terminal.objects.create(
            name=name, location=location, asset_tag=asset_tag, registered_by=actor,
            enrolment_digest=_code_digest(code), enrolment_expires_at=expires_at,
            is_service_client=is_service_client,
        )
        record(action="staff.terminal_register", actor=actor, terminal=terminal, target_type="terminal",
               target_id=row.pk, details={"expires_at": expires_at.isoformat()})
    return row, code


def reissue_enrolment_code(*, actor: User, terminal: Any = None, target: Terminal) -> str:
    """A new one-time code for a registered terminal (e.g. a replaced browser); the old credential stops."""
    _require_admin(actor, action="staff.terminal_register", terminal=terminal, target_type="terminal",
                   target_id=target.pk)
    if target.revoked_at is not None:
        raise ValidationError("取り消された端末には再発行できません。新しく登録してください。")
    code = _new_enrolment_code()
    with transaction.atomic():
        target.enrolment_digest = _code_digest(code)
        target.enrolment_expires_at = timezone.now() + ENROLMENT_VALID_FOR
        target.credential_digest = None
        target.save(update_fields=["enrolment_digest", "enrolment_expires_at", "credential_digest"])
        record(action="staff.terminal_register", actor=actor, terminal=terminal, target_type="terminal",
               target_id=target.pk, details={"reissue": True})
    return code


def enrol_terminal(*, code: str, actor: Any = None) -> tuple[Terminal, str]:
    """Exchange a valid enrolment code for the terminal's long random credential (returned once)."""
    digest = _code_digest(code)
    row = Terminal.objects.filter(enrolment_digest=digest, revoked_at__isnull=True).first()
    if row is None or row.enrolment_expires_at is None or row.enrolment_expires_at < timezone.now():
        raise refuse("登録コードが正しくないか、有効期限が切れています。", action="staff.terminal_enrol",
                     article=get_profile().authentication.article, actor=actor,
                     target_type="terminal", target_id=row.pk if row else "", code="bad_code")
    credential = secrets.token_urlsafe(48)
    with transaction.atomic():
        row.credential_digest = credential_digest(credential)
        row.enrolment_digest = None
        row.enrolment_expires_at = None
        row.enrolled_at = timezone.now()
        row.save(update_fields=["credential_digest", "enrolment_digest", "enrolment_expires_at", "enrolled_at"])
        record(action="staff.terminal_enrol", actor=actor, terminal=row, target_type="terminal", target_id=row.pk)
    return row, credential


def revoke_terminal(*, actor: User, terminal: Any = None, target: Terminal, reason: str = "") -> None:
    _require_admin(actor, action="staff.terminal_revoke", terminal=terminal, target_type="terminal",
                   target_id=target.pk)
    with transaction.atomic():
        target.revoked_at = timezone.now()
        target.revoked_by = actor
        target.enrolment_digest = None
        target.save(update_fields=["revoked_at", "revoked_by", "enrolment_digest"])
        record(action="staff.terminal_revoke", actor=actor, terminal=terminal, target_type="terminal",
               target_id=target.pk, reason=reason)


__all__ = [
    "active_assignments",
    "assign_post",
    "change_password",
    "close_provisioning_task",
    "create_user",
    "deactivate_user",
    "designate",
    "end_designation",
    "end_post_holding",
    "enrol_terminal",
    "ensure_org_structure",
    "record_password_only_decision",
    "register_terminal",
    "reissue_enrolment_code",
    "reset_credentials",
    "revoke_terminal",
    "transfer_user",
]
