"""The approval engine's actions in the rule book.

Who may act comes from the profile's approval chains (``profile.approvals[operation]``): anyone signed in
may open the approvals pages and apply (``applicant_roles`` and the room classes' ``eligible_roles``
narrow an application, checked by the service with the operation's own article); an approver must hold a
step's role of the request's snapshot on the day (checked by the service, step by step). Here, per record:
a request is seen — and decided — only by its requester, its subject, the holders of its steps' roles,
the auditors and the system administrators; any other request is refused as not found, exactly like a
missing one. Expiry is the system's (``tokutei expire_approvals``) or a named staff member's at the console.
"""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL


def _readers_of(request, profile) -> set[str]:
    step_roles = {r for s in (request.rule or {}).get("steps", []) for r in s.get("roles", [])}
    return step_roles | profile.auditor_roles() | profile.admin_roles()


def _role_keys(actor) -> set[str]:
    from tokutei.staff.selectors import role_keys

    return role_keys(actor.user) if actor.user is not None else set()


def request_in_scope(actor, obj, decision, profile) -> Deny | None:
    """An approval request: its requester, its subject, or a holder of a role that reads it."""
    from .models import ApprovalRequest

    if not isinstance(obj, ApprovalRequest):
        return None
    user_pk = getattr(actor.user, "pk", None)
    if user_pk is not None and user_pk in (obj.requester_id, obj.subject_id):
        return None
    if _role_keys(actor) & _readers_of(obj, profile):
        return None
    return Deny(NOT_FOUND_MESSAGE)


def requests_in_scope(queryset, actor, decision, profile):
    """The same rule in SQL: own requests, and those whose snapshot names one of the actor's roles."""
    from django.db.models import Q

    roles = _role_keys(actor)
    own = Q(requester=actor.user) | Q(subject=actor.user)
    if roles & (profile.auditor_roles() | profile.admin_roles()):
        return queryset
    if not roles:
        return queryset.filter(own)
    readable = [pk for pk, rule in queryset.exclude(own).values_list("pk", "rule")
                if roles & {r for s in (rule or {}).get("steps", []) for r in s.get("roles", [])}]
    return queryset.filter(own | Q(pk__in=readable))


register(
    Rule(Action.APPROVALS_VIEW, check=request_in_scope, scope=requests_in_scope),
    Rule(Action.APPROVALS_REQUEST, check=request_in_scope, scope=requests_in_scope),
    Rule(Action.APPROVALS_APPROVE, check=request_in_scope, scope=requests_in_scope),
    Rule(Action.APPROVALS_REJECT, check=request_in_scope, scope=requests_in_scope),
    Rule(Action.APPROVALS_USE, channels=frozenset({*EVERY_CHANNEL, Channel.SYSTEM})),
    Rule(Action.APPROVALS_EXPIRE, channels=frozenset({Channel.CONSOLE, Channel.SYSTEM})),
)
