"""manage.py ledgers_sync: turn new operation-log entries into handling-status records (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tokutei.ledgers.services import sync_from_log


class Command(BaseCommand):
    help = "操作履歴から取扱状況の記録（運用状況記録票）を生成します（何度実行しても重複しません）"

    def handle(self, *args, **options) -> None:
        added = sync_from_log(exact=True)
        self.stdout.write(f"取扱状況の記録を {added} 件追加しました。")
