"""Reading approvals: the approver's queue, the requester's list, standing permissions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import role_keys

from .models import ApprovalRequest

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
    "document_id": "ドキュメント", "carry_out_id": "持出し", "terminal_id": "端末", "asset_id": "情報資産（端末）",
    "vendor_id": "委託先",
    "quantity": "数量", "record_count": "記録件数", "media_type": "記録媒体の種類", "destination": "持出し先・提供先",
    "note": "申請理由",
}

# A particular naming a record: (app, model, how the record reads). The id itself is never shown alone.
_RECORDS = {
    "file_id": ("vault", "SpecificFile", lambda o: _file_text(o)),
    "medium_id": ("registers", "Medium", lambda o: f"{o.label}（{o.get_kind_display()}）"),
    "document_id": ("registers", "Document", lambda o: o.title),
    "carry_out_id": ("registers", "CarryOut", lambda o: f"{o.counterparty}（{o.media_type}）"),
    "asset_id": ("registers", "Asset", lambda o: f"{o.tag} {o.name}"),
    "vendor_id": ("vendors", "Vendor", lambda o: o.name),
}


def _file_text(file) -> str:
    """A file in an approval's scope, with its records still awaiting the second person's check (E-24, 004
    §14(3)②) counted, so the approver sees them: 「年金ファイル（確認待ち 3 件）」."""
    from django.utils.translation import gettext as _

    waiting = file.people.filter(status="unconfirmed", deleted_at__isnull=True).count()
    return _("%(name)s（確認待ち %(n)s 件）") % {"name": file.name, "n": waiting} if waiting else file.name


def _record_text(key: str, value) -> str:
    from django.apps import apps

    app, model, text = _RECORDS[key]
    obj = apps.get_model(app, model).objects.filter(pk=value).first() if isinstance(value, int) else None
    return text(obj) if obj is not None else f"#{value}"


def particulars_display(request: ApprovalRequest) -> list[tuple[str, str]]:
    """The scope of a request in words: labels for keys, task names for purposes, records by their names
    (the file's name, the medium's number, the vendor's name), the reason last."""
    profile = get_profile()
    particulars = dict(request.particulars or {})
    if "asset_id" in particulars:
        particulars.pop("terminal_id", None)  # the same terminal, named once
    out: list[tuple[str, str]] = []
    note = particulars.pop("note", None)
    for key, value in particulars.items():
        if value is None or value == "":
            continue
        if key == "purpose":
            value = profile.tasks[value].ja if value in profile.tasks else value
        elif key in _RECORDS:
            value = _record_text(key, value)
        elif key in ("count_limit", "record_count", "quantity") and isinstance(value, int):
            value = f"{value:,}"
        out.append((PARTICULAR_LABELS.get(key) or key, str(value)))
    if note:
        out.append((PARTICULAR_LABELS["note"], str(note)))
    return out


def history(request: ApprovalRequest) -> list[tuple[object, str, str, str]]:
    """The request's course, oldest first: (when, what, who, comment) — the application, each decision,
    the approval, its use, and how it closed."""
    from django.utils.translation import gettext as _

    def who(user) -> str:
        return f"{user.display_name}（{user.username}）" if user is not None else ""

    rows: list[tuple[object, str, str, str]] = [(request.created_at, str(_("申請")), who(request.requester), "")]
    for d in request.decisions.all():
        rows.append((d.at, str(d.get_decision_display()), who(d.approver), d.comment))
    if request.approved_at:
        rows.append((request.approved_at, _("承認（すべての段階）"), "", ""))
    if request.used_at:
        rows.append((request.used_at, _("使用"), who(request.used_by), ""))
    if request.closed_at and request.status in (Status.WITHDRAWN, Status.EXPIRED):
        rows.append((request.closed_at, str(Status(request.status).label), "", ""))
    return sorted(rows, key=lambda r: r[0])  # type: ignore[arg-type,return-value]
