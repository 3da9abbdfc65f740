"""Staff writes: users, posts, designations, transfers, terminals, password-only decisions.

Every write is one keyword-only function taking the ``Actor`` who does it: decided first by the one
policy (``tokutei.policy.require`` with the rules of ``tokutei.staff.rules``; a refusal is logged outside
the write transaction), then done in one durable transaction whose last statement is its operation-log
entry. Role keys and articles come from the profile.
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
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from . import credentials, guards
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
from .rules import RoleTarget
from .selectors import (
    active_assignments,
    credential_digest,
    forget_assignments,
    holders_count,
    ineligibility,
)

ENROLMENT_VALID_FOR = dt.timedelta(hours=24)


def _refuse(actor: Actor, message: str, *, action: Action, article: str, code: str, target_type: str = "",
            target_id: Any = "", details: dict | None = None) -> Refused:
    """Log a refusal that the rule book cannot know (a fact about the data, not the actor) and return it."""
    return refuse(message, action=action, article=article, code=code, **actor.log_fields(), target_type=target_type,
                  target_id=target_id, details={"channel": actor.channel.value, **(details or {})})


def _objections(no: Any, actor: Actor, change: guards.Change) -> dict[str, list[str]]:
    """Ask the other apps' guards (tokutei.staff.guards): a refusal is raised, warnings are returned for the log."""
    found = guards.objections(actor, change)
    refusal = next((o for o in found if o.refuse), None)
    if refusal is not None:
        raise no(refusal.message, refusal.code, refusal.article)
    return {"warnings": [o.code for o in found]} if found else {}


# --- organisation structure -----------------------------------------------------------------------------


def ensure_org_structure(profile: Any = None) -> dict[str, int]:
    """Create the profile's units and posts as rows (idempotent); names follow the profile.

    Runs where the profile is put in force (``tokutei init``, whose log entry records the counts) and
    for the demo — never on a page view. Returns how many units and posts the profile defines.
    """
    profile = profile or get_profile()
    for key, unit in profile.units.items():
        Unit.objects.update_or_create(key=key, defaults={"name_ja": unit.ja, "name_en": unit.en})
    for key, post in profile.posts.items():
        row = Unit.objects.get(key=post.unit) if post.unit else None
        Post.objects.update_or_create(key=key, defaults={"name_ja": post.ja, "name_en": post.en, "unit": row})
    return {"units": len(profile.units), "posts": len(profile.posts)}


# --- users ------------------------------------------------------------------------------------------------


def create_user(
    *,
    actor: Actor,
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
    require(actor, Action.STAFF_USER_CREATE, target=("user", ""))
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        # IDs are never reused, even those of deactivated staff (000 §14.2, 004 §14(7)).
        raise _refuse(actor, _("このユーザIDは既に使われています（過去の職員を含め、ユーザIDは再利用できません）"),
                      action=Action.STAFF_USER_CREATE, article=get_profile().authentication.article,
                      code="duplicate_user_id")
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic(durable=True):
        user = User.objects.create_user(
            username=username, password=password, full_name=full_name, full_name_kana=full_name_kana,
            employee_no=employee_no, employment=employment, unit=unit,
            must_change_password=must_change_password, password_changed_at=timezone.now(),
        )
        record(action=Action.STAFF_USER_CREATE, **actor.log_fields(), target_type="user",
               target_id=user.pk, details={"user_id": user.username, "unit": unit.key if unit else ""})
    return user, password


def _revoke_all(user: User, *, actor: User | None, reason: str, now: dt.datetime) -> int:
    """Revoke every active or future assignment and end post holdings, at once (001 §5-5).

    A step of the transfer and deactivation services (``actor`` is the user who revokes), not a service.
    """
    qs = RoleAssignment.objects.filter(in_force_q(start=None), user=user)  # in force today or later
    count = qs.update(revoked_at=now, revoked_by=actor, revoke_reason=reason[:200])
    forget_assignments()  # update() sends no post_save: the request memo must not keep the old roles
    PostHolding.objects.filter(user=user, end_date__isnull=True).update(end_date=timezone.localdate())
    return count


def deactivate_user(*, actor: Actor, user: User, reason: str = "") -> None:
    """Deactivate (never delete) a member of staff; all roles end at once, credentials are to be cancelled."""
    require(actor, Action.STAFF_REVOKE, user, target=("user", user.pk), details={"cause": "deactivation"})
    with transaction.atomic(durable=True):
        deactivation_step(actor=actor, user=user, reason=reason, cause="deactivation")


def deactivation_step(*, actor: Actor, user: User, reason: str, cause: str) -> int:
    """The writes of a deactivation and their log entry, inside the caller's transaction — for a service
    that has already decided ``Action.STAFF_REVOKE`` (this one, or an incident's measure)."""
    now = timezone.now()
    count = _revoke_all(user, actor=actor.user, reason=reason or "deactivated", now=now)
    user.is_active = False
    user.deactivated_at = now
    user.save(update_fields=["is_active", "deactivated_at"])
    ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.DEPROVISION, cause=cause,
                                    opened_by=actor.user)
    suspended = credentials.suspend_step(user, now=now)
    record(action=Action.STAFF_REVOKE, **actor.log_fields(), target_type="user", target_id=user.pk,
           count=count, details={"cause": cause, **suspended})
    return count


