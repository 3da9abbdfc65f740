"""The vendor actions in the rule book (tokutei.policy).

The register, qualification, evaluations and contracts are kept by the profile's
``outsourcing.manager_roles`` (000 システム管理者・本人確認情報管理責任者, 001 セキュリティ責任者, 002 保護管理者,
004 特定個人情報保護責任者); a unit-scoped role (002's 保護管理者) keeps its own unit's vendors. The 覚書 is
concluded by ``outsourcing.memorandum.by`` (000 §22.3). Any staff member may open the pages of the vendors
they are named the owner of (担当職員), and register a sub-contractor of theirs with the approval the
profile requires (tokutei/approvals: the approver may not approve their own application); auditors read
every vendor. A vendor out of reach answers like a
missing one. A hand-over to a vendor is handling of 特定個人情報等: a designated handler, for a declared task,
on a registered terminal.
"""

from __future__ import annotations

from django.db.models import Q

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Deny, Rule, register


def manager_roles(profile) -> set[str]:
    return set(profile.outsourcing.manager_roles)


def memorandum_roles(profile) -> set[str]:
    memo = profile.outsourcing.memorandum
    return set(memo.by) if memo is not None and memo.by else manager_roles(profile)


def _article(profile) -> str:
    return profile.outsourcing.article


def _assignments(actor):
    from tokutei.staff.selectors import assignments_in_force

    return assignments_in_force(actor.user) if actor.user is not None else []


def reach(actor, profile) -> tuple[bool, set[int] | None]:
    """(sees every vendor, units) — units None: every unit; an empty set: only the vendors they own."""
    if actor.user is None:
        return True, None
    held = _assignments(actor)
    wide = manager_roles(profile) | profile.auditor_roles()
    granting = [a for a in held if a.role_key in wide and a.role_key in profile.roles]
    if not granting:
        return False, set()
    if all(profile.roles[a.role_key].unit_scoped for a in granting):
        return True, {u for u in (a.unit_id or actor.user.unit_id for a in granting) if u is not None}
    return True, None


def _prefix(queryset) -> str:
    return "" if queryset.model.__name__ == "Vendor" else "vendor__"


def vendors_in_scope(queryset, actor, decision, profile):
    """Every vendor for the managers and auditors (their unit's for a unit-scoped role); one's own else."""
    wide, units = reach(actor, profile)
    if actor.user is None:
        return queryset
    p = _prefix(queryset)
    own = Q(**{f"{p}owner": actor.user})
    if wide and units is None:
        return queryset
    if wide:
        return queryset.filter(own | Q(**{f"{p}unit_id__in": units}) | Q(**{f"{p}unit__isnull": True}))
    return queryset.filter(own)


def _vendor_of(obj):
    from .models import Contract, Evaluation, Vendor

    if isinstance(obj, Vendor):
        return obj
    if isinstance(obj, Contract | Evaluation):
        return obj.vendor
    return None


def vendor_in_scope(actor, obj, decision, profile) -> Deny | None:
    from .models import Vendor

    vendor = _vendor_of(obj)
    if vendor is None:
        return None
    if vendors_in_scope(Vendor.objects.filter(pk=vendor.pk), actor, decision, profile).exists():
        return None
    return Deny(NOT_FOUND_MESSAGE)


def unit_of_vendor(actor, obj, decision, profile) -> Deny | None:
    """A unit-scoped manager acts for its own unit's vendors only (out of reach = not found)."""
    vendor = _vendor_of(obj)
    if vendor is None or decision.units is None or vendor.unit_id is None or vendor.unit_id in decision.units:
        return None
    return Deny(NOT_FOUND_MESSAGE)


def managed_scope(queryset, actor, decision, profile):
    if decision.units is None:
        return queryset
    if queryset.model.__name__ == "DispatchedWorker":  # a dispatched worker belongs to a unit of ours
        return queryset.filter(user__unit_id__in=decision.units)
    p = _prefix(queryset)
    return queryset.filter(Q(**{f"{p}unit_id__in": decision.units}) | Q(**{f"{p}unit__isnull": True}))


def _managed(action: Action, roles=manager_roles) -> Rule:
    return Rule(action, roles=roles, article=_article, check=unit_of_vendor, scope=managed_scope)


register(
    Rule(Action.VENDORS_VIEW, article=_article, check=vendor_in_scope, scope=vendors_in_scope),
    _managed(Action.VENDORS_REGISTER),
    _managed(Action.VENDORS_QUALIFY),
    _managed(Action.VENDORS_EVALUATE),
    _managed(Action.VENDORS_IMPROVEMENT),
    _managed(Action.VENDORS_CONTRACT),
    _managed(Action.VENDORS_CLAUSE),
    _managed(Action.VENDORS_ACTIVATE),
    _managed(Action.VENDORS_MEMORANDUM, roles=memorandum_roles),
    # The vendor's owner applies for the approval and registers the sub-contractor it allows (the approver
    # may not approve their own application); the managers may too.
    Rule(Action.VENDORS_SUBCONTRACT, article=_article, check=vendor_in_scope, scope=vendors_in_scope),
    _managed(Action.VENDORS_DISPATCH),
    _managed(Action.VENDORS_SUPERVISE),
    _managed(Action.VENDORS_END),
    _managed(Action.VENDORS_RETURN),
    _managed(Action.VENDORS_EXPORT),
    Rule(Action.VENDORS_DELIVERY, task=True, article=_article),
)
