"""Reading who holds which role, and which terminal a request comes from."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tokutei.core import memo
from tokutei.core.inforce import in_force_q, in_force_sql
from tokutei.core.sql import select_models

from .models import RoleAssignment, Terminal, User


def active_assignments(user: User, *, on: dt.date | None = None) -> QuerySet[RoleAssignment]:
    """The user's role assignments in force on ``on`` (today by default). Inactive users have none."""
    day = on or timezone.localdate()
    if not user.is_active:
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(in_force_q(day), user=user)


def assignments_in_force(user: User, *, on: dt.date | None = None) -> list[RoleAssignment]:
    """``active_assignments`` as a list, read once per request (tokutei.core.memo; every call outside one).

    Forgotten whenever an assignment or a user is saved or deleted here, and by the staff services that
    change assignments in bulk (``forget_assignments``), so a change applies to the rest of the request.
    """
    day = on or timezone.localdate()
    if not user.is_active:
        return []
    return memo.remembered(("assignments", user.pk, day), lambda: _assignments_sql(user.pk, day))


# ``active_assignments`` as one fixed statement (tokutei.core.sql): the same rule (tokutei.core.inforce).
def _assignments_sql(user_id: int, day: dt.date) -> list[RoleAssignment]:
    condition, params = in_force_sql(day)
    return select_models(RoleAssignment, f'"user_id" = %s AND {condition}', [user_id, *params],
                         order_by='"user_id", "role_key", "start_date" DESC')  # Meta.ordering


def forget_assignments(**_kwargs) -> None:
    memo.forget("assignments")


for _model in (RoleAssignment, User):
    post_save.connect(forget_assignments, sender=_model, dispatch_uid=f"tokutei.staff.memo.save.{_model.__name__}")
    post_delete.connect(forget_assignments, sender=_model, dispatch_uid=f"tokutei.staff.memo.del.{_model.__name__}")


def role_keys(user: User, *, on: dt.date | None = None) -> set[str]:
    return {a.role_key for a in assignments_in_force(user, on=on)}


def has_role(user: User, roles: set[str] | list[str], *, on: dt.date | None = None) -> bool:
    return bool(role_keys(user, on=on) & set(roles))


def holders_of(role_key: str, *, on: dt.date | None = None) -> QuerySet[User]:
    day = on or timezone.localdate()
    return User.objects.filter(
        in_force_q(day, prefix="assignments__"), is_active=True, assignments__role_key=role_key,
    ).distinct()


def credential_digest(credential: str) -> str:
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


def terminal_for_credential(credential: str | None) -> Terminal | None:
    """The registered, unrevoked terminal that holds this credential, or None."""
    if not credential or len(credential) > 200:
        return None
    # Every request asks this: one fixed statement (tokutei.core.sql) rather than a compiled QuerySet.
    found = select_models(Terminal, '"credential_digest" = %s AND "revoked_at" IS NULL',
                          [credential_digest(credential)], order_by='"id"', limit=1)
    return found[0] if found else None


# --- who may do what (read side of the designation rules) -----------------------------------------------


def _profile():
    from tokutei.profiles.selectors import get_profile

    return get_profile()


def designatable_roles(user: User) -> list[str]:
    """Role keys this user may designate others to (R-ORG-3); admins also fill roles nobody designates."""
    from .rules import designatable_by

    return designatable_by(role_keys(user), _profile())


def ineligibility(role_key: str, user: User, *, on: dt.date | None = None) -> tuple[str, str] | None:
    """Why ``user`` may not hold ``role_key`` from ``on`` — (message, code) — or None (E-11, E-33).

    The role's ``eligible_units`` (a holder belongs to one of them: 004 §5, §7) and ``eligible_roles`` (a
    holder also holds one of them: 000 §7). The one answer for designations and ex-officio posts alike.
    """
    from django.utils.translation import gettext as _

    profile = _profile()
    role = profile.roles[role_key]
    if role.eligible_units and (user.unit is None or user.unit.key not in role.eligible_units):
        units = "・".join(profile.units[k].ja for k in role.eligible_units if k in profile.units)
        return _("%(role)sに指定できるのは%(units)sの職員だけです") % {"role": role.ja, "units": units}, "ineligible_unit"
    if role.eligible_roles and not (role_keys(user, on=on) & set(role.eligible_roles)):
        names = "・".join(profile.roles[k].ja for k in role.eligible_roles)
        return (_("%(role)sに指定できるのは%(roles)sとして指定されている者だけです") % {"role": role.ja, "roles": names},
                "ineligible_role")
    return None


def holders_count(role_key: str, *, on: dt.date | None = None, exclude_user: User | None = None) -> int:
    """Distinct people holding the role on ``on`` or designated to hold it from a later date."""
    day = on or timezone.localdate()
    qs = RoleAssignment.objects.filter(in_force_q(day, start=None), role_key=role_key, user__is_active=True)
    if exclude_user is not None:
        qs = qs.exclude(user=exclude_user)
    return qs.values("user_id").distinct().count()