def change_password(*, actor: Actor, old_password: str | None, new_password: str) -> None:
    """Change one's own password (E-15: never shown or stored readable; Argon2id in production)."""
    user = actor.user
    if old_password is not None and not user.check_password(old_password):
        raise ValidationError(_("現在のパスワードが正しくありません。"))
    if old_password is not None and old_password == new_password:
        raise ValidationError(_("新しいパスワードは現在のものと異なるものにしてください。"))
    min_length = get_profile().authentication.password_min_length
    if len(new_password) < min_length:
        raise ValidationError(_("パスワードは%(n)s文字以上にしてください。") % {"n": min_length})
    validate_password(new_password, user)
    with transaction.atomic(durable=True):
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(action=Action.STAFF_PASSWORD_CHANGE, **actor.log_fields(), target_type="user", target_id=user.pk)


def reset_credentials(
    *, actor: Actor, user: User, password: bool = False, second_factors: bool = False, unlock: bool = False,
    approval_id: int | str | None = None,
) -> str | None:
    """Administrator recovery: a new temporary password (returned, shown once), second factors revoked
    (the user enrols again at the next sign-in), and/or the lockout lifted. One log entry.

    Revoking a WebAuthn authenticator deletes the person's 照合情報: where the profile requires an approved
    application for that (000 §7.3, E-10: the 拠点管理者 applies, the システム管理者 approves), the guards of
    ``factors.DELETION_GUARDS`` refuse the reset without one (logged, citing the approval's article) and, with
    one, use it and record the deletion in the 照合情報管理簿. ``approval_id`` names the approval; without it
    the newest approved application for this person is used. Elsewhere the reset revokes as before."""
    require(actor, Action.STAFF_CREDENTIAL_RESET, user, target=("user", user.pk))
    from . import factors
    from .models import SecondFactor

    webauthn_ids = list(SecondFactor.objects.filter(
        user=user, kind=SecondFactor.Kind.WEBAUTHN, revoked_at__isnull=True).values_list("pk", flat=True)
    ) if second_factors else []
    tokens = [check(actor=actor, user=user, factor_ids=webauthn_ids, approval_id=approval_id)
              for check, _done in factors.DELETION_GUARDS]
    new_password = secrets.token_urlsafe(12) if password else None
    with transaction.atomic(durable=True):
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
        details: dict[str, Any] = {}
        if second_factors:
            revoked = SecondFactor.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
            for (_check, done), token in zip(factors.DELETION_GUARDS, tokens, strict=True):
                details.update(done(actor=actor, user=user, factor_ids=webauthn_ids, token=token) or {})
            # A suspension kept only for authenticators awaiting their deletion application ends with them.
            credentials.lift_step(user, details)
        record(action=Action.STAFF_CREDENTIAL_RESET, **actor.log_fields(), target_type="user",
               target_id=user.pk, count=max(1, revoked), article=details.pop("article", ""),
               details={"password": bool(password), "second_factors": revoked, "unlock": bool(unlock), **details})
    return new_password


# --- posts (充て職, R-ORG-2) ------------------------------------------------------------------------------


