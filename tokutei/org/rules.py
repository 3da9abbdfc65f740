"""The organisation records' actions in the rule book (tokutei.policy).

* The organisation chart and the rule versions: every signed-in member of staff (the division of duties is
  what everyone works under).
* A member of staff acknowledges the profile's duties (``org.acknowledgements``) that apply to them: the
  duty's ``audience`` roles, or everyone when it names none (000 §21, 001 §10, 002 §9).
* The acknowledgement register is kept by the system administrators, the managers and the auditors; a
  unit-scoped manager (保護管理者) sees their own unit's staff. A paper 誓約書 is recorded by the same roles.
* Disciplinary measures (001 §17) are seen only by ``org.discipline.visible_to`` and recorded by its
  ``decided_by`` and ``recorded_by``; an organisation whose regulation has none has no such records.
* Applying a changed profile (``system.profile_activate``) is the system administrators', from the console.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.policy import Deny, Rule, register
from tokutei.policy.actor import Channel


def _article(profile) -> str:
    return profile.org.article if profile.org.article != "—" else profile.organisation.article


def _keepers(profile) -> set[str]:
    return profile.admin_roles() | profile.manager_roles() | profile.auditor_roles()


def _in_audience(actor, duty_key, decision, profile) -> Deny | None:
    """One duty (its key): unknown looks missing; a duty for other roles is not the actor's to acknowledge."""
    from tokutei.staff.selectors import role_keys

    duty = profile.org.acknowledgements.get(duty_key)
    if duty is None:
        return Deny(_("その義務は定められていません"))
    if duty.audience and not set(duty.audience) & role_keys(actor.user):
        return Deny(_("この義務の確認の対象は %(roles)s です") % {
            "roles": "、".join(profile.roles[r].ja for r in duty.audience)}, code="not_audience",
            article=duty.article)
    return None


def _unit_staff(qs, actor, decision, profile):
    if decision.units is None:
        return qs
    return qs.filter(Q(unit_id__in=decision.units))


def _discipline(attr: str):
    def roles(profile) -> set[str]:
        d = profile.org.discipline
        if d is None:
            return set()
        return set(d.visible_to) if attr == "view" else set(d.decided_by) | set(d.recorded_by)
    return roles


def _discipline_article(profile) -> str:
    return profile.org.discipline.article if profile.org.discipline is not None else _article(profile)


register(
    Rule(Action.ORG_CHART, article=_article),
    Rule(Action.ORG_PROFILE_VERSIONS, article=_article),
    Rule(Action.ORG_ACKNOWLEDGE, article=_article, check=_in_audience),
    Rule(Action.ORG_ACK_RECORD, roles=_keepers, article=_article, scope=_unit_staff),
    Rule(Action.ORG_ACK_REGISTER, roles=_keepers, article=_article, scope=_unit_staff),
    Rule(Action.ORG_ACK_EXPORT, roles=_keepers, article=_article, scope=_unit_staff),
    Rule(Action.ORG_DISCIPLINE_VIEW, roles=_discipline("view"), article=_discipline_article,
         message=_("懲戒等の記録を見られるのは、規程が定める者だけです"), unit_scoped_roles=False),
    Rule(Action.ORG_DISCIPLINE_RECORD, roles=_discipline("record"), article=_discipline_article,
         message=_("懲戒等を記録できるのは、規程が定める者だけです"), unit_scoped_roles=False),
    Rule(Action.SYSTEM_PROFILE_ACTIVATE, roles=lambda p: p.admin_roles(), article=lambda p: p.organisation.article,
         channels=frozenset({Channel.CONSOLE}), unit_scoped_roles=False),
    # The scheduled job (``tokutei org in-force``) records that a profile applied ahead of its 施行日 is now
    # in force; an administrator may run it by hand on the console.
    Rule(Action.SYSTEM_PROFILE_IN_FORCE, roles=lambda p: p.admin_roles(), article=lambda p: p.organisation.article,
         channels=frozenset({Channel.CONSOLE, Channel.SYSTEM}), unit_scoped_roles=False),
)
