"""``tokutei incidents escalate [--as USER]``: tell the next step of every route whose step was not
acknowledged within the profile's ``incident.escalate_after_hours``.

Run it from the scheduler (e.g. every 15 minutes). Pages never escalate (no writes on GET); this command
records each escalation (incidents.escalate) and the step it opens (incidents.route) — as the system, or as
the named staff member at the console (``--as``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokutei.core.errors import Refused
from tokutei.incidents.services import escalate_overdue
from tokutei.policy import Actor


class Command(BaseCommand):
    help = "受領されないまま期限を過ぎた事故等の報告を、次の報告先に回付します（incidents escalate）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["escalate"])
        parser.add_argument("--as", dest="username", default="", help="操作する職員のユーザID（省略時はシステム）")

    def handle(self, *args, **options) -> None:
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
        self.stdout.write(f"次の報告先に回付した報告: {count} 件")
