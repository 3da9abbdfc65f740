"""``tokutei approvals expire [--as USER]``: write approved-but-unused requests past their expiry as expired.

Run it from cron (e.g. hourly, or with ``purge-copies``). Pages never write this: an overdue approval reads
as expired when shown or used (``ApprovalRequest.status_now``); this command records it, one log entry
(approvals.expire) per request — as the system, or as the named staff member at the console (``--as``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokutei.approvals.services import expire_overdue
from tokutei.core.errors import Refused
from tokutei.core.fields import arg_key
from tokutei.policy import Actor


class Command(BaseCommand):
    help = "期限を過ぎた承認を失効させ、操作記録に記録します（approvals expire）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["expire"])
        parser.add_argument("--as", dest="username", default="", type=arg_key(), help="操作する職員のユーザID（省略時はシステム）")

    def handle(self, *args, **options) -> None:
        actor = Actor.system()
        if options["username"]:
            user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError("そのユーザIDの職員はいません")
            actor = Actor.console(user)
        try:
            expired = expire_overdue(actor=actor)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"失効した承認: {expired} 件")
