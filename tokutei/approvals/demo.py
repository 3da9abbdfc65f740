"""Demo data: a medium, a document, a planned carry-out and a pending request in the approvers' queue.

Generic over profiles: requests are made only for operations the profile names, by a holder of an
applicant role, so the approvers the profile names see them on their dashboard.
"""

from __future__ import annotations

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment, User

from . import media, services


def _holder(roles) -> User | None:
    row = (RoleAssignment.objects.filter(in_force_q(), role_key__in=list(roles))
           .select_related("user").order_by("id").first())
    return row.user if row else None


def load() -> list[str]:
    profile = get_profile()
    lines: list[str] = []
    admin = _holder(profile.admin_roles())
    handler = _holder(profile.handler_roles())
    if admin is None or handler is None:
        return lines
    try:
        medium = media.register_medium(actor=admin, label="DEMO-M-001", kind="optical",
                                       storage_place="記録媒体保管庫（施錠）", record_count=120,
                                       content_summary="デモ用 年次処理データ")
        media.register_document(actor=admin, title="システム運用手順書（デモ）", kind="operation",
                                storage_place="総務担当 書庫")
        policy = media.carry_out_policy(profile)
        protection = next(iter(policy.protection_any_of or policy.protection_all_of or {"strict_packaging": ""}))
        purpose = next(iter(policy.allowed_purposes), "")
        co = media.create_carry_out(actor=handler, counterparty="デモ提出先", media_type=medium.get_kind_display(),
                                    quantity=1, record_count=medium.record_count, protections=[protection],
                                    purpose_key=purpose, medium_id=medium.pk)
        if policy.approval and services.rule_for(policy.approval, profile):
            req = media.request_carry_out_approval(actor=handler, carry_out_id=co.pk)
            lines.append(f"承認待ち: 持出しの承認申請 #{req.pk}（申請者 {handler.username}）")
        for operation, rule in profile.approvals.items():
            if not rule.enabled or operation.startswith("room_entry_") or operation == "subcontracting":
                continue
            applicant = _holder(rule.applicant_roles) if rule.applicant_roles else handler
            if applicant is None:
                continue
            req = services.create_request(actor=applicant, operation=operation,
                                          particulars={"note": "デモ申請"})
            lines.append(f"承認待ち: {rule.ja} #{req.pk}（申請者 {applicant.username}）")
            break
    except Refused as exc:  # a demo must not stop the whole demo load
        lines.append(f"承認デモの一部を作成できませんでした: {exc}")
    return lines
