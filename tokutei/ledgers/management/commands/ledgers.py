"""tokutei ledgers sync — catch up the handling-status record from the operation log.

Every handling entry gets its row when it is written; this adds the rows of entries that have none
(written before this release, or by a process without the ledgers app). Idempotent; logs what it adds.

    tokutei ledgers sync [--actor USERID]
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tokutei.core.errors import Refused
from tokutei.core.fields import arg_key


class Command(BaseCommand):
    help = "取扱状況の記録（運用状況記録票）を操作履歴から補います（何度実行しても重複しません）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sync = sub.add_parser("sync", help="操作履歴のうち記録のないものから取扱状況の記録を作成します")
        sync.add_argument("--actor", type=arg_key(), help="実行者のユーザID（省略時はシステムとして実行）")

    def handle(self, *args, subcommand: str, actor: str | None = None, **options) -> None:
        from tokutei.ledgers.services import sync_from_log
        from tokutei.policy import Actor
        from tokutei.staff.models import User

        who = Actor.system()
        if actor:
            user = User.objects.filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"ユーザID {actor} が見つかりません")
            who = Actor.console(user)
        try:
            added = sync_from_log(actor=who, exact=True)
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"取扱状況の記録を {added} 件追加しました。")
