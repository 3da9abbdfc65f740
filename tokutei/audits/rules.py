"""The audit actions in the rule book (tokutei.policy): who audits, inspects, receives, follows findings,
trains and confirms handovers — all from the profile's ``schedules`` and ``audits`` settings.

* The programme's roles: those who carry out a scheduled audit, inspection or review (``schedules.*.roles``)
  and the auditors (``reads_audit_log``); the recipients of the reports (``report_to``, the governance
  body's chair); the managers and administrators. They all see the programme (read-only for auditors:
  R-AUD-6). A 監査 is opened only by the roles of an audit schedule or an auditor; a 点検 by the roles of an
  inspection schedule (000 and 001 name none: their 会議・委員会 chair does it through the audit schedule).
* A corrective action is recorded by the finding's owner or by the programme's roles; the re-check is made
  by someone other than the owner.
* Training is recorded by its trainers (``audits.training.*.trainers``) and the administrators.
* The 業務引継簿 is written by the holder of ``audits.handover.role`` (003 事務取扱責任者) and confirmed by
  ``confirmed_by`` (保護管理者) of the same unit (003 §5, E-38).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register


@dataclass(frozen=True)
class KindTarget:
    """What an engagement about to be opened is: ``audit``, ``inspection`` or ``review``."""

    kind: str


def programme_article(profile) -> str:
    art = profile.audits.article
    if art and art != "—":
        return art
    for schedule in profile.schedules.values():
        if schedule.kind in ("audit", "inspection"):
            return schedule.article
    return profile.organisation.article


def conductors(profile, kind: str | None = None) -> set[str]:
    kinds = {kind} if kind else {"audit", "inspection", "review"}
    found = {r for s in profile.schedules.values() if s.kind in kinds for r in s.roles}
    if kind in (None, "audit", "review"):
        found |= profile.auditor_roles()
    return found


def body_chair(profile) -> set[str]:
    gb = profile.governance_body
    return {gb.chair} if gb is not None and gb.chair in profile.roles else set()


def recipients(profile) -> set[str]:
    found = {r for s in profile.schedules.values() for r in s.report_to}
    if any(s.report_to_body for s in profile.schedules.values()):
        found |= body_chair(profile)
    return found


def trainers(profile) -> set[str]:
    return {r for t in profile.audits.training.values() for r in t.trainers} | profile.admin_roles()


def programme_roles(profile) -> set[str]:
    """Everyone the programme concerns: they see it (the auditors read-only)."""
    wide = {r for r in profile.manager_roles() if not profile.roles[r].unit_scoped}
    handover = profile.audits.handover
    return (conductors(profile) | recipients(profile) | trainers(profile) | set(profile.audits.escalate_to)
            | wide | profile.admin_roles() | profile.auditor_roles()
            | ({handover.role, *handover.confirmed_by} if handover else set()))


def finding_roles(profile) -> set[str]:
    return conductors(profile) | recipients(profile) | set(profile.audits.escalate_to) | profile.admin_roles()


def _held(actor) -> set[str]:
    from tokutei.staff.selectors import role_keys

    return role_keys(actor.user) if actor.user is not None else set()


def may_open(actor, obj, decision, profile) -> Deny | None:
    if not isinstance(obj, KindTarget):
        return None
    allowed = conductors(profile, obj.kind)
    if _held(actor) & allowed:
        return None
    from tokutei.policy import role_names

    return Deny(_("この種類の監査・点検を行えるのは、%(roles)s です") % {"roles": role_names(profile, allowed) or "—"},
                code="no_role")


def _engagement_check(actor, obj, decision, profile) -> Deny | None:
    from .models import Engagement

    if not isinstance(obj, Engagement):
        return None
    if actor.user is not None and (obj.lead_id == actor.user.pk or _held(actor) & conductors(profile, obj.kind)):
        return None
    return Deny(_("この監査・点検の担当者ではありません"), code="not_lead")


def _receipt_check(actor, obj, decision, profile) -> Deny | None:
    from .models import Engagement

    if not isinstance(obj, Engagement):
        return None
    if obj.status != Engagement.Status.REPORTED or not (_held(actor) & set(obj.recipients)):
        return Deny(_("この報告の受領者ではありません"), code="not_recipient")
    return None


def _corrective_check(actor, obj, decision, profile) -> Deny | None:
    from .models import Finding

    if not isinstance(obj, Finding):
        return None
    if actor.user is not None and (obj.owner_id == actor.user.pk or _held(actor) & finding_roles(profile)):
        return None
    return Deny(NOT_FOUND_MESSAGE)


def _corrective_scope(queryset, actor, decision, profile):
    if actor.user is None or _held(actor) & (finding_roles(profile) | programme_roles(profile)):
        return queryset
    return queryset.filter(owner=actor.user)


def _handover_roles(profile) -> set[str]:
    return {profile.audits.handover.role} if profile.audits.handover else set()


def _confirm_roles(profile) -> set[str]:
    return set(profile.audits.handover.confirmed_by) if profile.audits.handover else set()


def _handover_article(profile) -> str:
    return profile.audits.handover.article if profile.audits.handover else profile.organisation.article


def _handover_check(actor, obj, decision, profile) -> Deny | None:
    """The outgoing holder writes their own book; the 保護管理者 confirms the books of their own unit."""
    from .models import Handover

    if not isinstance(obj, Handover) or actor.user is None:
        return None
    if obj.outgoing_id == actor.user.pk:
        return None
    if _held(actor) & _confirm_roles(profile):
        if decision.units is None or obj.unit_id in decision.units:
            return None
    return Deny(NOT_FOUND_MESSAGE)


def _confirm_check(actor, obj, decision, profile) -> Deny | None:
    from .models import Handover

    if not isinstance(obj, Handover):
        return None
    if actor.user is not None and obj.outgoing_id == actor.user.pk:
        return Deny(_("自分の業務引継簿は確認できません"), code="own_handover")
    if decision.units is not None and obj.unit_id not in decision.units:
        return Deny(NOT_FOUND_MESSAGE)
    return None


def _handover_scope(queryset, actor, decision, profile):
    from django.db.models import Q

    if actor.user is None:
        return queryset
    seen = Q(outgoing=actor.user) | Q(successor=actor.user)
    if _held(actor) & _confirm_roles(profile):
        seen |= Q(unit_id__in=decision.units) if decision.units is not None else Q()
    return queryset.filter(seen)


def _training_article(profile) -> str:
    arts = [t.article for t in profile.audits.training.values()]
    return "; ".join(dict.fromkeys(arts)) or programme_article(profile)


def _view(action: Action) -> Rule:
    return Rule(action, roles=programme_roles, article=programme_article, unit_scoped_roles=False)


register(
    _view(Action.AUDITS_VIEW),
    _view(Action.AUDITS_EVIDENCE),
    _view(Action.AUDITS_EXPORT),
    Rule(Action.AUDITS_ENGAGEMENT, roles=conductors, check=may_open, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_ANSWER, roles=conductors, check=_engagement_check, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_REPORT, roles=conductors, check=_engagement_check, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_RECEIVE, roles=recipients, check=_receipt_check, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_FINDING, roles=finding_roles, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_CORRECTIVE, check=_corrective_check, scope=_corrective_scope, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_RECHECK, roles=finding_roles, article=programme_article,
         unit_scoped_roles=False),
    Rule(Action.AUDITS_ESCALATE, channels=frozenset({Channel.CONSOLE, Channel.SYSTEM}), article=programme_article),
    Rule(Action.AUDITS_TRAINING_SESSION, roles=trainers, article=_training_article, unit_scoped_roles=False),
    Rule(Action.AUDITS_TRAINING_ATTEND, roles=trainers, article=_training_article, unit_scoped_roles=False),
    Rule(Action.AUDITS_HANDOVER, roles=lambda p: _handover_roles(p) | _confirm_roles(p), check=_handover_check,
         scope=_handover_scope, article=_handover_article),
    Rule(Action.AUDITS_HANDOVER_CONFIRM, roles=_confirm_roles, check=_confirm_check, article=_handover_article),
)
