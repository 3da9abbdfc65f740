"""``tokutei import-jlis FILE``: load a J-LIS bulk-acquisition result file (004 §14(1), §14(3))."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tokutei.core.errors import Refused
from tokutei.core.fields import arg_key


class Command(BaseCommand):
    help = "J-LIS 一括取得結果ファイル（CSV）を特定個人情報ファイルに取り込みます（中断後は同じファイルで再開）"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="取得結果ファイル（CSV、UTF-8 または Shift_JIS）")
        parser.add_argument("--file", dest="file_id", type=int, help="特定個人情報ファイルの ID")
        parser.add_argument("--purpose", type=arg_key(60), help="事務（プロファイルの事務キー）")
        parser.add_argument("--abandon", type=int, default=None, metavar="JOB",
                            help="完了していない取込（取込番号）を取り消す（未公開の取込分は破棄）")
        parser.add_argument("--user", required=True, type=arg_key(), help="実行する職員のユーザー ID")
        parser.add_argument("--approval", type=int, default=None, help="大量取扱いの承認申請 ID")
        parser.add_argument("--encoding", default=None, help="utf-8 / cp932（省略時は自動判定）")
        parser.add_argument("--batch-size", type=int, default=10_000)
        parser.add_argument("--rejects", default=None, help="除外行の報告ファイル（CSV）の出力先")
        parser.add_argument("--dry-run", action="store_true", help="検査のみ行い、登録しない")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--slow-path", action="store_true", help="PostgreSQL でも COPY を使わない（比較用）")

    def handle(self, *args, **opts):
        from tokutei.policy import Actor
        from tokutei.staff.models import User
        from tokutei.vault.models import SpecificFile

        from ...services import import_jlis

        user = User.objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError("ユーザーが見つかりません")
        if opts["abandon"] is not None:
            from ...services import abandon_import

            try:
                job = abandon_import(job_id=opts["abandon"], actor=Actor.console(user))
            except Refused as exc:
                raise CommandError(exc.display()) from None
            self.stdout.write(f"取込 #{job.pk}（{job.file_name}）を取り消しました")
            return
        if not opts["path"] or opts["file_id"] is None or not opts["purpose"]:
            raise CommandError("取得結果ファイル、--file と --purpose を指定してください\n" + _choices())
        specific_file = SpecificFile.objects.filter(pk=opts["file_id"], status=SpecificFile.Status.ACTIVE).first()
        if specific_file is None:
            raise CommandError(f"特定個人情報ファイル {opts['file_id']} は見つからないか、使用中ではありません\n"
                               + _choices())
        try:
            result = import_jlis(
                path=opts["path"], specific_file=specific_file, actor=Actor.console(user, purpose=opts["purpose"]),
                approval=opts["approval"], encoding=opts["encoding"], batch_size=opts["batch_size"],
                dry_run=opts["dry_run"], report_path=opts["rejects"], progress=not opts["no_progress"],
                fast=False if opts["slow_path"] else None,
            )
        except Refused as exc:
            raise CommandError(exc.display()) from None
        except FileNotFoundError:
            raise CommandError("ファイルが見つかりません") from None
        verb = "検査しました（登録していません）" if result.dry_run else "取り込みました"
        rate = result.loaded / result.seconds if result.seconds else 0
        self.stdout.write(
            f"{verb}: 登録{'可能' if result.dry_run else ''} {result.loaded:,} 件、除外 {result.rejected:,} 件、"
            f"{result.batches} バッチ、文字コード {result.encoding}、{result.seconds:.1f} 秒（{rate:,.0f} 件/秒）"
            + ("（中断した取込を再開）" if result.resumed else ""))
        if result.rejected:
            self.stdout.write(f"除外行の報告: {result.report_path}")
        if result.ignored_headers:
            self.stdout.write("取り込まなかった列: " + "、".join(result.ignored_headers))


def _choices() -> str:
    """What --file and --purpose can be: the files in use, each with the tasks it serves (事務キーと名称)."""
    from tokutei.profiles.selectors import get_profile
    from tokutei.vault.models import SpecificFile

    tasks = get_profile().tasks
    lines = ["使用中の特定個人情報ファイル（--file ID: 名称 / --purpose に指定できる事務）:"]
    for f in SpecificFile.objects.filter(status=SpecificFile.Status.ACTIVE).order_by("pk"):
        served = "、".join(f"{key}（{tasks[key].ja}）" if key in tasks else key for key in f.tasks) or "なし"
        lines.append(f"  {f.pk}: {f.name} / {served}")
    if len(lines) == 1:
        lines.append("  （ありません。管理画面で特定個人情報ファイルを登録してください）")
    return "\n".join(lines)
