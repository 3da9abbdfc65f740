"""The committee's actions in the rule book (tokutei.policy).

The committee's records are kept by the roles the profile names in ``governance_body`` (members, chair,
vice-chair where they are role keys, as in 000) and by the organisation's overseers: the managers that are
not unit-scoped, the system administrators and the auditors (001 names its members by post, so there the
総括責任者 and the セキュリティ責任者 keep them). An organisation without a governance body has none of these.
"""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.policy import Rule, register


def committee_roles(profile) -> set[str]:
    gb = profile.governance_body
    if gb is None:
        return set()
    named = {k for k in [*gb.members, gb.chair, gb.vice_chair] if k in profile.roles}
    wide = {r for r in profile.manager_roles() if not profile.roles[r].unit_scoped}
    return named | wide | profile.admin_roles() | profile.auditor_roles()


def _article(profile) -> str:
    return profile.governance_body.article if profile.governance_body is not None else profile.organisation.article


register(*(Rule(action, roles=committee_roles, article=_article, unit_scoped_roles=False) for action in (
    Action.COMMITTEE_VIEW, Action.COMMITTEE_MEETING, Action.COMMITTEE_ATTENDANCE, Action.COMMITTEE_MINUTES,
    Action.COMMITTEE_ACTION_ITEM, Action.COMMITTEE_EXPORT)))
