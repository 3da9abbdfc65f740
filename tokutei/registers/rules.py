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


def transmission_article(profile) -> str:
    """送信 (002 §11(2), §24): the profile's transmission article, else the general provisions."""
    return profile.transmission.article if profile.transmission is not None else profile.organisation.article


def dispatch_article(profile) -> str:
    """回付・進達 (004 §14(2)): the profile's dispatch article, else the general provisions."""
    return profile.dispatch.article if profile.dispatch is not None else profile.organisation.article


def dispatch_in_scope(actor, obj, decision, profile) -> Deny | None:
    """A 回付・進達 is completed by the one who opened it, for its task (else: not found)."""
    from .models import Dispatch

    if (not isinstance(obj, Dispatch) or obj.created_by_id != getattr(actor.user, "pk", None)
            or obj.purpose != actor.purpose):
        return Deny(NOT_FOUND_MESSAGE)
    return None


def dispatches_in_scope(queryset, actor, decision, profile):
    return queryset.filter(created_by=actor.user, purpose=actor.purpose)


def own_export(actor, obj, decision, profile) -> Deny | None:
    """An export file is sent by the one who made it, for the task it was made for (else: not found)."""
    from .models import TemporaryCopy

    if (not isinstance(obj, TemporaryCopy) or obj.kind != TemporaryCopy.Kind.EXPORT or obj.deleted_at is not None
            or obj.created_by_id != getattr(actor.user, "pk", None) or obj.purpose != actor.purpose):
        return Deny(NOT_FOUND_MESSAGE)
    return None


def own_exports(queryset, actor, decision, profile):
    from .models import TemporaryCopy

    return queryset.filter(kind=TemporaryCopy.Kind.EXPORT, deleted_at__isnull=True, created_by=actor.user,
                           purpose=actor.purpose)


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
    # 送信 of 特定個人情報等: a designated handler for the declared task (E-01, E-02), its own export file.
    Rule(Action.DISPATCH_OPEN, task=True, article=dispatch_article),
    Rule(Action.DISPATCH_COMPLETE, task=True, article=dispatch_article, check=dispatch_in_scope,
         scope=dispatches_in_scope),
    Rule(Action.VAULT_TRANSMIT, task=True, article=transmission_article, check=own_export, scope=own_exports),
    Rule(Action.DOCUMENT_DELETE_COPY, roles=lambda p: p.handler_roles() | p.manager_roles() | p.admin_roles(),
         article=copies_article, channels=frozenset({*EVERY_CHANNEL, Channel.SYSTEM})),
)


# --- rooms, assets, IDs and 照合情報 (issue 17) --------------------------------------------------------------
#
# The keepers of a typed register are its ``owner_roles`` in the profile (000: the システム管理者 keeps the
# 入退室管理簿, the 情報資産管理簿 and the 照合情報管理簿; 002: the system-owning 保護管理者 the 入退室の記録,
# the terminal list and the device allow-list); where the profile names no such register, its system
# administrators. Auditors and managers read them.

ROOM_REGISTER_KEYS = ("room_entry",)
ASSET_REGISTER_KEYS = ("assets", "terminals", "device_allowlist")
ID_REGISTER_KEYS = ("user_ids", "biometric", "linkage_ids", "number_system_ids")


def typed_keepers(profile, keys: tuple[str, ...]) -> set[str]:
    found = {r for k in keys if k in profile.registers for r in profile.registers[k].owner_roles}
    return found or profile.admin_roles()


def room_keepers(profile) -> set[str]:
    approvers = {r for room in profile.rooms.values() for r in room.entry_approver_roles}
    return typed_keepers(profile, ROOM_REGISTER_KEYS) | approvers


def typed_readers(profile) -> set[str]:
    owners = {r for reg in profile.registers.values() for r in reg.owner_roles}
    return (owners | room_keepers(profile) | typed_keepers(profile, ASSET_REGISTER_KEYS)
            | profile.admin_roles() | profile.manager_roles() | profile.auditor_roles() | profile.handler_roles())


def _approval_applicants(profile, *operations: str) -> set[str]:
    found: set[str] = set()
    for op in operations:
        rule = profile.approvals.get(op)
        if rule is not None and rule.enabled:
            found |= set(rule.applicant_roles)
    return found


