"""The pia actions in the rule book (tokutei.policy).

The assessments (しきい値判断) are read by the roles that supervise handlers or act for a unit (保護管理者,
総括保護管理者 …), by the auditors, and by the roles the profile adds (``pia.roles``); a unit-scoped role sees
the files of its own unit only — another unit's file is refused as not found, like a missing one. The
scheduler (``Actor.system()``) and the same roles record assessments. The disclosure report (本人開示) is
handling of 特定個人情報等: a handler designated for the declared task, on a registered terminal
(``pia.disclosure.roles`` may narrow it to some handler roles); the profile may require an approval.
"""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL


def viewer_roles(profile) -> set[str]:
    """Who reads the assessments: supervising and unit roles, the auditors, and ``pia.roles``."""
    found = {k for k, r in profile.roles.items() if r.supervises or r.unit_scoped}
    return found | profile.auditor_roles() | set(profile.pia.roles)


def _article(profile) -> str:
    return profile.pia.article if profile.pia.article not in ("", "—") else profile.organisation.article


def file_in_scope(actor, obj, decision, profile) -> Deny | None:
    """A file of the actor's units (a unit-scoped role), or any file."""
    unit_id = getattr(obj, "unit_id", None)
    if obj is not None and decision.units is not None and unit_id not in decision.units:
        return Deny(NOT_FOUND_MESSAGE)
    return None


def files_in_scope(queryset, actor, decision, profile):
    return queryset.filter(unit_id__in=decision.units) if decision.units is not None else queryset


def _disclosure_roles(profile) -> set[str]:
    return set(profile.pia.disclosure.roles) or profile.handler_roles()


register(
    Rule(Action.PIA_VIEW, roles=viewer_roles, article=_article, check=file_in_scope, scope=files_in_scope),
    Rule(Action.PIA_DRAFT, roles=viewer_roles, article=_article, check=file_in_scope, scope=files_in_scope),
    Rule(Action.PIA_ASSESS, roles=viewer_roles, article=_article, check=file_in_scope, scope=files_in_scope,
         channels=frozenset({*EVERY_CHANNEL, Channel.SYSTEM})),
    Rule(Action.PIA_DISCLOSURE, task=True, roles=_disclosure_roles),
)