def assign_post(*, actor: Actor, user: User, post: Post, start_date: dt.date) -> PostHolding:
    """Make ``user`` the holder of ``post`` from ``start_date``: the previous holder's holding and ex-officio
    roles end the day before, and the roles whose ``posts`` include it start for the new holder.

    The new holder must be eligible for every role the post carries (``eligible_units`` /
    ``eligible_roles``, E-33), exactly as for a designation (``selectors.ineligibility``).
    """
    require(actor, Action.STAFF_DESIGNATE, post, target=("user", user.pk), details={"post": post.key})
    profile = get_profile()
    role_keys_for_post = [k for k, r in profile.roles.items() if post.key in r.posts]
    if not user.is_active:
        raise _refuse(actor, _("無効化された職員には役職を割り当てられません"), action=Action.STAFF_DESIGNATE,
                      article=profile.roles[role_keys_for_post[0]].article if role_keys_for_post
                      else profile.organisation.article, code="inactive_user", target_type="user",
                      target_id=user.pk, details={"post": post.key})
    for role_key in role_keys_for_post:
        problem = ineligibility(role_key, user, on=start_date)
        if problem is not None:
            raise _refuse(actor, problem[0], action=Action.STAFF_DESIGNATE, article=profile.roles[role_key].article,
                          code=problem[1], target_type="user", target_id=user.pk,
                          details={"post": post.key, "role": role_key})
    def no(message: str, code: str, article: str | None = None) -> Refused:
        return _refuse(actor, message, action=Action.STAFF_DESIGNATE, code=code, target_type="user",
                       target_id=user.pk, details={"post": post.key},
                       article=article or profile.organisation.article)

    warnings = _objections(no, actor, guards.Change(user=user, role_keys=tuple(role_keys_for_post),
                                                    unit_id=post.unit_id, start_date=start_date, post_key=post.key))
    day_before = start_date - dt.timedelta(days=1)
    with transaction.atomic(durable=True):
        for old in PostHolding.objects.select_for_update().filter(post=post, end_date__isnull=True):
            old.end_date = max(day_before, old.start_date)
            old.save(update_fields=["end_date"])
            ended = RoleAssignment.objects.filter(
                user=old.user, post=post, basis=RoleAssignment.Basis.EX_OFFICIO, revoked_at__isnull=True,
                end_date__isnull=True,
            ).update(end_date=old.end_date)
            forget_assignments()
            ProvisioningTask.objects.create(user=old.user, kind=ProvisioningTask.Kind.DEPROVISION, cause="post",
                                            opened_by=actor.user, note=post.name_ja)
            # The old holder's roles end before today: their credentials are suspended now (E-13).
            suspended = (credentials.suspend_step(old.user, now=timezone.now())
                         if old.end_date < timezone.localdate() else {})
            record(action=Action.STAFF_REVOKE, **actor.log_fields(), target_type="user", target_id=old.user_id,
                   count=ended, details={"post": post.key, "basis": "ex_officio", **suspended})
        holding = PostHolding.objects.create(post=post, user=user, start_date=start_date, created_by=actor.user)
        for role_key in role_keys_for_post:
            RoleAssignment.objects.create(
                user=user, role_key=role_key, unit=post.unit, basis=RoleAssignment.Basis.EX_OFFICIO, post=post,
                start_date=start_date, designated_by=actor.user, note=post.name_ja,
            )
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.PROVISION, cause="post",
                                        opened_by=actor.user, note=post.name_ja)
        record(action=Action.STAFF_DESIGNATE, **actor.log_fields(), target_type="user", target_id=user.pk,
               count=len(role_keys_for_post),
               details={"post": post.key, "basis": "ex_officio", "roles": role_keys_for_post,
                        "start_date": start_date.isoformat(), **warnings})
    return holding


def end_post_holding(*, actor: Actor, holding: PostHolding, end_date: dt.date) -> None:
    require(actor, Action.STAFF_REVOKE, holding, target=("user", holding.user_id),
            details={"post": holding.post.key})
    with transaction.atomic(durable=True):
        holding.end_date = max(end_date, holding.start_date)
        holding.save(update_fields=["end_date"])
        count = RoleAssignment.objects.filter(
            user=holding.user, post=holding.post, basis=RoleAssignment.Basis.EX_OFFICIO, revoked_at__isnull=True,
            end_date__isnull=True,
        ).update(end_date=holding.end_date)
        forget_assignments()
        ProvisioningTask.objects.create(user=holding.user, kind=ProvisioningTask.Kind.DEPROVISION, cause="post",
                                        opened_by=actor.user, note=holding.post.name_ja)
        suspended = (credentials.suspend_step(holding.user, now=timezone.now())
                     if holding.end_date < timezone.localdate() else {})
        record(action=Action.STAFF_REVOKE, **actor.log_fields(), target_type="user", target_id=holding.user_id,
               count=count, details={"post": holding.post.key, "basis": "ex_officio", **suspended})


