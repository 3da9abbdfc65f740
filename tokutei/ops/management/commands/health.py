"""tokutei check: the /healthz conditions from the command line, with a monitoring exit code.

Exit status 0: ok; 1: warning (e.g. checkpoint overdue, disk nearly full); 2: failure (Nagios convention).
"""

from __future__ import annotations

import json
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

EXIT = {"ok": 0, "warn": 1, "fail": 2}
MARK = {"ok": "OK  ", "warn": "警告", "fail": "異常"}


class Command(BaseCommand):
    help = "稼働状態を点検します（データベース、操作履歴の書込み、鍵ファイル、ディスク、署名チェックポイント）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="JSON で出力（監視システム向け）")
        parser.add_argument("--deploy", action="store_true", help="Django の本番設定点検 (check --deploy) も行う")

    def handle(self, *args, json: bool = False, deploy: bool = False, **options) -> None:
        from tokutei.ops.health import overall, run_checks

        if deploy:
            call_command("check", deploy=True)
        checks = run_checks()
        status = overall(checks)
        if json:
            self.stdout.write(_json({"status": status, "checks": [c.as_dict() for c in checks]}))
        else:
            for c in checks:
                self.stdout.write(f"[{MARK[c.status]}] {c.key}: {c.message}")
            self.stdout.write(f"総合: {MARK[status].strip()}")
        self.stdout.flush()
        sys.exit(EXIT[status])


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
