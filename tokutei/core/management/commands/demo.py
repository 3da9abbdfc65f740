"""tokutei demo: a demo organisation with synthetic staff and people, then `tokutei serve`.

Initialises the database on first run (profile ``--profile``, default 004), asks each app to load its
demo data (its AppConfig's ``demo_loader``, tokutei.core.hooks), prints the demo sign-ins and
serves on the loopback address, announced as http://localhost:PORT/ only (WebAuthn needs a host name;
the server sends 127.0.0.1 on to localhost, TOKUTEI_CANONICAL_HOST).
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tokutei.core.hooks import app_hooks


class Command(BaseCommand):
    help = "デモ用の組織・職員・本人データを作成して起動します"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", default="hyogo-kyosai")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true")

    def handle(self, *args, profile: str, port: int, no_serve: bool, **options) -> None:
        from tokutei.profiles.models import ActiveProfile

        call_command("migrate", interactive=False, verbosity=0)
        if not ActiveProfile.objects.exists():
            call_command("init", profile=profile, admin="admin", admin_password="demo-admin-2026!", no_next_steps=True)
            lines: list[str] = []
            # No transaction around the loaders: each demo write is a service in its own durable
            # transaction with its log entry (a failed demo leaves a database to delete, var/demo).
            for hook in app_hooks("demo_loader"):  # each app's AppConfig.demo_loader
                lines.extend(hook.target() or [])
            notes = self._notes_path()
            notes.write_text("\n".join(lines), encoding="utf-8")
            notes.chmod(0o600)  # it holds the demo passwords
        self.stdout.write("\n".join([
            "",
            "== Tokutei デモ (demo) ==",
            f"URL: http://localhost:{port}/",
            "管理者 (administrator): admin / demo-admin-2026!",
            *(line.replace(":8000/", f":{port}/")
              for line in self._notes_path().read_text(encoding="utf-8").splitlines()),
            "",
        ]))
        if not no_serve:
            # The production server, as `tokutei serve` runs it (static files hashed and served by the app).
            call_command("serve", bind=[f"127.0.0.1:{port}"])

    def _notes_path(self):
        from django.conf import settings

        return settings.DATA_DIR / "demo-signins.txt"
