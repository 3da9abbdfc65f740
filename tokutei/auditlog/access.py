"""Who may read the operation log (R-LOG-3: a separate privileged role; read-only for everyone).

* auditors (profile ``reads_audit_log``), system administrators and the roles named in
  ``retention.review_roles`` (000 §14.1: the システム管理者 checks the operation history; 001: 情報セキュリティ
  責任者) search the whole log, run the reports and sign off reviews;
* managers (roles that designate or supervise handlers, or act for a unit) search the entries of the staff
  of their unit — or the whole log when their assignment names no unit.
Nobody may change an entry: there is no such page, and the database refuses it (guards.py).
"""

from __future__ import annotations

from django.db.models import Q

from tokutei.profiles.schema import Profile
from tokutei.staff.selectors import active_assignments, role_keys


def reader_roles(profile: Profile) -> set[str]:
    """Auditors, system administrators and the roles the profile names to check the log (R-LOG-4)."""
    return profile.auditor_roles() | profile.admin_roles() | set(profile.retention.review_roles)


def manager_roles(profile: Profile) -> set[str]:
    """Roles that designate or supervise handlers, or act for a unit (保護管理者, 事務取扱責任者 …)."""
    return profile.manager_roles()


def is_reader(user, profile: Profile) -> bool:
    return bool(user.is_authenticated and role_keys(user) & reader_roles(profile))


def is_manager(user, profile: Profile) -> bool:
    return bool(user.is_authenticated and role_keys(user) & manager_roles(profile))


def may_search(user, profile: Profile) -> bool:
    return is_reader(user, profile) or is_manager(user, profile)


def scope(user, profile: Profile) -> Q | None:
    """A filter on Entry for what ``user`` may see; None = nothing. Q() = the whole log."""
    if is_reader(user, profile):
        return Q()
    managing = [a for a in active_assignments(user) if a.role_key in manager_roles(profile)]
    if not managing:
        return None
    if any(a.unit_id is None for a in managing):
        return Q()
    from tokutei.staff.models import User

    units = {a.unit_id for a in managing if a.unit_id is not None}  # none is None here (see above)
    staff_ids = list(User.objects.filter(unit_id__in=units).values_list("pk", flat=True))
    return Q(actor_id__in=staff_ids)
