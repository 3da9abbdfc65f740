"""Who may read and write the ledgers: the ledgers' actions in the rule book (tokutei.policy).

Every role comes from the profile. The common checks (signed in, a role in force, the channel) are the
engine's; here, per ledger and per record:

* a ledger is named by :class:`Ledger` — the handling-status record (``handling``, 003 §7, 004 §9), the
  file register (``files``, 004 §10) or one record book of the profile (``register`` + its key) — and each
  has its own readers and writers (``readers`` / ``writers``), so one rule per action decides them all;
* a 保護管理者 whose role is ``unit_scoped`` reaches the records of their own unit only (R-HSR-6: 003
  §3.6(3), §9.1; 004 §11.1): handling records of their unit's files (or, without a file, of their unit's
  staff), record-book entries written by their unit's staff, their unit's files. One record outside that
  is refused as not found, exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register
from tokutei.policy.rules import EVERY_CHANNEL
from tokutei.profiles.schema import Profile

HANDLING = "handling"
FILES = "files"
REGISTER = "register"


@dataclass(frozen=True)
class Ledger:
    """Which ledger an action is for: ``Ledger(HANDLING)``, ``Ledger(FILES)``, ``Ledger(REGISTER, "media")``."""

    kind: str
    key: str = ""


# --- roles, from the profile ------------------------------------------------------------------------------

def recorder_roles(profile: Profile) -> set[str]:
    """Who enters paper steps in the handling-status record (003 §7, 004 §9: 事務取扱担当者)."""
    form = profile.handling_status
    if form is not None and form.recorder_roles:
        return set(form.recorder_roles)
    return profile.handler_roles()


def file_register_signer_roles(profile: Profile) -> set[str]:
    roles = profile.manager_roles()
    if profile.file_register is not None:
        roles |= set(profile.file_register.owner_roles)
    return roles


def _register_writers(profile: Profile, key: str) -> set[str]:
    return set(profile.registers[key].owner_roles) or profile.admin_roles()


def readers(profile: Profile, ledger: Ledger) -> set[str]:
    supervisors = profile.manager_roles() | profile.auditor_roles() | profile.admin_roles()
    if ledger.kind == HANDLING:
        return recorder_roles(profile) | profile.handler_roles() | supervisors
    if ledger.kind == FILES:
        return readers(profile, Ledger(HANDLING)) | file_register_signer_roles(profile)
    if ledger.kind == REGISTER and ledger.key in profile.registers:
        return _register_writers(profile, ledger.key) | supervisors
    return set()


def writers(profile: Profile, ledger: Ledger) -> set[str]:
    if ledger.kind == HANDLING:
        return recorder_roles(profile)
    if ledger.kind == REGISTER and ledger.key in profile.registers:
        return _register_writers(profile, ledger.key)
    return set()


def _every_ledger(profile: Profile) -> list[Ledger]:
    return [Ledger(HANDLING), Ledger(FILES), *(Ledger(REGISTER, k) for k in profile.registers)]


def _article(profile: Profile, ledger: Ledger) -> str:
    if ledger.kind == REGISTER and ledger.key in profile.registers:
        return profile.registers[ledger.key].article
    if ledger.kind == FILES and profile.file_register is not None:
        return profile.file_register.article
    return profile.handling_status.article if profile.handling_status is not None else ""


# --- units (R-HSR-6) -------------------------------------------------------------------------------------

def _unit_staff(units) -> list[int]:
    from tokutei.staff.models import User

    return list(User.objects.filter(unit_id__in=units).values_list("pk", flat=True))


def _unit_files(units) -> list[int]:
    from .files import file_model

    model = file_model()
    if model is None:
        return []
    return list(model._default_manager.filter(unit_id__in=units).values_list("pk", flat=True))


def _record_in_units(obj, units) -> bool:
    from .files import FileInfo
    from .models import FileRegisterSignOff, HandlingRecord, RegisterEntry

    if isinstance(obj, HandlingRecord):
        if obj.file_id is not None:
            return obj.file_id in _unit_files(units)
        return obj.actor_id in _unit_staff(units)
    if isinstance(obj, RegisterEntry):
        return obj.created_by_id in _unit_staff(units)
    if isinstance(obj, FileInfo):
        return obj.unit_id in units
    if isinstance(obj, FileRegisterSignOff):
        return obj.file_id in _unit_files(units)
    return getattr(obj, "unit_id", None) in units


def _ledger_of(obj) -> Ledger | None:
    from .files import FileInfo
    from .models import HandlingRecord, RegisterEntry

    if isinstance(obj, Ledger):
        return obj
    if isinstance(obj, HandlingRecord):
        return Ledger(HANDLING)
    if isinstance(obj, RegisterEntry):
        return Ledger(REGISTER, obj.register)
    if isinstance(obj, FileInfo):
        return Ledger(FILES)
    return None


def _check(roles_of):
    def check(actor, obj, decision, profile) -> Deny | None:
        ledger = _ledger_of(obj)
        if ledger is None or (ledger.kind == REGISTER and ledger.key not in profile.registers):
            return Deny(NOT_FOUND_MESSAGE)
        if not decision.roles & roles_of(profile, ledger):
            names = "、".join(profile.roles[k].ja for k in profile.roles if k in roles_of(profile, ledger))
            message = (_("この台帳を扱えるのは、%(roles)s です") % {"roles": names} if names
                       else _("この組織では、この台帳を扱う役割が定められていません"))
            return Deny(message, code="no_role", article=_article(profile, ledger))
        if not isinstance(obj, Ledger) and decision.units is not None and not _record_in_units(obj, decision.units):
            return Deny(NOT_FOUND_MESSAGE)
        return None

    return check


def _manual_entry_check(actor, obj, decision, profile) -> Deny | None:
    """A recorder role — and, where the form names units (003 §7: 職員課・会計課), one held in them."""
    deny = _check(writers)(actor, obj, decision, profile)
    if deny is not None:
        return deny
    ledger = _ledger_of(obj)
    units = set(getattr(profile.handling_status, "recorder_units", None) or [])
    if ledger is not None and ledger.kind == HANDLING and units:
        from tokutei.staff.selectors import assignments_in_force

        roles = recorder_roles(profile)
        user_unit = getattr(getattr(actor.user, "unit", None), "key", None)
        held = {(a.unit.key if a.unit is not None else user_unit) for a in assignments_in_force(actor.user)
                if a.role_key in roles}
        if not held & units:
            names = "、".join(profile.units[u].ja for u in profile.units if u in units)
            return Deny(_("取扱状況の記録を記入できるのは、%(units)s の記録担当の職員です") % {"units": names},
                        code="no_role", article=_article(profile, ledger))
    return None


def _sign_off_check(actor, obj, decision, profile) -> Deny | None:
    """The file's responsible person, or a manager / the register's owner roles (004 §10, E-43)."""
    from .files import FileInfo

    if not isinstance(obj, FileInfo):
        return Deny(NOT_FOUND_MESSAGE)
    if decision.units is not None and obj.unit_id not in decision.units:
        return Deny(NOT_FOUND_MESSAGE)
    if obj.responsible_id == getattr(actor.user, "pk", None) or decision.roles & file_register_signer_roles(profile):
        return None
    # A file someone else signs for answers exactly like one that does not exist (a changed id in the
    # address must not tell which files there are).
    return Deny(NOT_FOUND_MESSAGE)


def _scope(queryset, actor, decision, profile):
    """Records of the ledgers the actor reads, within their units (R-HSR-6)."""
    from .files import file_model
    from .models import FileRegisterSignOff, HandlingRecord, RegisterEntry

    units = decision.units
    model = queryset.model
    if model is RegisterEntry:
        readable = [k for k in profile.registers if decision.roles & readers(profile, Ledger(REGISTER, k))]
        queryset = queryset.filter(register__in=readable)
        return queryset if units is None else queryset.filter(created_by__unit_id__in=units)
    if model is HandlingRecord:
        if not decision.roles & readers(profile, Ledger(HANDLING)):
            return queryset.none()
        if units is None:
            return queryset
        return queryset.filter(Q(file_id__in=_unit_files(units))
                               | Q(file_id__isnull=True, actor_id__in=_unit_staff(units)))
    if model is FileRegisterSignOff:
        return queryset if units is None else queryset.filter(file_id__in=_unit_files(units))
    if model is file_model():
        if not decision.roles & readers(profile, Ledger(FILES)):
            return queryset.none()
        return queryset if units is None else queryset.filter(unit_id__in=units)
    return queryset.none()


def _all_readers(profile: Profile) -> set[str]:
    return {r for ledger in _every_ledger(profile) for r in readers(profile, ledger)}


def _all_writers(profile: Profile) -> set[str]:
    return {r for ledger in _every_ledger(profile) for r in writers(profile, ledger)}


def _hs_article(profile: Profile) -> str:
    """The handling-status form's article (or the file register's, where there is no form)."""
    return _article(profile, Ledger(HANDLING)) or _article(profile, Ledger(FILES))


register(
    Rule(Action.LEDGERS_VIEW, roles=_all_readers, article=_hs_article, check=_check(readers), scope=_scope),
    Rule(Action.LEDGERS_EXPORT, roles=_all_readers, article=_hs_article, check=_check(readers), scope=_scope),
    Rule(Action.LEDGERS_MANUAL_ENTRY, roles=_all_writers, article=_hs_article, check=_manual_entry_check,
         scope=_scope),
    # Any staff member with a role in force may ask; the check admits the file's responsible person and the
    # signer roles only.
    Rule(Action.LEDGERS_FILE_SIGN_OFF, roles=lambda p: set(p.roles), check=_sign_off_check,
         article=lambda p: _article(p, Ledger(FILES))),
    # Catching up the handling-status record from the log (`tokutei ledgers sync`, scheduled jobs).
    Rule(Action.LEDGERS_SYNC, roles=lambda p: p.admin_roles() | p.manager_roles(), article=_hs_article,
         channels=EVERY_CHANNEL | {Channel.SYSTEM}),
)
