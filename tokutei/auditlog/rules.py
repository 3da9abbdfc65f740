"""Who may read the operation log: the log's actions in the rule book (tokutei.policy).

The log is read by a separate privileged role (R-LOG-3, 002 §22), named by the profile:

* **readers** — auditors (``reads_audit_log``), system administrators and the roles the profile names to
  check the log (``retention.review_roles``; 000 §14.1: the システム管理者, 001: 情報セキュリティ責任者) —
  search the whole log, run the reports, sign off reviews and verify the chain;
* **supervisors** — roles that supervise or designate other staff (``supervises``, ``designated_by``) —
  search the entries of the staff of their unit (the whole log when their designation names no unit and
  their role is not unit-scoped), and their own;
* everyone else — a handling clerk (事務取扱担当者), even one whose role is unit-scoped — has no log page:
  asking for it is refused and logged; one entry out of reach is not found, like a missing one.

Nobody may change an entry: there is no such page, and the database refuses it (guards.py).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL
from tokutei.profiles.schema import Profile

from .actions import Action


def reader_roles(profile: Profile) -> set[str]:
    """Auditors, system administrators and the roles the profile names to check the log (R-LOG-4)."""
    return profile.auditor_roles() | profile.admin_roles() | set(profile.retention.review_roles)


def supervisor_roles(profile: Profile) -> set[str]:
    """Roles that supervise or designate other staff (保護管理者, 事務取扱責任者 …) — not a role that is
    merely unit-scoped (a 事務取扱担当者 acting for one unit supervises nobody)."""
    found = {key for key, role in profile.roles.items() if role.supervises}
    for role in profile.roles.values():
        found.update(role.designated_by)
    return found & set(profile.roles)


def staff_in_reach(actor, decision, profile: Profile) -> list[int] | None:
    """The staff whose entries ``actor`` may see: None everyone (the whole log), else their ids (possibly
    none). A supervisor reaches the staff of the units they supervise, and themselves."""
    if decision.roles & reader_roles(profile):
        return None
    supervising = supervisor_roles(profile)
    from tokutei.staff.selectors import assignments_in_force

    managing = [a for a in assignments_in_force(actor.user) if a.role_key in supervising]
    if not managing:
        return []
    user_unit = getattr(actor.user, "unit_id", None)
    units = set()
    for a in managing:
        unit = a.unit_id or (user_unit if profile.roles[a.role_key].unit_scoped else None)
        if unit is None:
            if profile.roles[a.role_key].unit_scoped:
                continue  # a unit-scoped role with no unit reaches no one else
            return None
        units.add(unit)
    from tokutei.staff.models import User

    staff = list(User.objects.filter(unit_id__in=units).values_list("pk", flat=True)) if units else []
    return [*staff, actor.user.pk] if actor.user.pk not in staff else staff


def entry_filter(actor, decision, profile: Profile) -> Q | None:
    """A filter on ``Entry`` for what ``actor`` may see: ``Q()`` the whole log, None nothing."""
    staff = staff_in_reach(actor, decision, profile)
    if staff is None:
        return Q()
    if not staff:
        return None
    return Q(actor_id__in=staff)


def _scope(queryset, actor, decision, profile):
    condition = entry_filter(actor, decision, profile)
    return queryset.none() if condition is None else queryset.filter(condition)


def _entry_in_scope(actor, obj, decision, profile) -> Deny | None:
    from .models import Entry

    if not isinstance(obj, Entry):
        return Deny(NOT_FOUND_MESSAGE)
    condition = entry_filter(actor, decision, profile)
    if condition is None or not Entry.objects.filter(condition, pk=obj.pk).exists():
        return Deny(NOT_FOUND_MESSAGE)
    return None


def _readers_and_supervisors(profile: Profile) -> set[str]:
    return reader_roles(profile) | supervisor_roles(profile)


def _article(profile: Profile) -> str:
    return profile.retention.article


_READ = _("操作履歴を閲覧できるのは、監査責任者・システム管理者・点検を行う役割、及び所属の職員を監督する役割です")
_CHECK = _("この操作を行えるのは、監査責任者・システム管理者・操作履歴の点検を行う役割です")

register(
    Rule(Action.LOG_SEARCH, roles=_readers_and_supervisors, article=_article, message=_READ, scope=_scope),
    Rule(Action.LOG_VIEW, roles=_readers_and_supervisors, article=_article, message=_READ, scope=_scope,
         check=_entry_in_scope),
    Rule(Action.LOG_EXPORT, roles=_readers_and_supervisors, article=_article, message=_READ, scope=_scope),
    Rule(Action.LOG_ANALYSE, roles=_readers_and_supervisors, article=_article, message=_READ, scope=_scope),
    Rule(Action.LOG_REVIEW, roles=reader_roles, article=_article, message=_CHECK),
    Rule(Action.LOG_VERIFY, roles=reader_roles, article=_article, message=_CHECK,
         channels=EVERY_CHANNEL | {Channel.SYSTEM}),
    Rule(Action.LOG_CHECKPOINT, roles=reader_roles, article=_article, message=_CHECK,
         channels=EVERY_CHANNEL | {Channel.SYSTEM}),
    Rule(Action.LOG_PURGE, roles=lambda p: p.admin_roles(), article=_article,
         message=_("保存期間を過ぎた操作履歴を消去できるのは、システム管理者です"),
         channels=EVERY_CHANNEL | {Channel.SYSTEM}),
)
