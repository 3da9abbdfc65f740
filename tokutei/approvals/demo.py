"""Demo data: a pending request in the approvers' queue (the registers' demo adds a carry-out's).

Generic over profiles: requests are made only for operations the profile names, by a holder of an
applicant role, so the approvers the profile names see them on their dashboard.
"""

from __future__ import annotations

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment, User

from . import services


def _holder(roles) -> User | None:
    row = (RoleAssignment.objects.filter(in_force_q(), role_key__in=list(roles))
           .select_related("user").order_by("id").first())
    return row.user if row else None


def load() -> list[str]:
    profile = get_profile()
    lines: list[str] = []
    handler = _holder(profile.handler_roles())
    if _holder(profile.admin_roles()) is None or handler is None:
        return lines
    try:
        for operation, rule in profile.approvals.items():
            if not rule.enabled or operation.startswith("room_entry_") or operation == "subcontracting":
                continue
            applicant = _holder(rule.applicant_roles) if rule.applicant_roles else handler
            if applicant is None:
                continue
            req = services.create_request(actor=Actor.console(applicant), operation=operation,
                                          particulars={"note": "デモ申請"})
            lines.append(f"承認待ち: {rule.ja} #{req.pk}（申請者 {applicant.username}）")
            break
    except Refused as exc:  # a demo must not stop the whole demo load
        lines.append(f"承認デモの一部を作成できませんでした: {exc}")
    return lines
