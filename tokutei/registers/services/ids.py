"""IDs and 照合情報 (000 §7.3, §14.2, §15; E-10). Issue 17.

* the ユーザID管理簿 is read from the live accounts (``user_id_rows``) — issued, to whom, by whom, suspended,
  returned — never typed by hand;
* the 照合情報管理簿 holds every WebAuthn authenticator enrolled as an operator's 照合情報, with the approval
  it was enrolled under;
* where the profile names the approvals ``biometric_register`` / ``biometric_delete`` /
  ``delegated_authority_add`` / ``delegated_authority_return`` (000: applied for by a 拠点管理者, approved by
  the システム管理者), enrolling or deleting an authenticator and adding or returning delegated authority
  happen only with such an approval for that person, used once. The staff app's enrolment calls the guard
  registered here (``tokutei.staff.factors.ENROLMENT_GUARDS``); profiles without those approvals enrol freely.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals.models import ApprovalRequest
from tokutei.approvals.services import consume_approval, require_approval, rule_for
from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record, refuse
from tokutei.policy import Actor, Channel, get_or_refuse

from ..models import BiometricRecord, DelegatedAuthority

REGISTER_OPERATION = "biometric_register"
DELETE_OPERATION = "biometric_delete"


def approved_for(user, operation: str) -> ApprovalRequest | None:
    """The newest approved, unexpired application of ``operation`` whose subject is ``user``."""
    now = timezone.now()
    for req in ApprovalRequest.objects.filter(operation=operation, subject=user,
                                              status=ApprovalRequest.Status.APPROVED).order_by("-id")[:10]:
        if not req.is_expired(now):
            return req
    return None


def requires_application(operation: str = REGISTER_OPERATION) -> bool:
    return rule_for(operation) is not None


def deletion_needs_application() -> bool:
    return requires_application(DELETE_OPERATION)


# --- the staff app's enrolment guard (E-10) ----------------------------------------------------------------


def enrolment_check(*, user, terminal=None) -> ApprovalRequest | None:
    """Before a WebAuthn authenticator is enrolled: the approved application for this person, or a logged
    refusal naming the missing approval. None where the profile requires none."""
    if not requires_application(REGISTER_OPERATION):
        return None
    actor = Actor(user=user, terminal=terminal, channel=Channel.WEB)
    found = approved_for(user, REGISTER_OPERATION)
    return require_approval(operation=REGISTER_OPERATION, actor=actor, approval_id=found.pk if found else None,
                            action=Action.STAFF_SECOND_FACTOR_ENROL, target_type="user", target_id=user.pk)


def enrolment_done(*, user, terminal=None, factor, token: ApprovalRequest | None) -> None:
    """Inside the enrolment's transaction: use the approval, and write the 照合情報管理簿's line."""
    if token is not None:
        consume_approval(request_id=token.pk, operation=REGISTER_OPERATION,
                         actor=Actor(user=user, terminal=terminal, channel=Channel.WEB))
    BiometricRecord.objects.create(user=user, factor_id=factor.pk, register_approval=token)


ENROLMENT_GUARD = (enrolment_check, enrolment_done)


# --- an administrator's credential reset (staff.services.reset_credentials; 000 §7.3, E-10) ------------------
#
# Revoking a person's WebAuthn authenticators deletes their 照合情報. Where the profile names the approval
# ``biometric_delete``, a 000 organisation expects the same application as for any other deletion (the
# 拠点管理者 applies, the システム管理者 approves), and the authenticators must stop working (a lost or stolen
# 照合情報, 000 §15): so the reset is refused without that approval rather than keeping them. With it, the
# administrator performing the reset uses it (``by_operator``: the reset's own rule decided who may reset).


def reset_check(*, actor: Actor, user, factor_ids: list[int], approval_id: int | str | None = None
                ) -> ApprovalRequest | None:
    """Before the reset: None when no authenticator is revoked or the profile requires no application;
    else the approved application for this person (the one named, or the newest), or a logged refusal."""
    if not factor_ids or not requires_application(DELETE_OPERATION):
        return None
    if approval_id in (None, ""):
        found = approved_for(user, DELETE_OPERATION)
        approval_id = found.pk if found else None
    approval = require_approval(operation=DELETE_OPERATION, actor=actor, approval_id=approval_id,
                                action=Action.STAFF_CREDENTIAL_RESET, target_type="user", target_id=user.pk,
                                by_operator=True)
    _subject_problem(actor, approval, user.pk, action=Action.STAFF_CREDENTIAL_RESET, target=("user", user.pk))
    return approval


def reset_done(*, actor: Actor, user, factor_ids: list[int], token: ApprovalRequest | None) -> dict[str, Any]:
    """Inside the reset's transaction: use the approval and record the deletion on the register's lines (a
    line is written for an authenticator enrolled before the register kept them)."""
    if not factor_ids:
        return {}
    if token is not None:
        consume_approval(request_id=token.pk, operation=DELETE_OPERATION, actor=actor, by_operator=True)
    now = timezone.now()
    from tokutei.staff.models import SecondFactor

    known = set(BiometricRecord.objects.filter(factor_id__in=factor_ids).values_list("factor_id", flat=True))
    BiometricRecord.objects.bulk_create([
        BiometricRecord(user=user, factor_id=f.pk, registered_at=f.created_at)
        for f in SecondFactor.objects.filter(pk__in=set(factor_ids) - known)])
    lines = BiometricRecord.objects.filter(factor_id__in=factor_ids, deleted_at__isnull=True)
    record_ids = list(lines.values_list("pk", flat=True))
    lines.update(deleted_at=now, deleted_by=actor.user, delete_approval=token)
    return {"biometric_record_ids": record_ids, "approval_id": getattr(token, "pk", None),
            "article": token.article if token is not None else ""}


RESET_GUARD = (reset_check, reset_done)


# --- deletion and delegated authority ------------------------------------------------------------------------


def _subject_problem(actor: Actor, approval: ApprovalRequest | None, subject_id: int, *, action: Action,
                     target: tuple[str, Any]) -> None:
    if approval is not None and approval.subject_id != subject_id:
        raise refuse(_("承認の対象者が異なります"), action=str(action), article=approval.article, code="approval_scope",
                     target_type=target[0], target_id=target[1], **actor.log_fields())


def delete_biometric(*, actor: Actor, record_id: int, approval_id: int | str | None = None) -> BiometricRecord:
    """照合情報の削除: the authenticator stops working at once; the register keeps the line, with the date."""
    from tokutei.staff.models import SecondFactor

    line = get_or_refuse(actor, Action.BIOMETRIC_DELETE, BiometricRecord.objects.filter(deleted_at__isnull=True),
                         pk=record_id)
    target = ("biometric", line.pk)
    approval = require_approval(operation=DELETE_OPERATION, actor=actor, approval_id=approval_id,
                                action=Action.BIOMETRIC_DELETE, target_type=target[0], target_id=target[1])
    _subject_problem(actor, approval, line.user_id, action=Action.BIOMETRIC_DELETE, target=target)
    now = timezone.now()
    with transaction.atomic(durable=True):
        if approval is not None:
            consume_approval(request_id=approval.pk, operation=DELETE_OPERATION, actor=actor)
        SecondFactor.objects.filter(pk=line.factor_id, revoked_at__isnull=True).update(revoked_at=now)
        line.deleted_at, line.deleted_by, line.delete_approval = now, actor.user, approval
        line.save(update_fields=["deleted_at", "deleted_by", "delete_approval"])
        record(action=Action.BIOMETRIC_DELETE, **actor.log_fields(), target_type="user", target_id=line.user_id,
               article=approval.article if approval else "",
               details={"record_id": line.pk, "approval_id": getattr(approval, "pk", None)})
    return line


def add_authority(*, actor: Actor, holder, scope: str, approval_id: int | str | None = None) -> DelegatedAuthority:
    """委託する操作権限の追加 (000 §7.3)."""
    from tokutei.policy import require

    require(actor, Action.DELEGATED_AUTHORITY, target=("user", holder.pk))
    approval = require_approval(operation="delegated_authority_add", actor=actor, approval_id=approval_id,
                                action=Action.DELEGATED_AUTHORITY, target_type="user", target_id=holder.pk)
    _subject_problem(actor, approval, holder.pk, action=Action.DELEGATED_AUTHORITY, target=("user", holder.pk))
    with transaction.atomic(durable=True):
        if approval is not None:
            consume_approval(request_id=approval.pk, operation="delegated_authority_add", actor=actor)
        line = DelegatedAuthority.objects.create(holder=holder, scope=scope.strip()[:200], add_approval=approval,
                                                 recorded_by=actor.user)
        record(action=Action.DELEGATED_AUTHORITY, **actor.log_fields(), target_type="user", target_id=holder.pk,
               details={"authority_id": line.pk, "step": "add", "approval_id": getattr(approval, "pk", None)})
    return line


def return_authority(*, actor: Actor, authority_id: int, approval_id: int | str | None = None) -> DelegatedAuthority:
    """委託した操作権限の返却 (000 §7.3)."""
    line = get_or_refuse(actor, Action.DELEGATED_AUTHORITY,
                         DelegatedAuthority.objects.filter(returned_at__isnull=True), pk=authority_id)
    approval = require_approval(operation="delegated_authority_return", actor=actor, approval_id=approval_id,
                                action=Action.DELEGATED_AUTHORITY, target_type="user", target_id=line.holder_id)
    _subject_problem(actor, approval, line.holder_id, action=Action.DELEGATED_AUTHORITY,
                     target=("user", line.holder_id))
    with transaction.atomic(durable=True):
        if approval is not None:
            consume_approval(request_id=approval.pk, operation="delegated_authority_return", actor=actor)
        line.returned_at, line.return_approval = timezone.now(), approval
        line.save(update_fields=["returned_at", "return_approval"])
        record(action=Action.DELEGATED_AUTHORITY, **actor.log_fields(), target_type="user", target_id=line.holder_id,
               details={"authority_id": line.pk, "step": "return", "approval_id": getattr(approval, "pk", None)})
    return line


# --- ユーザID管理簿, from the live accounts (000 §14.2) ---------------------------------------------------------


def user_id_rows() -> list[dict[str, Any]]:
    """One row per account ever issued (IDs are never reused): issued when and by whom, status, returned."""
    from tokutei.staff.models import User

    issuers = {e.target_id: e.actor_username for e in
               Entry.objects.filter(action=str(Action.STAFF_USER_CREATE), result=Entry.Result.OK).only(
                   "target_id", "actor_username")}
    now = timezone.now()
    rows = []
    for u in User.objects.order_by("username"):
        active = False
        if u.deactivated_at is not None or not u.is_active:
            status = _("返却（失効）")
        elif u.locked_until is not None and u.locked_until > now:
            status = _("停止（ロック中）")
        else:
            status, active = _("利用中"), True
        rows.append({"user": u, "user_id": u.username, "holder": u.display_name, "issued_at": u.date_joined,
                     "active": active,
                     "issued_by": issuers.get(str(u.pk), ""), "status": status, "returned_at": u.deactivated_at})
    return rows
