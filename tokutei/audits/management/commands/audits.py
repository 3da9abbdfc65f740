"""``tokutei audits escalate [--as USER]``: escalate every overdue corrective action to the profile's
``audits.escalate_to`` (run it daily from the scheduler; pages never escalate — no writes on GET).
``tokutei audits schedule``: the audit programme — each periodic duty, when it was last done, when it is due.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokutei.core.errors import Refused
from tokutei.policy import Actor


class Command(BaseCommand):
    help = "期限を過ぎた是正措置を上申し（escalate）、監査・点検の計画と期限を表示します（schedule）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["escalate", "schedule"])
        parser.add_argument("--as", dest="username", default="", help="操作する職員のユーザID（省略時はシステム）")

    def handle(self, *args, **options) -> None:
        if options["what"] == "schedule":
            from tokutei.audits.schedule import duties

            for d in duties():
                last = d.last.isoformat() if d.last else "未実施"
                due = d.due.isoformat() if d.due else "—"
                mark = "（期限超過）" if d.overdue else ""
                self.stdout.write(f"{d.key}\t{d.schedule.ja}\t前回 {last}\t期限 {due}{mark}")
            return
        from tokutei.audits.services import escalate_overdue

        actor = Actor.system()
        if options["username"]:
            user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError("そのユーザIDの職員はいません")
            actor = Actor.console(user)
        try:
            count = escalate_overdue(actor=actor)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"上申した是正措置: {count} 件")
