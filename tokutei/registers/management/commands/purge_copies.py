"""``tokutei purge-copies``: delete expired exports and temporary copies (002 §26, E-40); expire approvals.

Run it from cron (e.g. hourly). Each deletion and each expiry is recorded in the operation log (as the
system; ``tokutei approvals expire`` does the expiry alone).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tokutei.approvals.services import expire_overdue
from tokutei.registers.services.exports import purge_copies


class Command(BaseCommand):
    help = "期限を過ぎた出力ファイル・一時的な複製を削除し、期限切れの承認を失効させます。"

    def handle(self, *args, **options) -> None:
        deleted = purge_copies()
        expired = expire_overdue()
        self.stdout.write(f"削除した複製: {len(deleted)} 件 / 失効した承認: {expired} 件")
