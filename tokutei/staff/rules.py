"""The staff app's actions in the rule book: who administers staff, designations, posts and terminals.

Roles come from the profile: ``administers_system`` (システム管理者: staff, posts, terminals, credentials)
and, for designations, the ``designated_by`` of the role being designated (R-ORG-3, E-11) — a per-record
check: may this actor designate (or end the designation of) THIS role. A unit-scoped designator
(保護管理者) designates only within their own unit (R-ORG-6). Who may *hold* a role (the role's
``eligible_units`` / ``eligible_roles``, E-11, E-33) is a fact about the designee, not the actor:
``tokutei.staff.selectors.ineligibility`` answers it for designations and posts alike.

``STAFF_SCOPE_SET`` narrows a handler's designation to some files or record numbers (取扱いの範囲, 002 §4.4,
003 §3.10, E-04): only the profile's ``handling_scope.set_by`` roles, for the roles it names, a unit-scoped
setter within their own unit; the policy then honours it (tokutei.policy.records).

``STAFF_ACCESS`` is the gate of the personal-data screens that are not yet on a task action: a handler
designation in force (E-01) on a registered terminal (002 §31, 004 §14(7), E-16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Deny, Rule, register, role_names

if TYPE_CHECKING:
    from tokutei.profiles.schema import Profile


@dataclass(frozen=True)
class RoleTarget:
    """What a designation is about: ``role_key`` for ``user`` (the object of a STAFF_DESIGNATE decision)."""

    role_key: str
    user: Any = None


def _join(articles) -> str:
    return "; ".join(dict.fromkeys(a for a in articles if a and a != "—"))


def admin_roles(profile: Profile) -> set[str]:
    return profile.admin_roles()


def admin_article(profile: Profile) -> str:
    return _join(sorted(profile.roles[k].article for k in profile.admin_roles()))


def designator_roles(profile: Profile) -> set[str]:
    """Every role that designates some other role (the profile's ``designated_by``)."""
    return {k for role in profile.roles.values() for k in role.designated_by}


def administrators_or_designators(profile: Profile) -> set[str]:
    return profile.admin_roles() | designator_roles(profile)


def _admin_only(decision, profile: Profile) -> Deny | None:
    if decision.roles & profile.admin_roles():
        return None
    return Deny(_("この操作を行えるのは、%(roles)s です") % {"roles": role_names(profile, profile.admin_roles())},
                code="no_role", article=admin_article(profile))


def designatable_by(roles_held: set[str], profile: Profile) -> list[str]:
    """Role keys a holder of ``roles_held`` may designate others to (R-ORG-3); administrators also fill the
    roles nobody designates (and that are not ex officio)."""
    admin = bool(roles_held & profile.admin_roles())
    return [key for key, role in profile.roles.items()
            if (role.designated_by and roles_held & set(role.designated_by))
            or (not role.designated_by and not role.posts and admin)]


def may_designate(actor, obj, decision, profile: Profile) -> Deny | None:
    """A role (``RoleTarget``): the actor designates it; a post (``Post``): only the administrator."""
    from .models import Post

    if isinstance(obj, Post):
        return _admin_only(decision, profile)
    if not isinstance(obj, RoleTarget):
        return Deny(NOT_FOUND_MESSAGE)
    role = profile.roles.get(obj.role_key)
    if role is None:
        return Deny(_("プロファイルにない役割です"), code="unknown_role", article=profile.organisation.article)
    held = set(decision.roles)
    if obj.role_key not in designatable_by(held, profile):
        if role.designated_by:
            return Deny(_("%(role)sを指定できるのは%(designators)sだけです")
                        % {"role": role.ja, "designators": "・".join(profile.roles[k].ja for k in role.designated_by)},
                        code="not_designator", article=role.article)
        if role.posts:
            return Deny(_("%(role)sは充て職です。役職の割当てで設定してください") % {"role": role.ja},
                        code="ex_officio_role", article=role.article)
        return Deny(_("%(role)sを指定する権限がありません") % {"role": role.ja}, code="not_designator",
                    article=role.article)
    # A unit-scoped designator (保護管理者) acts only within their own unit (R-ORG-6).
    scoped = [k for k in role.designated_by if k in held and profile.roles[k].unit_scoped]
    unscoped = held & set(role.designated_by) - set(scoped)
    if scoped and not unscoped and obj.user is not None and actor.user.unit_id != obj.user.unit_id:
        return Deny(_("自分の所管課以外の職員は指定できません"), code="outside_unit",
                    article=profile.roles[scoped[0]].article)
    return None


def may_revoke(actor, obj, decision, profile: Profile) -> Deny | None:
    """A designation: its designators or the administrator; a person or a post holding: the administrator."""
    from .models import RoleAssignment

    if isinstance(obj, RoleAssignment):
        held = set(decision.roles)
        if obj.role_key in designatable_by(held, profile) or held & profile.admin_roles():
            return None
        role = profile.roles.get(obj.role_key)
        return Deny(_("この指定を終了する権限がありません"), code="not_designator",
                    article=role.article if role else admin_article(profile))
    return _admin_only(decision, profile)


def scope_setters(profile: Profile) -> set[str]:
    """Who defines a handler's 取扱いの範囲 (002 §4.4: 保護管理者; 003 §3.10: 事務取扱責任者) — the profile's
    ``handling_scope.set_by``; nobody where the regulation provides no such scope."""
    return set(profile.handling_scope.set_by) if profile.handling_scope else set()


def scope_article(profile: Profile) -> str:
    return profile.handling_scope.article if profile.handling_scope else profile.organisation.article


def may_set_scope(actor, obj, decision, profile: Profile) -> Deny | None:
    """A designation of a role the scope narrows; a unit-scoped setter (保護管理者) in their own unit only."""
    from .models import RoleAssignment

    setting = profile.handling_scope
    if not isinstance(obj, RoleAssignment) or setting is None:
        return Deny(NOT_FOUND_MESSAGE)
    if obj.role_key not in setting.roles:
        role = profile.roles.get(obj.role_key)
        return Deny(_("%(role)sの指定には取扱いの範囲を定めません") % {"role": role.ja if role else obj.role_key},
                    code="not_scopable", article=setting.article)
    held = set(decision.roles)
    unscoped = {k for k in held & set(setting.set_by) if not profile.roles[k].unit_scoped}
    unit_id = obj.unit_id or getattr(obj.user, "unit_id", None)
    if not unscoped and actor.user.unit_id != unit_id:
        return Deny(_("自分の所管課以外の職員の取扱いの範囲は指定できません"), code="outside_unit",
                    article=setting.article)
    return None


def _password_only_roles(profile: Profile) -> set[str]:
    exception = profile.authentication.password_only_exception
    return set(exception.granted_by) if exception.allowed else set()


def _password_only_article(profile: Profile) -> str:
    exception = profile.authentication.password_only_exception
    return exception.article if exception.allowed else profile.authentication.article


def _handler_article(profile: Profile) -> str:
    return _join(sorted(profile.roles[k].article for k in profile.handler_roles()))


ADMIN_ACTIONS = (
    Action.STAFF_VIEW, Action.STAFF_USER_CREATE, Action.STAFF_TRANSFER, Action.STAFF_CREDENTIAL_RESET,
    Action.STAFF_PROVISIONING_CLOSE, Action.STAFF_TERMINAL_REGISTER, Action.STAFF_TERMINAL_REVOKE,
)

register(
    *(Rule(action, roles=admin_roles, article=admin_article, unit_scoped_roles=False) for action in ADMIN_ACTIONS),
    Rule(Action.STAFF_DESIGNATE, roles=administrators_or_designators, check=may_designate, unit_scoped_roles=False),
    Rule(Action.STAFF_REVOKE, roles=administrators_or_designators, check=may_revoke, unit_scoped_roles=False),
    Rule(Action.STAFF_SCOPE_SET, roles=scope_setters, article=scope_article, check=may_set_scope,
         unit_scoped_roles=False),
    Rule(Action.STAFF_REGISTER_VIEW, roles=administrators_or_designators, unit_scoped_roles=False),
    Rule(Action.STAFF_REGISTER_EXPORT, roles=administrators_or_designators, unit_scoped_roles=False),
    Rule(Action.STAFF_PASSWORD_ONLY, roles=_password_only_roles, article=_password_only_article,
         unit_scoped_roles=False),
    Rule(Action.STAFF_ACCESS, roles=lambda p: p.handler_roles(), article=_handler_article, terminal=True,
         message=_("事務取扱担当者として指定されていないため、特定個人情報等を取り扱えません"),
         unit_scoped_roles=False),
)
