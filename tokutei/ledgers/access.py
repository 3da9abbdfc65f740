"""Who may read and write the ledgers — decided here only, from the roles the profile defines."""

from __future__ import annotations

from tokutei.profiles.schema import Profile
from tokutei.staff.selectors import role_keys


def manager_roles(profile: Profile) -> set[str]:
    """Roles that designate or supervise handlers, or act for a unit (保護管理者, 事務取扱責任者 …)."""
    return profile.manager_roles()


def recorder_roles(profile: Profile) -> set[str]:
    """Who enters paper steps in the handling-status record (003 §7, 004 §9: 事務取扱担当者)."""
    form = profile.handling_status
    if form is not None and form.recorder_roles:
        return set(form.recorder_roles)
    return profile.handler_roles()


def may_record(user, profile: Profile) -> bool:
    """A recorder role in force — and, where the form names units (003 §7: 職員課・会計課), in one of them."""
    from tokutei.staff.selectors import active_assignments

    if not user.is_authenticated:
        return False
    roles = recorder_roles(profile)
    units = set(getattr(profile.handling_status, "recorder_units", None) or [])
    for a in active_assignments(user).select_related("unit"):
        if a.role_key not in roles:
            continue
        unit_key = a.unit.key if a.unit else (user.unit.key if getattr(user, "unit", None) else None)
        if not units or unit_key in units:
            return True
    return False


def viewer_roles(profile: Profile) -> set[str]:
    return (
        recorder_roles(profile) | profile.handler_roles() | manager_roles(profile)
        | profile.auditor_roles() | profile.admin_roles()
    )


def file_register_signer_roles(profile: Profile) -> set[str]:
    roles = manager_roles(profile)
    if profile.file_register is not None:
        roles |= set(profile.file_register.owner_roles)
    return roles


def register_writer_roles(profile: Profile, key: str) -> set[str]:
    register = profile.registers[key]
    return set(register.owner_roles) or profile.admin_roles()


def register_reader_roles(profile: Profile, key: str) -> set[str]:
    return register_writer_roles(profile, key) | manager_roles(profile) | profile.auditor_roles() | profile.admin_roles()


def may(user, roles: set[str]) -> bool:
    return bool(user.is_authenticated and role_keys(user) & roles)
