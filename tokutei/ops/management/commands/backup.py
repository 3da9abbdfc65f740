"""tokutei backup: encrypted backups of the data and (separately) of the keys, and their register.

    tokutei backup --out DIR                     data: the database and its files (no keys)
    tokutei backup keys --out DIR                keys: key directory + secret key (no data), own passphrase
    tokutei backup verify DIR                    authenticate a data backup without restoring it
    tokutei backup list                          the backup register (where each copy is, who holds it)
    tokutei backup register NAME --location L --custodian C      record where a copy is kept
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tokutei.core.errors import Refused
from tokutei.ops import archive
from tokutei.ops.backup import BackupError, take_data_backup, take_key_backup, verify_data_backup
from tokutei.ops.cliutil import actor, read_passphrase


class Command(BaseCommand):
    help = "バックアップ（データ・鍵を別々に暗号化）と、バックアップ台帳"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="data", choices=["data", "keys", "verify", "list", "register"])
        parser.add_argument("target", nargs="?", default=None, help="verify: バックアップのフォルダ、register: 名前")
        parser.add_argument("--out", default=None, help="出力先（既定: TOKUTEI_BACKUP_DIR）")
        parser.add_argument("--passphrase-file", default=None,
                            help="パスフレーズのファイル（データの既定: TOKUTEI_BACKUP_PASSPHRASE_FILE。鍵は別のものを）")
        parser.add_argument("--data-passphrase-file", default=None,
                            help="keys: データのバックアップのパスフレーズ（同じものを使っていないかの確認用）")
        parser.add_argument("--location", default="", help="保管場所（例: 本庁舎 地下書庫 金庫2）")
        parser.add_argument("--custodian", default="", help="保管責任者")
        parser.add_argument("--note", default="")
        parser.add_argument("--by", default=None, help="操作者のユーザID（操作履歴に記録）")

    def handle(self, *args, **o) -> None:
        try:
            getattr(self, f"_{o['action']}")(o)
        except (BackupError, archive.ArchiveError) as exc:
            raise CommandError(str(exc)) from exc
        except Refused as exc:  # logged by the policy; the article as the profile cites it
            raise CommandError(f"拒否: {exc.display()}") from exc

    def _out(self, o) -> Path:
        return Path(o["out"]) if o["out"] else Path(settings.BACKUP_DIR)

    def _data(self, o) -> None:
        passphrase = read_passphrase(o["passphrase_file"], data=True,
                                     prompt="データのバックアップのパスフレーズ: ", confirm=True)
        result = take_data_backup(out_dir=self._out(o), passphrase=passphrase, actor=actor(o["by"]),
                                  location=o["location"], custodian=o["custodian"], note=o["note"])
        counts = result.manifest["counts"]
        self.stdout.write(self.style.SUCCESS(
            f"データのバックアップを作成しました: {result.path}\n"
            f"  テーブル {len(counts)}、行 {sum(counts.values()):,}、鍵は含みません（鍵は tokutei backup keys で別に）"))

    def _keys(self, o) -> None:
        passphrase = read_passphrase(o["passphrase_file"], prompt="鍵のバックアップのパスフレーズ: ", confirm=True)
        data_pass = None
        if o["data_passphrase_file"] or settings.BACKUP_PASSPHRASE_FILE:
            data_pass = read_passphrase(o["data_passphrase_file"], data=True, prompt="")
        result = take_key_backup(out_dir=self._out(o), passphrase=passphrase, actor=actor(o["by"]),
                                 location=o["location"], custodian=o["custodian"], note=o["note"],
                                 data_passphrase=data_pass)
        self.stdout.write(self.style.SUCCESS(
            f"鍵のバックアップを作成しました: {result.path}\n"
            f"  破棄済みの鍵 {len(result.manifest['destroyed'])} 件を記録。データとは別の場所・別の保管者で保管してください"))

    def _verify(self, o) -> None:
        if not o["target"]:
            raise CommandError("検証するバックアップのフォルダを指定してください")
        passphrase = read_passphrase(o["passphrase_file"], data=True,
                                     prompt="データのバックアップのパスフレーズ: ")
        manifest = verify_data_backup(folder=Path(o["target"]), passphrase=passphrase)
        self.stdout.write(self.style.SUCCESS(
            f"検証しました: {manifest['name']}（{manifest['engine']}、{manifest['finished']}、"
            f"テーブル {len(manifest['counts'])}、ファイル {len(manifest['files'])}）"))

    def _list(self, o) -> None:
        from tokutei.ops.models import BackupCopy
        from tokutei.ops.shredding import backup_note

        for b in BackupCopy.objects.all()[:200]:
            note = backup_note(b.created_at) if b.kind == BackupCopy.Kind.DATA else ""
            self.stdout.write(f"{b.created_at:%Y-%m-%d %H:%M} {b.get_kind_display():<3} {b.name:<36} "
                              f"{b.size_bytes / 1e6:>9.1f} MB  保管場所: {b.location or '未登録'}  "
                              f"保管責任者: {b.custodian or '未登録'}" + (f"  {note}" if note else ""))

    def _register(self, o) -> None:
        from tokutei.ops.models import BackupCopy
        from tokutei.ops.services import set_backup_location

        try:
            backup = BackupCopy.objects.get(name=o["target"] or "")
        except BackupCopy.DoesNotExist as exc:
            raise CommandError(f"台帳にないバックアップです: {o['target']}") from exc
        if not o["location"] or not o["custodian"]:
            raise CommandError("--location（保管場所）と --custodian（保管責任者）を指定してください")
        set_backup_location(backup=backup, location=o["location"], custodian=o["custodian"],
                            note=o["note"] or None, actor=actor(o["by"]))
        self.stdout.write(self.style.SUCCESS(f"台帳を更新しました: {backup.name} → {o['location']}（{o['custodian']}）"))