# --- designations (R-ORG-3, E-11, E-33) -----------------------------------------------------------------


def designate(
    *,
    actor: Actor,
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
    require(actor, Action.STAFF_DESIGNATE, RoleTarget(role_key, user), target=("user", user.pk),
            details={"role": role_key})
    role = profile.roles[role_key]

    def no(message: str, code: str, article: str | None = None) -> Refused:
        return _refuse(actor, message, action=Action.STAFF_DESIGNATE, article=article or role.article, code=code,
                       target_type="user", target_id=user.pk, details={"role": role_key})

    if not user.is_active:
        raise no(_("無効化された職員は指定できません"), "inactive_user")
    if end_date is not None and end_date < start_date:
        raise no(_("終了日が開始日より前です"), "bad_dates")
    problem = ineligibility(role_key, user, on=start_date)
    if problem is not None:
        raise no(*problem)
    limit = role.exact_holders if role.exact_holders is not None else role.max_holders
    if limit is not None and holders_count(role_key, on=start_date, exclude_user=user) + 1 > limit:
        raise no(_("%(role)sは%(n)s名までです。既に%(n)s名が指定されています") % {"role": role.ja, "n": limit},
                 "too_many_holders")
    selectable = profile.selectable_tasks()
    unknown = [t for t in tasks if t not in selectable]
    if unknown:
        raise no(_("選択できない事務が含まれています"), "unknown_task", profile.organisation.article)
    if role.handles_data and not tasks:
        raise no(_("%(role)sには取り扱う事務の範囲を指定してください") % {"role": role.ja}, "no_task_scope")
    target_unit = unit or user.unit
    warnings = _objections(no, actor, guards.Change(user=user, role_keys=(role_key,), start_date=start_date,
                                                    unit_id=target_unit.pk if target_unit else None))
    with transaction.atomic(durable=True):
        assignment = RoleAssignment.objects.create(
            user=user, role_key=role_key, unit=unit or user.unit, tasks=tasks,
            basis=RoleAssignment.Basis.DESIGNATION, start_date=start_date, end_date=end_date,
            designated_by=actor.user, note=note[:200],
        )
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.PROVISION, cause="designation",
                                        assignment=assignment, opened_by=actor.user)
        record(action=Action.STAFF_DESIGNATE, **actor.log_fields(), target_type="user", target_id=user.pk,
               article=role.article,
               details={"assignment_id": assignment.pk, "role": role_key, "tasks": tasks,
                        "start_date": start_date.isoformat(),
                        "end_date": end_date.isoformat() if end_date else "", **warnings})
    return assignment


def end_designation(
    *, actor: Actor, assignment: RoleAssignment, end_date: dt.date | None = None, reason: str = "",
) -> RoleAssignment:
    """End a designation: today (or no date) revokes at once; a later date sets the end date."""
    require(actor, Action.STAFF_REVOKE, assignment, target=("user", assignment.user_id),
            details={"assignment_id": assignment.pk, "role": assignment.role_key})
    role = get_profile().roles.get(assignment.role_key)
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        suspended: dict[str, bool] = {}
        if end_date is None or end_date <= today:
            assignment.revoked_at = timezone.now()
            assignment.revoked_by = actor.user
            assignment.revoke_reason = reason[:200]
            assignment.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
            forget_assignments()
            # Ended now: the person's credentials are suspended at once (001 §5.5, 002 §10.1, E-13).
            suspended = credentials.suspend_step(assignment.user, now=assignment.revoked_at)
        else:
            assignment.end_date = end_date
            assignment.save(update_fields=["end_date"])
        ProvisioningTask.objects.create(user=assignment.user, kind=ProvisioningTask.Kind.DEPROVISION,
                                        cause="revocation", assignment=assignment, opened_by=actor.user)
        record(action=Action.STAFF_REVOKE, **actor.log_fields(), target_type="user",
               target_id=assignment.user_id, article=role.article if role else "",
               details={"assignment_id": assignment.pk, "role": assignment.role_key,
                        "end_date": (end_date or today).isoformat(), **suspended})
    return assignment


