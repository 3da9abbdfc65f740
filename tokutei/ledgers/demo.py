"""Demo data: a few paper steps in the handling-status record, a record-book entry, one file sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, decide
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import User

from . import files, services
from .rules import HANDLING, REGISTER, Ledger


def _first(users, test) -> User | None:
    return next((u for u in users if test(u)), None)


def _may(user: User, action: Action, target: Any) -> bool:
    return decide(Actor.console(user), action, target).allowed


def _mailing(profile) -> str:
    """A 進達's mailing method: one of the profile's traceable methods where it lists them (E-39)."""
    if profile.dispatch is not None:
        return next((m.ja for m in profile.dispatch.mailing_methods.values() if m.traceable), "")
    return "封緘の上、簡易書留で郵送"


def load() -> list[str]:
    profile = get_profile()
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    lines: list[str] = []
    today = timezone.localdate()
    task = next(iter(profile.selectable_tasks()), "")
    recorder = _first(users, lambda u: _may(u, Action.LEDGERS_MANUAL_ENTRY, Ledger(HANDLING)))
    if recorder is not None:
        file_id = next((f.id for f in files.all_files()), None)
        steps: list[dict[str, Any]] = [
            dict(stage="submission", occurred_on=today - dt.timedelta(days=6), purpose=task, file_id=file_id, count=3,
                 recipient="地方公務員共済組合連合会年金業務部", method=_mailing(profile), item="届出書"),
            dict(stage="disposal", occurred_on=today - dt.timedelta(days=4), purpose=task, count=3,
                 method="シュレッダー細断", item="住基ネット出力帳票・本人確認書類の写し"),
            dict(stage="storage", occurred_on=today - dt.timedelta(days=2), purpose=task, count=12,
                 place="事務室 施錠キャビネットA-2", item="届出書"),
            dict(stage="provision", occurred_on=today - dt.timedelta(days=1), purpose=task, count=1,
                 recipient="税務署", method="電子申告", item="法定調書"),
        ]
        stages = {s for c in profile.handling_status.categories.values() for s in c.stages} \
            if profile.handling_status else None
        added = 0
        for step in steps:
            if stages is not None and step["stage"] not in stages:
                continue
            services.add_manual_record(actor=Actor.console(recorder), **step)
            added += 1
        lines.append(f"取扱状況の記録: 紙の手続 {added} 件（記録者 {recorder.username}）")
    for key, register in profile.registers.items():
        writer = _first(users, lambda u, k=key: _may(u, Action.LEDGERS_MANUAL_ENTRY, Ledger(REGISTER, k)))
        if writer is None or not register.fields:
            continue
        from tokutei.registers.typed import demo_values

        values = demo_values(register, writer, today)
        if values is None:
            continue
        services.add_register_entry(actor=Actor.console(writer), register=key, values=values)
        lines.append(f"記録簿「{register.ja}」: デモ記載 1 件")
        break
    for info in files.all_files():  # every file confirmed: in 004 and 002 a file is used only once it is (E-43)
        signer = _first(users, lambda u, i=info: _may(u, Action.LEDGERS_FILE_SIGN_OFF, i))
        if signer is not None:
            services.sign_off_file(actor=Actor.console(signer), file_id=info.id)
            lines.append(f"ファイル管理台帳: 「{info.name}」を確認済みにしました")
    return lines