def holder_alerts() -> list[str]:
    """Roles with fewer holders than the profile requires (E-11), with the article as the profile cites it."""
    from django.utils.translation import gettext as _

    from tokutei.profiles.citations import cite

    profile = _profile()
    alerts = []
    for key, role in profile.roles.items():
        if role.exact_holders is not None and (count := holders_count(key)) < role.exact_holders:
            alert = _("%(role)sは%(n)s名必要ですが、現在%(count)s名です") % {
                "role": role.ja, "n": role.exact_holders, "count": count}
            citation = cite(role.article, profile)
            alerts.append(f"{alert}（{citation}）" if citation else alert)
    return alerts


def handler_assignments(user: User, *, on: dt.date | None = None) -> QuerySet[RoleAssignment]:
    """Active assignments of roles that handle personal data (E-01)."""
    return active_assignments(user, on=on).filter(role_key__in=_profile().handler_roles())


def is_handler(user: User) -> bool:
    """Holds an active assignment of a role that handles personal data today (E-01); once per request."""
    handlers = _profile().handler_roles()
    return any(a.role_key in handlers for a in assignments_in_force(user))


def active_password_only_decision(user: User, *, on: dt.date | None = None):
    from .models import PasswordOnlyDecision

    day = on or timezone.localdate()
    return (
        PasswordOnlyDecision.objects.filter(in_force_q(day), user=user)
        .order_by("-start_date")
        .first()
    )


def usable_factors(user: User, *, kinds: set[str] | None = None):
    from .models import SecondFactor

    qs = SecondFactor.objects.filter(user=user, revoked_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return qs


def allowed_factor_kinds() -> set[str]:
    """Second factors the profile accepts. Biometric profiles accept only WebAuthn with user verification."""
    auth = _profile().authentication
    kinds = {m for m in auth.modes if m in {"totp", "webauthn"}}
    if auth.biometric_required:
        return {"webauthn"}
    return kinds


def second_factor_required(user: User) -> bool:
    """The profile requires a second factor for this user (``Role.second_factor``, ``authentication``)."""
    profile = _profile()
    auth = profile.authentication
    if not allowed_factor_kinds():
        return False
    if auth.biometric_required:
        return True
    roles = role_keys(user)
    if not roles:
        return True  # no role says "optional": ask for the stronger sign-in
    return any(profile.roles[r].second_factor == "required" for r in roles if r in profile.roles)


def password_change_required(user: User) -> str:
    """'' or why the password must be changed now: 'initial' (first sign-in) or 'expired' (E-15)."""
    if user.must_change_password:
        return "initial"
    max_age = _profile().authentication.password_max_age
    if max_age is not None:
        changed = user.password_changed_at or user.date_joined
        if max_age.add_to(timezone.localtime(changed).date()) <= timezone.localdate():
            return "expired"
    return ""


def _scopable(profile, role_key: str) -> bool:
    return profile.handling_scope is not None and role_key in profile.handling_scope.roles


def operator_register(*, include_ended: bool = True) -> list[dict]:
    """端末機操作者登録簿 (001 §5) / ユーザID管理簿 (000 §14.2): every designation with its facts (R-IAM-1)."""
    profile = _profile()
    auth = profile.authentication
    qs = RoleAssignment.objects.select_related("user", "unit", "designated_by", "user__unit").order_by(
        "user__username", "start_date"
    )
    rows = []
    today = timezone.localdate()
    from .scope import describe, file_names

    names = file_names()
    for a in qs:
        active = a.is_active_on(today) and a.user.is_active
        if not include_ended and not active:
            continue
        role = profile.roles.get(a.role_key)
        kinds = sorted({f.kind for f in usable_factors(a.user)})
        methods = ["パスワード"] + [
            "生体認証(WebAuthn)" if k == "webauthn" else "ワンタイムパスワード" for k in kinds
        ]
        if auth.password_only_exception.allowed and active_password_only_decision(a.user):
            methods.append("ID・パスワード例外(決定あり)")
        end = a.end_date
        if a.revoked_at is not None:
            end = timezone.localtime(a.revoked_at).date()
        unit = a.unit or a.user.unit
        rows.append({
            "assignment": a,
            "user_id": a.user.username,
            "name": a.user.display_name,
            "unit": unit.name_ja if unit else "",
            "role": role.ja if role else a.role_key,
            "basis": a.get_basis_display(),
            "tasks": "、".join(profile.tasks[t].ja for t in a.tasks if t in profile.tasks),
            # 取扱いの範囲 (002 §4.4, E-04, R-IAM-2): only where the profile provides one for the role
            "scope": describe(a, names) if _scopable(profile, a.role_key) else "",
            "designated_by": a.designated_by.display_name if a.designated_by else "",
            "start_date": a.start_date,
            "end_date": end,
            "revoked": a.revoked_at is not None,
            "auth": "・".join(methods),
            "active": active,
        })
    return rows
