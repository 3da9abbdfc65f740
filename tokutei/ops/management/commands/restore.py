"""tokutei restore: into a fresh instance, then prove it whole.

    tokutei restore keys FILE                    the key backup into an empty key directory
    tokutei restore DIR [--keys FILE]            the data backup (keys first, or with --keys in one go):
                                                 every table's count against the manifest, the log verified
    tokutei restore drill DIR --keys FILE        a restore drill into a throwaway instance, recorded as evidence
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tokutei.core.errors import Refused
from tokutei.ops import archive
from tokutei.ops.backup import BackupError, restore_data, restore_keys
from tokutei.ops.cliutil import actor, read_passphrase


class Command(BaseCommand):
    help = "バックアップから新しい環境に復元し、件数と操作履歴を検証します（復元訓練は drill）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", help="バックアップのフォルダ、または keys / drill")
        parser.add_argument("path", nargs="?", default=None, help="keys: 鍵のバックアップ、drill: データのフォルダ")
        parser.add_argument("--passphrase-file", default=None,
                            help="パスフレーズのファイル（データの既定: TOKUTEI_BACKUP_PASSPHRASE_FILE）")
        parser.add_argument("--keys", default=None, help="鍵のバックアップ（データと一緒に復元する）")
        parser.add_argument("--keys-passphrase-file", default=None, help="鍵のバックアップのパスフレーズのファイル")
        parser.add_argument("--destroy-revived-keys", action="store_true",
                            help="データのバックアップ時点で破棄済みの鍵が鍵ストアにあれば、破棄してから復元する")
        parser.add_argument("--by", default=None, help="操作者のユーザID（復元後のデータベースにいる職員）")
        parser.add_argument("--note", default="")
        parser.add_argument("--json", action="store_true", help="結果を JSON で出力")

    def handle(self, *args, **o) -> None:
        try:
            if o["what"] == "keys":
                return self._keys(o)
            if o["what"] == "drill":
                return self._drill(o)
            return self._data(Path(o["what"]), o)
        except (BackupError, archive.ArchiveError) as exc:
            raise CommandError(str(exc)) from exc
        except Refused as exc:  # logged by the policy; the article as the profile cites it
            raise CommandError(f"拒否: {exc.display()}") from exc

    def _keys(self, o) -> None:
        if not o["path"]:
            raise CommandError("鍵のバックアップのファイルを指定してください")
        passphrase = read_passphrase(o["passphrase_file"] or o["keys_passphrase_file"],
                                     prompt="鍵のバックアップのパスフレーズ: ")
        inventory = restore_keys(path=Path(o["path"]), passphrase=passphrase)
        self.stdout.write(self.style.SUCCESS(
            f"鍵を復元しました: {inventory['name']}（{inventory['created']} 作成、有効な鍵 {len(inventory['alive'])} 件、"
            f"破棄済み {len(inventory['destroyed'])} 件）"))

    def _data(self, folder: Path, o) -> None:
        keys_name = ""
        if o["keys"]:
            keys_pass = read_passphrase(o["keys_passphrase_file"], prompt="鍵のバックアップのパスフレーズ: ")
            keys_name = restore_keys(path=Path(o["keys"]), passphrase=keys_pass)["name"]
        passphrase = read_passphrase(o["passphrase_file"], data=True,
                                     prompt="データのバックアップのパスフレーズ: ")
        result = restore_data(folder=folder, passphrase=passphrase, keys_name=keys_name,
                              destroy_revived_keys=o["destroy_revived_keys"], actor=None)
        if o["by"]:
            actor(o["by"])  # the user must exist in the restored database
        if o["json"]:
            self.stdout.write(json.dumps({"name": result.name, "counts_ok": result.counts_ok, "log_ok": result.log_ok,
                                          "tables": result.tables, "findings": result.findings,
                                          "log_entries": result.log_entries, "notes": result.notes, "ok": result.ok},
                                         ensure_ascii=False))
        else:
            style = self.style.SUCCESS if result.ok else self.style.ERROR
            self.stdout.write(style(
                f"復元しました: {result.name}\n"
                f"  件数の照合（{result.tables} テーブル）: {'一致' if result.counts_ok else '不一致'}\n"
                f"  操作履歴の検証（{result.log_entries:,} 件）: {'正常' if result.log_ok else '異常'}"))
            for note in result.notes:
                self.stdout.write(f"  注記: {note}")
            for finding in result.findings:
                self.stdout.write(self.style.WARNING(f"  要確認: {finding}"))
        if not result.ok:
            raise SystemExit(1)

    def _drill(self, o) -> None:
        from tokutei.ops.drill import run_drill

        if not o["path"] or not o["keys"]:
            raise CommandError("復元訓練には、データのバックアップのフォルダと --keys（鍵のバックアップ）が必要です")
        passphrase = read_passphrase(o["passphrase_file"], data=True,
                                     prompt="データのバックアップのパスフレーズ: ")
        keys_pass = read_passphrase(o["keys_passphrase_file"], prompt="鍵のバックアップのパスフレーズ: ")
        drill = run_drill(folder=Path(o["path"]), passphrase=passphrase, keys_file=Path(o["keys"]),
                          keys_passphrase=keys_pass, actor=actor(o["by"]), note=o["note"])
        style = self.style.SUCCESS if drill.ok else self.style.ERROR
        self.stdout.write(style(f"復元訓練を記録しました: {drill.backup_name} — {'成功' if drill.ok else '要対応'}"
                                f"（件数 {'一致' if drill.counts_ok else '不一致'}、操作履歴 {'正常' if drill.log_ok else '異常'}、"
                                f"{drill.seconds:.0f} 秒）"))
        for finding in drill.findings:
            self.stdout.write(self.style.WARNING(f"  要確認: {finding}"))
        if not drill.ok:
            raise SystemExit(1)
