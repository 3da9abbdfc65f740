"""The approval engine's actions in the rule book.

Who may act comes from the profile's approval chains (``profile.approvals[operation]``): anyone signed in
may open the approvals pages and apply (``applicant_roles`` and the room classes' ``eligible_roles``
narrow an application, checked by the service with the operation's own article); an approver must hold a
step's role of the request's snapshot on the day (checked by the service, step by step). Here, per record:
a request is seen — and decided — only by its requester, its subject, the holders of its steps' roles,
the auditors and the system administrators — a unit-scoped role (002's 保護管理者, R-ORG-6) for the
requests of its own unit only; any other request is refused as not found, exactly like a missing one. Expiry is the system's (``tokutei expire_approvals``) or a named staff member's at the console.
"""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL


def _step_roles(rule) -> set[str]:
    return {r for s in (rule or {}).get("steps", []) for r in s.get("roles", [])}


def _readers_of(request, profile) -> set[str]:
    return _step_roles(request.rule) | profile.auditor_roles() | profile.admin_roles()


def _reach(actor, roles: set[str], profile, assignments=None) -> tuple[bool, frozenset[int] | None]:
    """Whether a role of ``roles`` is in force for the actor, and the units it reaches: None for every unit,
    unless each such role is unit-scoped (保護管理者, R-ORG-6) — then the units of those designations (or the
    holder's own unit)."""
    from tokutei.staff.selectors import assignments_in_force

    if assignments is None:
        assignments = assignments_in_force(actor.user)
    held = [a for a in assignments if a.role_key in roles and a.role_key in profile.roles]
    if not held:
        return False, None
    if not all(profile.roles[a.role_key].unit_scoped for a in held):
        return True, None
    user_unit = getattr(actor.user, "unit_id", None)
    return True, frozenset(u for u in (a.unit_id or user_unit for a in held) if u is not None)


def _request_units(requester_unit: int | None, subject_unit: int | None) -> set[int]:
    return {u for u in (requester_unit, subject_unit) if u is not None}


def request_in_scope(actor, obj, decision, profile) -> Deny | None:
    """An approval request: its requester, its subject, or a holder of a role that reads it — a unit-scoped
    role (保護管理者) for requests of its own unit only."""
    from .models import ApprovalRequest

    if not isinstance(obj, ApprovalRequest):
        return None
    user_pk = getattr(actor.user, "pk", None)
    if user_pk is not None and user_pk in (obj.requester_id, obj.subject_id):
        return None
    reaches, units = _reach(actor, _readers_of(obj, profile), profile)
    if not reaches:
        return Deny(NOT_FOUND_MESSAGE)
    subject_unit = getattr(obj.subject, "unit_id", None) if obj.subject_id else None
    if units is not None and not _request_units(obj.requester.unit_id, subject_unit) & units:
        return Deny(NOT_FOUND_MESSAGE)
    return None


def requests_in_scope(queryset, actor, decision, profile):
    """The same rule in SQL: own requests, and those whose snapshot names one of the actor's roles (within
    the actor's units where those roles are unit-scoped)."""
    from django.db.models import Q

    from tokutei.staff.selectors import assignments_in_force

    own = Q(requester=actor.user) | Q(subject=actor.user)
    assignments = assignments_in_force(actor.user) if actor.user is not None else []
    if not assignments:
        return queryset.filter(own)
    if _reach(actor, profile.auditor_roles() | profile.admin_roles(), profile, assignments) == (True, None):
        return queryset
    readable = []
    for pk, rule, requester_unit, subject_unit in queryset.exclude(own).values_list(
            "pk", "rule", "requester__unit_id", "subject__unit_id"):
        step_roles = _step_roles(rule)
        reaches, units = _reach(actor, step_roles | profile.auditor_roles() | profile.admin_roles(), profile,
                                assignments)
        if reaches and (units is None or _request_units(requester_unit, subject_unit) & units):
            readable.append(pk)
    return queryset.filter(own | Q(pk__in=readable))


def _decides_elsewhere(actor, rule, requester_unit, subject_unit, profile, assignments=None) -> bool:
    """Holds a step's role only as a unit-scoped one, for another unit: may not decide this request, even
    where another role (system administrator, auditor) lets them read it."""
    holds, units = _reach(actor, _step_roles(rule), profile, assignments)
    return holds and units is not None and not _request_units(requester_unit, subject_unit) & units


def request_decidable(actor, obj, decision, profile) -> Deny | None:
    """Approving or rejecting: as seeing it, and a step's unit-scoped role only within its own unit."""
    from .models import ApprovalRequest

    refused = request_in_scope(actor, obj, decision, profile)
    if refused is not None or not isinstance(obj, ApprovalRequest):
        return refused
    subject_unit = getattr(obj.subject, "unit_id", None) if obj.subject_id else None
    if _decides_elsewhere(actor, obj.rule, obj.requester.unit_id, subject_unit, profile):
        return Deny(NOT_FOUND_MESSAGE)
    return None


def requests_decidable(queryset, actor, decision, profile):
    from tokutei.staff.selectors import assignments_in_force

    visible = requests_in_scope(queryset, actor, decision, profile)
    assignments = assignments_in_force(actor.user) if actor.user is not None else []
    elsewhere = [pk for pk, rule, requester_unit, subject_unit in visible.values_list(
        "pk", "rule", "requester__unit_id", "subject__unit_id")
        if _decides_elsewhere(actor, rule, requester_unit, subject_unit, profile, assignments)]
    return visible.exclude(pk__in=elsewhere) if elsewhere else visible


register(
    Rule(Action.APPROVALS_VIEW, check=request_in_scope, scope=requests_in_scope),
    Rule(Action.APPROVALS_REQUEST, check=request_in_scope, scope=requests_in_scope),
    Rule(Action.APPROVALS_APPROVE, check=request_decidable, scope=requests_decidable),
    Rule(Action.APPROVALS_REJECT, check=request_decidable, scope=requests_decidable),
    Rule(Action.APPROVALS_USE, channels=frozenset({*EVERY_CHANNEL, Channel.SYSTEM})),
    Rule(Action.APPROVALS_EXPIRE, channels=frozenset({Channel.CONSOLE, Channel.SYSTEM})),
)
