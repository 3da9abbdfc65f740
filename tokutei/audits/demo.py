"""Demo data: an inspection (or audit) of the profile's programme with a few answers and a finding, a
training session with attendance, and — in 003 — a submitted 業務引継簿 awaiting the 保護管理者."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment, User

from . import evidence, services


def _holder(roles) -> User | None:
    row = (RoleAssignment.objects.filter(in_force_q(), role_key__in=sorted(roles), user__is_active=True)
           .select_related("user").order_by("id").first())
    return row.user if row else None


def load() -> list[str]:
    profile = get_profile()
    today = timezone.localdate()
    lines = []
    try:
        key, sched = next(((k, s) for k, s in profile.schedules.items() if s.kind == "inspection"),
                          next(((k, s) for k, s in profile.schedules.items() if s.kind == "audit"), (None, None)))
        lead = _holder(sched.roles) if sched else None
        if sched is not None and lead is not None:
            actor = Actor.console(lead)
            eng = services.open_engagement(actor=actor, kind=sched.kind, schedule_key=key or "",
                                           title=f"デモ: {sched.ja}", period_from=today - dt.timedelta(days=180),
                                           period_to=today)
            rows = evidence.checklist(profile, sched.kind, eng.period_from, eng.period_to)
            for row in rows[:5]:
                services.answer(actor=actor, engagement_id=eng.pk, item_id=row.id, result="compliant",
                                evidence_text="デモ: 現地で確認")
            if len(rows) > 5:
                services.answer(actor=actor, engagement_id=eng.pk, item_id=rows[5].id, result="finding",
                                evidence_text="デモ: 不備あり")
                services.raise_finding(actor=actor, source=sched.kind, engagement_id=eng.pk, item_id=rows[5].id,
                                       title=f"デモ: {rows[5].ja}", severity="medium", owner=lead)
            lines.append(f"監査・点検のデモ: #{eng.pk} {sched.ja}（{len(rows)} 項目のうち 6 項目に回答）")
        for tkey, req in profile.audits.training.items():
            trainer = _holder(req.trainers)
            if trainer is None or req.password_only_instructions:
                continue
            session = services.record_session(actor=Actor.console(trainer), requirement_key=tkey,
                                              title=f"デモ: {req.ja}", held_on=today)
            audience = [a.user for a in RoleAssignment.objects.filter(in_force_q(), role_key__in=req.audience)
                        .select_related("user")[:1]]
            services.record_attendance(actor=Actor.console(trainer), session_id=session.pk, users=audience)
            lines.append(f"研修のデモ: {req.ja}（受講 {len(audience)} 名）")
        rule = profile.audits.handover
        if rule is not None:
            outgoing = _holder([rule.role])
            successor = (User.objects.filter(is_active=True).exclude(pk=outgoing.pk).order_by("id").first()
                         if outgoing is not None else None)
            if outgoing is not None and successor is not None:
                book = services.write_handover(actor=Actor.console(outgoing), successor=successor, submit=True,
                                               book={k: f"デモ: {label}" for k, label in rule.sections.items()})
                lines.append(f"業務引継簿のデモ: #{book.pk}（{outgoing.username} → {successor.username}、確認待ち）")
    except Refused as exc:  # a demo must not stop the whole demo load
        lines.append(f"監査・点検のデモを作成できませんでした: {exc}")
    return lines