def transfer_user(*, actor: Actor, user: User, unit: Unit, reason: str = "") -> int:
    """異動: every designation and post is revoked at once (001 §5-5, E-13); credentials to be redone."""
    require(actor, Action.STAFF_TRANSFER, user, target=("user", user.pk))
    now = timezone.now()
    with transaction.atomic(durable=True):
        old_unit = user.unit.key if user.unit else ""
        count = _revoke_all(user, actor=actor.user, reason=reason or "transfer", now=now)
        user.unit = unit
        user.save(update_fields=["unit"])
        ProvisioningTask.objects.create(user=user, kind=ProvisioningTask.Kind.DEPROVISION, cause="transfer",
                                        opened_by=actor.user, note=f"{old_unit}→{unit.key}")
        suspended = credentials.suspend_step(user, now=now)  # sessions, second factors, API tokens (E-13)
        record(action=Action.STAFF_TRANSFER, **actor.log_fields(), target_type="user", target_id=user.pk,
               count=count, details={"from_unit": old_unit, "to_unit": unit.key, "revoked": count, **suspended})
    return count


def close_provisioning_task(*, actor: Actor, task: ProvisioningTask, outcome: str, note: str = "") -> None:
    """Close a provisioning task as set (設定) or cancelled (取消し) — it stays open until one of them (E-13).

    A deprovisioning task closed as cancelled revokes the person's second factors and API tokens; the
    suspension of their credentials is lifted once none of their deprovisioning tasks is open
    (tokutei.staff.credentials)."""
    require(actor, Action.STAFF_PROVISIONING_CLOSE, task, target=("user", task.user_id))
    if outcome not in ProvisioningTask.Outcome.values:
        raise ValidationError(_("設定したか取り消したかを選択してください。"))
    if task.closed_at is not None:
        raise ValidationError(_("この手続は既に完了しています。"))
    with transaction.atomic(durable=True):
        now = timezone.now()
        task.closed_at = now
        task.closed_by = actor.user
        task.outcome = outcome
        if note:
            task.note = note[:200]
        task.save(update_fields=["closed_at", "closed_by", "outcome", "note"])
        effects = credentials.resolve_step(task, now=now)
        record(action=Action.STAFF_PROVISIONING_CLOSE, **actor.log_fields(), target_type="user",
               target_id=task.user_id, article=get_profile().authentication.on_change_article,
               details={"task_id": task.pk, "kind": task.kind, "cause": task.cause, "outcome": outcome, **effects})


# --- the 001 §5.3 password-only exception ---------------------------------------------------------------


def record_password_only_decision(
    *, actor: Actor, user: User, reason: str, instruction_management: str, instruction_proper_use: str,
    instructed_on: dt.date, start_date: dt.date | None = None, end_date: dt.date | None = None,
) -> PasswordOnlyDecision:
    """Record the セキュリティ責任者's decision and the two instructions (001 §5.3, E-12)."""
    exception = get_profile().authentication.password_only_exception
    if not exception.allowed:
        raise _refuse(actor, _("この組織ではID・パスワードのみの例外は認められていません"),
                      action=Action.STAFF_PASSWORD_ONLY, article=get_profile().authentication.article,
                      code="not_allowed", target_type="user", target_id=user.pk)
    require(actor, Action.STAFF_PASSWORD_ONLY, user, target=("user", user.pk))
    if not (reason.strip() and instruction_management.strip() and instruction_proper_use.strip()):
        raise ValidationError(_("事情と二つの指示をすべて記録してください。"))
    with transaction.atomic(durable=True):
        decision = PasswordOnlyDecision.objects.create(
            user=user, decided_by=actor.user, reason=reason, instruction_management=instruction_management,
            instruction_proper_use=instruction_proper_use, instructed_on=instructed_on,
            start_date=start_date or timezone.localdate(), end_date=end_date,
        )
        record(action=Action.STAFF_PASSWORD_ONLY, **actor.log_fields(), target_type="user",
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
    *, actor: Actor, name: str, location: str = "", asset_tag: str = "", is_service_client: bool = False,
) -> tuple[Terminal, str]:
    """Register a terminal; returns it and a one-time enrolment code (shown once, stored as a digest)."""
    require(actor, Action.STAFF_TERMINAL_REGISTER, target=("terminal", ""))
    if Terminal.objects.filter(name=name).exists():
        raise ValidationError(_("同じ名前の端末が既に登録されています。"))
    code = _new_enrolment_code()
    expires_at = timezone.now() + ENROLMENT_VALID_FOR
    with transaction.atomic(durable=True):
        row = Terminal.objects.create(
            name=name, location=location, asset_tag=asset_tag, registered_by=actor.user,
            enrolment_digest=_code_digest(code), enrolment_expires_at=expires_at,
            is_service_client=is_service_client,
        )
        record(action=Action.STAFF_TERMINAL_REGISTER, **actor.log_fields(), target_type="terminal",
               target_id=row.pk, details={"expires_at": expires_at.isoformat()})
    return row, code


