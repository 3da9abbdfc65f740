"""Reading approvals: the approver's queue, the requester's list, standing permissions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import role_keys

from .models import ApprovalRequest
from .pickers import label_of

Status = ApprovalRequest.Status


def my_requests(user) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(Q(requester=user) | Q(subject=user)).prefetch_related("decisions")


def can_decide_now(request: ApprovalRequest, user, roles: set[str] | None = None) -> bool:
    """Would ``user`` be allowed to give a step of ``request`` now? (same rules as services.decide)"""
    if request.status != Status.PENDING or request.requester_id == user.pk or request.subject_id == user.pk:
        return False
    roles = role_keys(user) if roles is None else roles
    rule = request.rule
    decided = {d.step_index: d for d in request.decisions.all()}
    if rule.get("distinct_approvers", True) and any(d.approver_id == user.pk for d in decided.values()):
        return False
    open_steps = [i for i in range(len(rule.get("steps", []))) if i not in decided]
    if rule.get("order") == "sequence":
        open_steps = open_steps[:1]
    return any(set(rule["steps"][i]["roles"]) & roles for i in open_steps)


def approver_queue(actor: Actor) -> list[ApprovalRequest]:
    """Pending requests that ``actor`` may decide now, oldest first — among those the policy lets them
    reach (a unit-scoped approver: their own unit's, tokutei/approvals/rules.py)."""
    user = actor.user
    roles = role_keys(user)
    if not roles:
        return []
    reachable = restrict(ApprovalRequest.objects.all(), actor, Action.APPROVALS_APPROVE)
    pending = reachable.filter(status=Status.PENDING).exclude(requester=user).order_by(
        "created_at").prefetch_related("decisions")
    return [r for r in pending if can_decide_now(r, user, roles)]


def permitted_rooms(user) -> list[ApprovalRequest]:
    """Room-entry permissions in force for ``user`` (000 §13.2)."""
    now = timezone.now()
    return [r for r in ApprovalRequest.objects.filter(subject=user, status=Status.APPROVED,
                                                      operation__startswith="room_entry_")
            if not r.is_expired(now)]


def room_permissions_in_force() -> list[ApprovalRequest]:
    """Every room-entry permission in force (入退室の許可一覧 for the system administrator, 000 §13)."""
    now = timezone.now()
    return [r for r in ApprovalRequest.objects.filter(status=Status.APPROVED, operation__startswith="room_entry_")
            .select_related("subject").order_by("operation", "subject__username") if not r.is_expired(now)]


def may_see_room_permissions(user) -> bool:
    profile = get_profile()
    roles = role_keys(user)
    approvers = {r for room in profile.rooms.values() for r in room.entry_approver_roles}
    return bool(roles & (profile.admin_roles() | profile.auditor_roles() | approvers))


def has_room_permission(user, operation: str) -> bool:
    return any(r.operation == operation for r in permitted_rooms(user))


PARTICULAR_LABELS = {
    "purpose": "事務（利用目的）", "count_limit": "件数の上限", "file_id": "特定個人情報ファイル", "medium_id": "記録媒体",
    "document_id": "ドキュメント", "carry_out_id": "持出し記録", "terminal_id": "端末", "vendor_id": "委託先",
    "asset_id": "情報資産（端末）", "quantity": "数量", "record_count": "記録件数", "media_type": "記録媒体の種類", "note": "申請理由",
}


def particulars_display(request: ApprovalRequest) -> list[tuple[str, str]]:
    """The scope of a request in words: labels for keys, task titles for purposes."""
    profile = get_profile()
    out = []
    for key, value in (request.particulars or {}).items():
        if value is None or value == "":
            continue
        if key == "purpose" and value in profile.tasks:
            value = f"{profile.tasks[value].ja}（{value}）"
        name = label_of(key, value)
        if name is not None:
            value = f"{name}（{value}）"
        out.append((PARTICULAR_LABELS.get(key, key), str(value)))
    return out
