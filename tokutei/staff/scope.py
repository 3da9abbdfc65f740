"""取扱いの範囲 (002 §4.4, 003 §3.10, E-04): a handler's scope, narrower than the tasks of the designation.

Whom the profile's ``handling_scope.set_by`` names (002: 保護管理者) narrows a designation to some
特定個人情報ファイル and/or ranges of record numbers (本人 #N); ``tokutei.policy.records`` honours it on every
path. Setting, changing and clearing it is one service, logged as ``staff.scope_set``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from .models import RoleAssignment
from .selectors import forget_assignments

MAX_RANGES = 20
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＃", "0123456789#")


def parse_ranges(text: str) -> list[list[int]]:
    """「100-199, 250」 (or 「＃100〜＃199、250」) → [[100, 199], [250, 250]]; a ValueError names what cannot be read."""
    text = re.sub(r"\s*[-–〜~ー－]\s*", "-", (text or "").translate(_FULL_WIDTH))
    ranges: list[list[int]] = []
    for part in re.split(r"[,、，\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"#?(\d{1,12})(?:-#?(\d{1,12}))?", part)
        if match is None:
            raise ValueError(_("記録番号の範囲を読み取れません: %(part)s") % {"part": part[:20]})
        lo, hi = int(match.group(1)), int(match.group(2) or match.group(1))
        if lo < 1 or hi < lo:
            raise ValueError(_("記録番号の範囲は、小さい番号から大きい番号の順に書いてください: %(part)s")
                             % {"part": part[:20]})
        ranges.append([lo, hi])
    return ranges


def scope_files_for(assignment: RoleAssignment) -> list[Any]:
    """The files a designation's scope may name: active files serving one of its tasks, in its unit."""
    from tokutei.vault.models import SpecificFile

    unit_id = assignment.unit_id or getattr(assignment.user, "unit_id", None)
    files = SpecificFile.objects.filter(status=SpecificFile.Status.ACTIVE).order_by("name", "pk")
    return [f for f in files if set(f.tasks or []) & set(assignment.tasks or [])
            and (f.unit_id is None or unit_id is None or f.unit_id == unit_id)]


def file_names() -> dict[int, str]:
    """Every 特定個人情報ファイル's name by id (a register row: no personal data)."""
    from tokutei.vault.models import SpecificFile

    return dict(SpecificFile.objects.values_list("pk", "name"))


def describe(assignment: RoleAssignment, names: dict[int, str] | None = None) -> str:
    """The scope as people read it (register, designation page): 「ファイル: …／記録番号: #1〜#99」."""
    if not assignment.narrowed:
        return _("事務の範囲のすべて")
    if names is None:
        names = file_names()
    parts = []
    if assignment.scope_files:
        parts.append(_("ファイル: %(names)s") % {"names": "、".join(
            names.get(int(f), f"#{f}") for f in assignment.scope_files)})
    if assignment.scope_records:
        parts.append(_("記録番号: %(ranges)s") % {"ranges": "、".join(
            f"#{lo}" if lo == hi else f"#{lo}〜#{hi}" for lo, hi in assignment.scope_records)})
    return "／".join(parts)


def set_handling_scope(*, actor: Actor, assignment: RoleAssignment, files: list[int] | None = None,
                       records: list[list[int]] | None = None, note: str = "") -> RoleAssignment:
    """Narrow (or, with neither ``files`` nor ``records``, widen back to its tasks) a designation's
    取扱いの範囲 (002 §4.4). Decided by the one policy (``staff.scope_set``), logged last."""
    profile = get_profile()
    details = {"assignment_id": assignment.pk, "role": assignment.role_key}
    require(actor, Action.STAFF_SCOPE_SET, assignment, target=("user", assignment.user_id), details=details)
    setting = profile.handling_scope
    assert setting is not None  # the rule allows nobody without one

    def no(message: str, code: str) -> Refused:
        return refuse(message, action=Action.STAFF_SCOPE_SET, article=setting.article, code=code,
                      **actor.log_fields(), target_type="user", target_id=assignment.user_id,
                      details={"channel": actor.channel.value, **details})

    files = list(dict.fromkeys(int(f) for f in files or []))
    records = [[int(lo), int(hi)] for lo, hi in records or []]
    if not assignment.is_active_on() or not assignment.user.is_active:
        raise no(_("有効な指定ではないため、取扱いの範囲を指定できません"), "inactive_designation")
    if files and "files" not in setting.by:
        raise no(_("この組織では、取扱いの範囲をファイルで限ることは定められていません"), "files_not_scopable")
    if records and "records" not in setting.by:
        raise no(_("この組織では、取扱いの範囲を記録番号で限ることは定められていません"), "records_not_scopable")
    allowed = {f.pk for f in scope_files_for(assignment)}
    if any(f not in allowed for f in files):
        raise no(_("指定の事務・所管に属さないファイルは、取扱いの範囲に含められません"), "file_outside_designation")
    if len(records) > MAX_RANGES or any(lo < 1 or hi < lo for lo, hi in records):
        raise no(_("記録番号の範囲が正しくありません"), "bad_ranges")
    previous = {"files": list(assignment.scope_files or []), "records": list(assignment.scope_records or [])}
    with transaction.atomic(durable=True):
        assignment.scope_files = files
        assignment.scope_records = records
        assignment.scope_set_by = actor.user
        assignment.scope_set_at = timezone.now()
        assignment.scope_note = note[:200]
        assignment.save(update_fields=["scope_files", "scope_records", "scope_set_by", "scope_set_at", "scope_note"])
        forget_assignments()
        record(action=Action.STAFF_SCOPE_SET, **actor.log_fields(), target_type="user",
               target_id=assignment.user_id, article=setting.article,
               details={**details, "files": files, "records": records, "previous": previous})
    return assignment