def reissue_enrolment_code(*, actor: Actor, target: Terminal) -> str:
    """A new one-time code for a registered terminal (e.g. a replaced browser); the old credential stops."""
    require(actor, Action.STAFF_TERMINAL_REGISTER, target, details={"reissue": True})
    if target.revoked_at is not None:
        raise ValidationError(_("取り消された端末には再発行できません。新しく登録してください。"))
    code = _new_enrolment_code()
    with transaction.atomic(durable=True):
        target.enrolment_digest = _code_digest(code)
        target.enrolment_expires_at = timezone.now() + ENROLMENT_VALID_FOR
        target.credential_digest = None
        target.save(update_fields=["enrolment_digest", "enrolment_expires_at", "credential_digest"])
        record(action=Action.STAFF_TERMINAL_REGISTER, **actor.log_fields(), target_type="terminal",
               target_id=target.pk, details={"reissue": True})
    return code


def enrol_terminal(*, actor: Actor, code: str) -> tuple[Terminal, str]:
    """Exchange a valid enrolment code for the terminal's long random credential (returned once).

    The code is the authority (whoever holds it sits at the terminal being registered; no sign-in is
    needed), so there is no rule for it in the rule book: a wrong or expired code is refused and logged.
    """
    digest = _code_digest(code)
    row = Terminal.objects.filter(enrolment_digest=digest, revoked_at__isnull=True).first()
    if row is None or row.enrolment_expires_at is None or row.enrolment_expires_at < timezone.now():
        raise _refuse(actor, _("登録コードが正しくないか、有効期限が切れています"), action=Action.STAFF_TERMINAL_ENROL,
                      article=get_profile().authentication.article, code="bad_code", target_type="terminal",
                      target_id=row.pk if row else "")
    credential = secrets.token_urlsafe(48)
    with transaction.atomic(durable=True):
        row.credential_digest = credential_digest(credential)
        row.enrolment_digest = None
        row.enrolment_expires_at = None
        row.enrolled_at = timezone.now()
        row.save(update_fields=["credential_digest", "enrolment_digest", "enrolment_expires_at", "enrolled_at"])
        record(action=Action.STAFF_TERMINAL_ENROL, actor=actor.user, terminal=row, target_type="terminal",
               target_id=row.pk)
    return row, credential


def revoke_terminal(*, actor: Actor, target: Terminal, reason: str = "") -> None:
    require(actor, Action.STAFF_TERMINAL_REVOKE, target)
    with transaction.atomic(durable=True):
        terminal_revocation_step(actor=actor, target=target, reason=reason)


def terminal_revocation_step(*, actor: Actor, target: Terminal, reason: str) -> None:
    """The writes of a terminal's revocation and their log entry, inside the caller's transaction — for a
    service that has already decided ``Action.STAFF_TERMINAL_REVOKE``."""
    target.revoked_at = timezone.now()
    target.revoked_by = actor.user
    target.enrolment_digest = None
    target.save(update_fields=["revoked_at", "revoked_by", "enrolment_digest"])
    record(action=Action.STAFF_TERMINAL_REVOKE, **actor.log_fields(), target_type="terminal",
           target_id=target.pk, reason=reason)


__all__ = [
    "active_assignments",
    "assign_post",
    "change_password",
    "close_provisioning_task",
    "create_user",
    "deactivate_user",
    "deactivation_step",
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
    "terminal_revocation_step",
    "transfer_user",
]
