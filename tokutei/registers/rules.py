"""The registers' actions in the rule book: media, carry-outs, documents, temporary copies.

Who may act comes only from the profile:

* the keepers of a register are its ``registers[<key>].owner_roles`` (000: ``media`` and ``documents`` kept by
  the システム管理者, 000 §11, §12.1); where the profile names no such register, its system administrators;
* media and carry-outs are handled by the data handlers (事務取扱担当者, E-01), the keepers and the managers
  (保護管理者 …, ``Profile.manager_roles``); where the carry-out's approval names ``applicant_roles``, only
  those apply and carry out (000 §11.3; 002 §11(3), §35);
* the fault check is the system administrator's (000 §11.6); a document is registered by its keepers
  (000 §12.1);
* the registers are read by everyone above and by the auditors; a carry-out is seen by the one who
  planned it, and by the overseers (keepers, managers, system administrators, auditors, the carry-out's
  approvers) — a unit-scoped overseer (保護管理者, R-ORG-6) within their own unit only. Any other carry-out
  is refused as not found, exactly like a missing one.
"""

from __future__ import annotations

from django.db.models import Q

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL

MEDIA_REGISTER_KEY = "media"
DOCUMENT_REGISTER_KEY = "documents"


# --- roles, from the profile ------------------------------------------------------------------------------


def keepers(profile, key: str = MEDIA_REGISTER_KEY) -> set[str]:
    register_ = profile.registers.get(key)
    if register_ is not None and register_.owner_roles:
        return set(register_.owner_roles)
    return profile.admin_roles()


def _carry_out_rule(profile):
    co = profile.carry_out
    operation = co.approval if co is not None and co.approval else "media_carry_out"
    rule = profile.approvals.get(operation)
    return rule if rule is not None and rule.enabled else None


def media_handlers(profile) -> set[str]:
    return profile.handler_roles() | profile.manager_roles() | keepers(profile)


def carry_out_roles(profile) -> set[str]:
    rule = _carry_out_rule(profile)
    if rule is not None and rule.applicant_roles:
        return set(rule.applicant_roles) | keepers(profile)
    return media_handlers(profile)


def document_handlers(profile, operation: str) -> set[str]:
    rule = profile.approvals.get(operation)
    if rule is not None and rule.enabled and rule.applicant_roles:
        return set(rule.applicant_roles) | keepers(profile, DOCUMENT_REGISTER_KEY)
    return profile.handler_roles() | profile.manager_roles() | keepers(profile, DOCUMENT_REGISTER_KEY)


def overseers(profile) -> set[str]:
    """Who sees every carry-out (within their unit when unit-scoped)."""
    rule = _carry_out_rule(profile)
    approvers = {r for s in rule.steps for r in s.roles} if rule is not None else set()
    return (keepers(profile) | keepers(profile, DOCUMENT_REGISTER_KEY) | profile.manager_roles()
            | profile.admin_roles() | profile.auditor_roles() | approvers)


def readers(profile) -> set[str]:
    return (media_handlers(profile) | carry_out_roles(profile) | overseers(profile)
            | document_handlers(profile, "document_copy") | document_handlers(profile, "document_carry_out"))


# --- articles, from the profile ---------------------------------------------------------------------------


def _given(article: str | None) -> bool:
    return bool(article) and article != "—"


def media_article(profile) -> str:
    register_ = profile.registers.get(MEDIA_REGISTER_KEY)
    if register_ is not None and _given(register_.article):
        return register_.article
    if _given(profile.storage.article):
        return profile.storage.article
    return profile.carry_out.article if profile.carry_out is not None else ""


def document_article(profile) -> str:
    register_ = profile.registers.get(DOCUMENT_REGISTER_KEY)
    if register_ is not None and _given(register_.article):
        return register_.article
    return media_article(profile)


def carry_out_article(profile) -> str:
    if profile.carry_out is not None and _given(profile.carry_out.article):
        return profile.carry_out.article
    rule = _carry_out_rule(profile)
    return rule.article if rule is not None else media_article(profile)


def disposal_article(profile) -> str:
    rule = profile.approvals.get("disposal")
    if rule is not None and rule.enabled and _given(rule.article):
        return rule.article
    return media_article(profile)


def copies_article(profile) -> str:
    """Temporary copies and their deletion (002 §26)."""
    if _given(profile.storage.temporary_copies_article):
        return profile.storage.temporary_copies_article
    return profile.storage.article if _given(profile.storage.article) else ""


# --- scope -------------------------------------------------------------------------------------------------


def _oversees(actor, decision, profile) -> bool:
    return bool(set(decision.roles) & overseers(profile))


def carry_out_in_scope(actor, obj, decision, profile) -> Deny | None:
    """A carry-out: the one who planned it, or an overseer (in their own unit when unit-scoped)."""
    from .models import CarryOut

    if not isinstance(obj, CarryOut):
        return None
    if obj.requested_by_id == getattr(actor.user, "pk", None):
        return None
    if not _oversees(actor, decision, profile):
        return Deny(NOT_FOUND_MESSAGE)
    if decision.units is not None and obj.requested_by.unit_id not in decision.units:
        return Deny(NOT_FOUND_MESSAGE)
    return None


def carry_outs_in_scope(queryset, actor, decision, profile):
    from .models import CarryOut

    if queryset.model is not CarryOut:
        return queryset
    own = Q(requested_by=actor.user)
    if not _oversees(actor, decision, profile):
        return queryset.filter(own)
    if decision.units is not None:
        return queryset.filter(own | Q(requested_by__unit_id__in=list(decision.units)))
    return queryset


register(
    Rule(Action.REGISTERS_VIEW, roles=readers, article=media_article, check=carry_out_in_scope,
         scope=carry_outs_in_scope),
    Rule(Action.MEDIA_REGISTER, roles=media_handlers, article=media_article),
    Rule(Action.MEDIA_MOVE, roles=media_handlers, article=media_article),
    Rule(Action.MEDIA_FAULT, roles=lambda p: p.admin_roles(), article=media_article),
    Rule(Action.MEDIA_DISPOSE, roles=media_handlers, article=disposal_article),
    Rule(Action.MEDIA_CARRY_OUT, roles=carry_out_roles, article=carry_out_article, check=carry_out_in_scope,
         scope=carry_outs_in_scope),
    Rule(Action.MEDIA_RETURN, roles=carry_out_roles, article=carry_out_article, check=carry_out_in_scope,
         scope=carry_outs_in_scope),
    Rule(Action.DOCUMENT_REGISTER, roles=lambda p: keepers(p, DOCUMENT_REGISTER_KEY), article=document_article),
    Rule(Action.DOCUMENT_COPY, roles=lambda p: document_handlers(p, "document_copy"), article=document_article),
    Rule(Action.DOCUMENT_CARRY_OUT, roles=lambda p: document_handlers(p, "document_carry_out"),
         article=document_article),
    Rule(Action.DOCUMENT_RETURN, roles=lambda p: document_handlers(p, "document_carry_out"),
         article=document_article),
    Rule(Action.DOCUMENT_CHECK, roles=lambda p: keepers(p, DOCUMENT_REGISTER_KEY) | p.manager_roles(),
         article=document_article),
    Rule(Action.DOCUMENT_DISPOSE, roles=lambda p: keepers(p, DOCUMENT_REGISTER_KEY), article=document_article),
    Rule(Action.DOCUMENT_DELETE_COPY, roles=lambda p: p.handler_roles() | p.manager_roles() | p.admin_roles(),
         article=copies_article, channels=frozenset({*EVERY_CHANNEL, Channel.SYSTEM})),
)