def id_keepers(profile) -> set[str]:
    """Who deletes 照合情報 and records delegated authority: the 照合情報管理簿's keepers and, where the
    approval names applicants (000: 拠点管理者), those applicants — an approval is used by its applicant."""
    return (typed_keepers(profile, ("biometric",))
            | _approval_applicants(profile, "biometric_delete", "delegated_authority_add", "delegated_authority_return"))


def room_article(profile) -> str:
    reg = profile.registers.get("room_entry")
    if reg is not None and _given(reg.article):
        return reg.article
    return next((r.article for r in profile.rooms.values() if _given(r.article)), "")


def asset_article(profile) -> str:
    for key in ASSET_REGISTER_KEYS:
        reg = profile.registers.get(key)
        if reg is not None and _given(reg.article):
            return reg.article
    return media_article(profile)


def device_article(profile) -> str:
    """The allow-list of recording devices (002 §34, E-17)."""
    reg = profile.registers.get("device_allowlist")
    return reg.article if reg is not None and _given(reg.article) else asset_article(profile)


def id_article(profile) -> str:
    for key in ("biometric", "user_ids"):
        reg = profile.registers.get(key)
        if reg is not None and _given(reg.article):
            return reg.article
    return profile.authentication.article


LINKAGE_REGISTER_KEY = "linkage_ids"


def linkage_keepers(profile) -> set[str]:
    """情報連携システムのID (004 §14(2), §14(7)): the ``linkage_ids`` register's keepers (004: the
    特定個人情報保護責任者, who applies to the 連合会); nobody where the profile has no such register."""
    if LINKAGE_REGISTER_KEY not in profile.registers:
        return set()
    return typed_keepers(profile, (LINKAGE_REGISTER_KEY,))


def linkage_article(profile) -> str:
    reg = profile.registers.get(LINKAGE_REGISTER_KEY)
    return reg.article if reg is not None and _given(reg.article) else id_article(profile)


def terminal_movers(profile) -> set[str]:
    return (profile.handler_roles() | profile.manager_roles() | typed_keepers(profile, ASSET_REGISTER_KEYS)
            | _approval_applicants(profile, "terminal_carry_out", "terminal_bring_in"))


register(
    Rule(Action.TYPED_REGISTERS_VIEW, roles=typed_readers, article=room_article),
    Rule(Action.TYPED_REGISTERS_EXPORT, roles=typed_readers, article=room_article),
    Rule(Action.ROOM_REGISTER, roles=lambda p: typed_keepers(p, ROOM_REGISTER_KEYS), article=room_article),
    Rule(Action.ROOM_CHECK, roles=lambda p: room_keepers(p) | p.manager_roles(), article=room_article),
    Rule(Action.ROOM_ENTRY, roles=room_keepers, article=room_article),
    Rule(Action.ROOM_EXIT, roles=room_keepers, article=room_article),
    Rule(Action.ASSET_REGISTER, roles=lambda p: typed_keepers(p, ASSET_REGISTER_KEYS), article=asset_article),
    Rule(Action.ASSET_CHANGE, roles=lambda p: typed_keepers(p, ASSET_REGISTER_KEYS), article=asset_article),
    Rule(Action.TERMINAL_MOVEMENT, roles=terminal_movers, article=asset_article),
    Rule(Action.DEVICE_ALLOW, roles=lambda p: typed_keepers(p, ASSET_REGISTER_KEYS), article=device_article),
    Rule(Action.DEVICE_IMPORT, roles=lambda p: typed_keepers(p, ASSET_REGISTER_KEYS), article=device_article),
    Rule(Action.BIOMETRIC_DELETE, roles=id_keepers, article=id_article),
    Rule(Action.DELEGATED_AUTHORITY, roles=id_keepers, article=id_article),
    *(Rule(action, roles=linkage_keepers, article=linkage_article)
      for action in (Action.LINKAGE_ID_APPLY, Action.LINKAGE_ID_ACTIVATE, Action.LINKAGE_ID_SUSPEND,
                     Action.LINKAGE_ID_RETURN)),
)
