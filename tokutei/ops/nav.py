"""The health banner of the administrators' dashboard, and their backup card."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tokutei.core.navigation import Card
from tokutei.profiles.selectors import NoProfile, get_profile


def _is_admin(request: HttpRequest) -> bool:
    if not request.user.is_authenticated:
        return False
    try:
        profile = get_profile()
    except NoProfile:
        return False
    from tokutei.staff.selectors import role_keys

    return bool(role_keys(request.user) & profile.admin_roles())


def health_banner(request: HttpRequest) -> dict | None:
    """For system administrators: the checks that are not ok (disk nearly full, checkpoint overdue, …),
    loudest first; None when all is well or the user is not an administrator."""
    if not _is_admin(request):
        return None
    from .health import FAIL, overall, run_checks

    problems = [c for c in run_checks() if c.status != "ok"]
    if not problems:
        return None
    problems.sort(key=lambda c: c.status != FAIL)
    return {"level": overall(problems), "checks": problems}


def dashboard_cards(request: HttpRequest) -> list[Card]:
    if not _is_admin(request):
        return []
    from .models import BackupCopy, RestoreDrill
    from .shredding import backup_note

    backups = list(BackupCopy.objects.select_related(None)[:5])
    for b in backups:
        b.restore_note = backup_note(b.created_at) if b.kind == BackupCopy.Kind.DATA else ""  # type: ignore[attr-defined]
    return [Card(_("バックアップ"), "ops/card_backups.html",
                 {"backups": backups, "drill": RestoreDrill.objects.first()}, order=63)]
