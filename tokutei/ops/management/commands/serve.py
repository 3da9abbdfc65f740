"""tokutei serve: the production server (gunicorn on Linux / Unix, waitress on Windows)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections


class Command(BaseCommand):
    help = "本番用サーバで起動します（Linux: gunicorn、Windows: waitress）。設定は TOKUTEI_BIND などの環境変数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", action="append", default=None,
                            help="待ち受けるアドレス host:port（複数可。既定: TOKUTEI_BIND）")
        parser.add_argument("--workers", type=int, default=None, help="プロセス数（既定: 2×コア数+1、最大 9）")
        parser.add_argument("--threads", type=int, default=None, help="プロセスあたりのスレッド数（既定: 4）")
        parser.add_argument("--certfile", default=None, help="TLS 証明書（リバースプロキシを置かない小規模構成）")
        parser.add_argument("--keyfile", default=None, help="TLS 秘密鍵")
        parser.add_argument("--server", choices=["auto", "gunicorn", "waitress"], default=None,
                            help="サーバ（既定: TOKUTEI_SERVER、auto = Linux は gunicorn、Windows は waitress）")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="起動前の collectstatic（静的ファイルのハッシュ名・圧縮）を省く")
        parser.add_argument("--restart", action="store_true",
                            help="起動中のサーバを無停止で再起動します（SIGHUP: 新しいワーカーが新しいコードで起動）")

    def handle(self, *args, **o) -> None:
        from django.conf import settings

        from tokutei.ops.serve import ServeOptions, run

        options = ServeOptions.from_settings()
        if o["restart"]:
            return self._restart(Path(options.pidfile))
        from tokutei.profiles.models import ActiveProfile

        try:
            initialised = ActiveProfile.objects.exists()
        except Exception as exc:
            raise CommandError(f"データベースに接続できません: {exc}") from exc
        if not initialised:
            raise CommandError("データベースが初期化されていません。先に `tokutei init --profile NAME` を実行してください。")
        if o["bind"]:
            options.bind = o["bind"]
        for name in ("workers", "threads", "certfile", "keyfile", "server"):
            if o[name] is not None:
                setattr(options, name, o[name])
        if options.server_name == "waitress" and options.certfile:
            raise CommandError("waitress は TLS を扱いません。IIS などのリバースプロキシで終端してください（docs/operations.md）")
        if bool(options.certfile) != bool(options.keyfile):
            raise CommandError("TLS には証明書 (--certfile) と秘密鍵 (--keyfile) の両方が必要です")
        if not o["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the workers open their own after the fork
        scheme = "https" if options.certfile else "http"
        # Where the site answers: the canonical host when one is set (make demo: localhost, where WebAuthn
        # works; a loopback address redirects there), else each address bound.
        addresses = [settings.CANONICAL_HOST] if settings.CANONICAL_HOST else options.bind
        self.stdout.write(
            f"Tokutei を起動します: {', '.join(f'{scheme}://{b}/' for b in addresses)} "
            f"（{options.server_name}、"
            + (f"スレッド {options.worker_count() * max(1, options.threads)}" if options.server_name == "waitress"
               else f"プロセス {options.worker_count()}、スレッド {options.threads}")
            + f"、静的ファイル {settings.STATIC_ROOT}）"
        )
        self.stdout.flush()
        run(options)

    def _restart(self, pidfile: Path) -> None:
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError) as exc:
            raise CommandError(f"起動中のサーバが見つかりません（{pidfile}）") from exc
        if os.name == "nt":  # pragma: no cover
            raise CommandError("Windows ではサービスの再起動で行ってください（docs/operations.md）")
        os.kill(pid, signal.SIGHUP)
        self.stdout.write(f"再起動を指示しました（PID {pid}）")
