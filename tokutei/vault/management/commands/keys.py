"""tokutei keys status | rotate [--batch-size N] [--max-batches N]: the vault's key material (docs/keys.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count


class Command(BaseCommand):
    help = "暗号鍵の状態表示と更新 (key status and rotation)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("status", help="鍵の版と、各版で暗号化されている件数")
        rotate = sub.add_parser("rotate", help="新しい鍵を作り、全件を再暗号化・索引再計算（再開可能）")
        rotate.add_argument("--batch-size", type=int, default=1000)
        rotate.add_argument("--max-batches", type=int, default=None, help="この回数で止める（後で再開できる）")

    def handle(self, *args, subcommand: str, **options) -> None:
        from tokutei.vault import keys

        keys.ensure_keys() if subcommand == "rotate" else None
        if subcommand == "status":
            self._status()
        elif subcommand == "rotate":
            batch_size = options["batch_size"]
            if batch_size < 1:
                raise CommandError("--batch-size は1以上にしてください")
            self._rotate(batch_size, options["max_batches"])

    def _status(self) -> None:
        from tokutei.vault.keys import check_permissions, get_keyring, key_root
        from tokutei.vault.models import Person
        from tokutei.vault.rotation import running_job

        ring = get_keyring()
        ring.refresh(force=True)
        out = self.stdout.write
        out(f"鍵ディレクトリ (key store): {key_root()}")
        for kind, label in (("master", "マスター鍵"), ("index", "索引鍵"), ("data", "データ鍵")):
            out(f"{label} ({kind}):")
            for k in ring.infos(kind):
                scope = f" scope={k.scope} wrapped_by={k.wrapped_by}" if kind == "data" else ""
                out(f"  #{k.id} {k.status}{scope} created={k.created_at}")
        by_key = Person.objects.values("key_id").annotate(n=Count("pk")).order_by("key_id")
        by_index = Person.objects.values("bi_key").annotate(n=Count("pk")).order_by("bi_key")
        out("本人記録の件数 (records per data key): " + ", ".join(f"#{r['key_id']}={r['n']}" for r in by_key))
        out("本人記録の件数 (records per index key): " + ", ".join(f"#{r['bi_key']}={r['n']}" for r in by_index))
        from tokutei.staff import crypto as staff_crypto
        from tokutei.vault.keys import legacy_path

        secrets = staff_crypto.usage()
        out("2要素認証の秘密の件数 (staff secrets per data key): "
            + (", ".join(f"#{k}={n}" if k is not None else f"旧形式・不明={n}" for k, n in sorted(
                secrets.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))) or "0"))
        legacy = legacy_path(staff_crypto.SCOPE)
        if legacy is not None and legacy.exists():
            adopted = ring.adopted_key(staff_crypto.SCOPE)
            out(f"旧形式の鍵ファイル (legacy key file): {legacy} — "
                + (f"鍵ストアに取り込み済み (data key #{adopted})。鍵ストアのバックアップと鍵更新の完了後に削除できます"
                   if adopted is not None else "未取り込み: `tokutei keys rotate` または最初の利用時に取り込みます"))
        job = running_job()
        if job:
            out(f"実行中の鍵更新 (rotation job #{job.pk}): {job.people_done} 件処理済, {job.batches} バッチ, "
                f"cursor={job.last_person_id}")
        from tokutei.vault.rotation import pending_shredding

        waiting = pending_shredding()
        if waiting:
            out(f"廃棄に伴う鍵更新の実行待ち (pending shredding rotation): {len(waiting)} 件"
                f"（{', '.join(j.reason for j in waiting)}）— `tokutei keys rotate` で旧い鍵を破棄します")
        for problem in check_permissions():
            self.stderr.write(f"警告: {problem}")

    def _rotate(self, batch_size: int, max_batches: int | None) -> None:
        from tokutei.vault import rotation

        resumed = rotation.running_job() is not None
        job = rotation.start()
        self.stdout.write(f"{'再開' if resumed else '開始'}: 鍵更新ジョブ #{job.pk}")

        def progress(job, moved):
            if moved:
                self.stdout.write(f"  バッチ {job.batches}: {job.people_done + job.corrections_done} 件")

        job = rotation.run(job, batch_size=batch_size, max_batches=max_batches, progress=progress)
        if job.status == job.Status.DONE:
            self.stdout.write(self.style.SUCCESS(
                f"完了: 本人記録 {job.people_done} 件、訂正履歴 {job.corrections_done} 件を新しい鍵に移しました"))
            job.refresh_from_db()
            if job.destroyed_keys:
                self.stdout.write(f"廃棄した本人の旧い鍵 {len(job.destroyed_keys)} 件を破棄しました（暗号消去）。"
                                  "これより前のデータのバックアップは復元できません。新しいデータのバックアップを取得してください")
            if rotation.pending_shredding():
                self.stdout.write("実行中に廃棄が行われました: もう一度 `tokutei keys rotate` を実行してください")
        else:
            self.stdout.write(f"中断: `tokutei keys rotate` で再開できます（{job.people_done} 件処理済）")
