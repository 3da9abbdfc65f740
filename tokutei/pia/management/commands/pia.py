"""``tokutei pia assess [--as USER]``: record the しきい値判断 of every active 特定個人情報ファイル from live
data (the periodic record; run it from the scheduler, e.g. daily). Events — a bulk import, an intake, a
designation, an incident — re-assess on their own; this catches anything else (the passing of an incident's
one-year look-back period) and keeps a dated record."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokutei.core.errors import Refused
from tokutei.pia.models import Assessment
from tokutei.pia.services import assess_all
from tokutei.policy import Actor


class Command(BaseCommand):
    help = "特定個人情報ファイルごとのしきい値判断を、いまの値で記録します（pia assess）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["assess"])
        parser.add_argument("--as", dest="username", default="", help="操作する職員のユーザID（省略時はシステム）")

    def handle(self, *args, **options) -> None:
        actor = Actor.system()
        trigger = Assessment.Trigger.SCHEDULED
        if options["username"]:
            user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError("そのユーザIDの職員はいません")
            actor, trigger = Actor.console(user), Assessment.Trigger.MANUAL
        try:
            written = assess_all(actor=actor, trigger=trigger)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        for a in written:
            mark = "↑ " if a.raised else ""
            self.stdout.write(f"{a.file_name}: {mark}{a.level}（対象人数 {a.people}・取扱者数 {a.handlers}）")
        self.stdout.write(f"記録したしきい値判断: {len(written)} 件")
