"""``tokutei open-export FILE OUT``: decrypt an export with its passphrase (asked for, never an argument)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tokutei.registers.services.exports import ExportFormatError, decrypt_export


class Command(BaseCommand):
    help = "暗号化された出力ファイルをパスフレーズで復号して書き出します。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("out", help="復号した CSV の書き出し先（0600 で作成）")

    def handle(self, *args, **options) -> None:
        passphrase = getpass.getpass("パスフレーズ: ")
        try:
            data = decrypt_export(Path(options["file"]).read_bytes(), passphrase)
        except (OSError, ExportFormatError) as exc:
            raise CommandError(str(exc)) from None
        fd = os.open(options["out"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.stdout.write("復号しました。用済み後は速やかに削除してください。")
