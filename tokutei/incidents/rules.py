"""The incident actions in the rule book (tokutei.policy).

Anyone signed in may report an incident — staff without a designation too, and from an unregistered
terminal: a report holds no personal data (R-INC-1; the service refuses text shaped like a 個人番号).
An incident is seen by its reporter, by the people it was routed to, by the roles that oversee every
incident (the auditors, the managers and route roles that are not unit-scoped) and by the unit-scoped
route roles for reports of their unit (tokutei.incidents.routing). Any other incident is refused as not
found, exactly like a missing one. The report to the 個人情報保護委員会 and the notices to the people
concerned are the route's and the overseers' to record; escalation is the scheduler's
(``tokutei incidents escalate``) or a named staff member's at the console.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL

from . import routing


def _article(profile) -> str:
    return profile.incident.article if profile.incident is not None else profile.organisation.article


def _assignments(actor):
    from tokutei.staff.selectors import assignments_in_force

    return assignments_in_force(actor.user) if actor.user is not None else []


def incidents_in_scope(queryset, actor, decision, profile):
    """Own reports, reports routed to the actor, every report for overseers, the unit's for unit roles."""
    if actor.user is None:  # the system (scheduler)
        return queryset
    assignments = _assignments(actor)
    roles = {a.role_key for a in assignments}
    if roles & routing.overseer_roles(profile):
        return queryset
    seen = Q(reported_by=actor.user) | Q(steps__recipients__user=actor.user)
    unit_roles = routing.unit_overseer_roles(profile)
    units = {a.unit_id or actor.user.unit_id for a in assignments if a.role_key in unit_roles} - {None}
    if units:
        seen |= Q(unit_id__in=units)
    return queryset.filter(pk__in=queryset.filter(seen).values("pk"))


def incident_in_scope(actor, obj, decision, profile) -> Deny | None:
    from .models import Incident

    if not isinstance(obj, Incident):
        return None
    if incidents_in_scope(Incident.objects.filter(pk=obj.pk), actor, decision, profile).exists():
        return None
    return Deny(NOT_FOUND_MESSAGE)


def self_or_manager(actor, obj, decision, profile) -> Deny | None:
    """An absence is recorded by the person themselves or by a manager (or a system administrator)."""
    from tokutei.staff.models import User

    if not isinstance(obj, User) or actor.user is None or obj.pk == actor.user.pk:
        return None
    roles = {a.role_key for a in _assignments(actor)}
    supervisors = {k for k, r in profile.roles.items() if r.supervises}
    designators = {d for r in profile.roles.values() if r.handles_data for d in r.designated_by}
    if roles & (supervisors | designators | profile.admin_roles() | routing.overseer_roles(profile)):
        return None
    return Deny(_("他の職員の不在を登録できるのは、管理者です"), code="not_manager")


def _responders(profile) -> set[str]:
    return routing.overseer_roles(profile) | routing.unit_overseer_roles(profile)


def measure_allowed(actor, obj, decision, profile) -> Deny | None:
    """A measure on an incident in scope: one this organisation has, taken by a role it names for it (the
    incident's responders where it names none)."""
    from .measures import MeasureRequest, available

    if not isinstance(obj, MeasureRequest):
        return incident_in_scope(actor, obj, decision, profile)
    if (denied := incident_in_scope(actor, obj.incident, decision, profile)) is not None:
        return denied
    spec = available(profile).get(obj.kind)
    if spec is None:
        return Deny(_("この組織の規程には、この措置の定めがありません"), code="no_such_measure")
    roles = set(spec.roles) or _responders(profile)
    if not roles & {a.role_key for a in _assignments(actor)}:
        titles = "、".join(profile.roles[r].ja for r in sorted(roles) if r in profile.roles)
        return Deny(_("この措置を記録できるのは、%(roles)s です") % {"roles": titles}, code="not_measure_role",
                    article=spec.article or None)
    return None


def _scoped(action: Action, **kwargs) -> Rule:
    """A rule on one incident: in scope (else not found), citing the profile's incident article."""
    return Rule(action, check=incident_in_scope, scope=incidents_in_scope, article=_article, **kwargs)


register(
    Rule(Action.INCIDENTS_REPORT, article=_article),
    _scoped(Action.INCIDENTS_VIEW),
    _scoped(Action.INCIDENTS_TIMELINE),
    _scoped(Action.INCIDENTS_ACKNOWLEDGE),
    _scoped(Action.INCIDENTS_SERIOUS),
    _scoped(Action.INCIDENTS_ROUTE, channels=frozenset({*EVERY_CHANNEL, Channel.SYSTEM})),
    Rule(Action.INCIDENTS_ESCALATE, channels=frozenset({Channel.CONSOLE, Channel.SYSTEM}), article=_article),
    Rule(Action.INCIDENTS_ABSENCE, check=self_or_manager, article=_article),
    _scoped(Action.INCIDENTS_PPC_ASSESS, roles=_responders, unit_scoped_roles=False),
    _scoped(Action.INCIDENTS_PPC_SUBMIT, roles=_responders, unit_scoped_roles=False),
    _scoped(Action.INCIDENTS_NOTIFY_PERSON, roles=_responders, unit_scoped_roles=False),
    _scoped(Action.INCIDENTS_EXPORT, roles=_responders, unit_scoped_roles=False),
    # Anyone who sees the incident is asked; who may take which measure is the measure's (measure_allowed),
    # so that a refusal names the roles and cites the measure's own article (001 §9.2: the 市長).
    Rule(Action.INCIDENTS_MEASURE, check=measure_allowed, scope=incidents_in_scope, article=_article),
    _scoped(Action.INCIDENTS_RECORDS_LOG, roles=_responders, unit_scoped_roles=False),
)
