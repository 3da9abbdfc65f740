"""tokutei init --profile NAME: a fresh database for one organisation.

Runs the migrations, loads and validates the profile, creates the key material outside the database,
the profile's units and posts (``tokutei.staff.services.ensure_org_structure`` — here, at write time,
never on a page view) and a first administrator with a one-time password (changed at first sign-in).
One transaction, logged as ``system.init`` with the counts.
"""

from __future__ import annotations

import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from tokutei.core.hooks import app_hooks
from tokutei.profiles.loader import ProfileError


class Command(BaseCommand):
    help = "組織プロファイルで新しいデータベースを初期化します (initialise a fresh database)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", required=True, help="プロファイル名または組織コード (e.g. 000)")
        parser.add_argument("--admin", default="admin", help="最初の管理者のユーザID")
        parser.add_argument("--admin-password", default=None, help=argparse_suppress())
        parser.add_argument(
            "--site", choices=["data_centre", "own_server"], default=None,
            help="設置場所の宣言。プロファイルが組織のサーバへの保存を禁じる場合は data_centre "
                 "（委託先データセンターの管理区域）で初期化したときだけ個人番号を登録できます",
        )
        # `tokutei demo` prints its own guide (its port, its users): the generic next steps would mislead.
        parser.add_argument("--no-next-steps", action="store_true", help=argparse_suppress())

    def handle(self, *args, profile: str, admin: str, admin_password: str | None, site: str | None = None,
               no_next_steps: bool = False, **options) -> None:
        from tokutei.profiles.loader import find_profile, load_profile_file

        try:
            load_profile_file(find_profile(profile).path)  # refuse a broken profile before touching anything
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", interactive=False, verbosity=0)
        from tokutei.profiles.models import ActiveProfile

        if ActiveProfile.objects.exists():
            raise CommandError(
                "このデータベースは既に初期化されています (already initialised). "
                "新しいデータベースには TOKUTEI_DATA_DIR または DATABASE_URL を変えてください。"
            )
        for hook in app_hooks("init_hook"):  # each app's AppConfig.init_hook (key material)
            hook.target()
        password = admin_password or secrets.token_urlsafe(12)
        with transaction.atomic(durable=True):
            from tokutei.auditlog.actions import Action
            from tokutei.auditlog.services import record
            from tokutei.profiles.services import activate_profile
            from tokutei.staff.models import RoleAssignment, User
            from tokutei.staff.services import ensure_org_structure

            row, loaded = activate_profile(name=profile)
            structure = ensure_org_structure(loaded)
            user = User.objects.create_user(
                username=admin, password=password, full_name="初期管理者", must_change_password=True
            )
            for role_key in sorted(loaded.admin_roles()):
                RoleAssignment.objects.create(
                    user=user, role_key=role_key, basis=RoleAssignment.Basis.BOOTSTRAP,
                    start_date=timezone.localdate(), note="tokutei init",
                )
            if site is not None:
                from tokutei.policy import Actor
                from tokutei.vault.services import set_installation_site

                set_installation_site(site=site, actor=Actor.console(user), note="tokutei init --site")
            record(action=Action.SYSTEM_INIT, actor=user, target_type="profile", target_id=row.pk,
                   details={"profile": row.name, "sha256": row.sha256, "org": loaded.organisation.code,
                            **structure})
        self.stdout.write(self.style.SUCCESS(
            f"初期化しました: {loaded.organisation.name}（{row.name}）\n"
            f"最初の管理者: ユーザID {admin} / 一時パスワード {password}（初回サインイン時に変更してください）"
        ))
        self._layout_warnings()
        if not no_next_steps:
            self.stdout.write(next_steps(admin))
        if not loaded.storage.own_servers_allowed and site != "data_centre":
            from tokutei.profiles.citations import cite

            self.stdout.write(self.style.WARNING(
                f"注意: この組織の規程（{cite(loaded.storage.article, loaded)}）では個人番号の電子データを組織のサーバに保存できません。"
                "委託先データセンター（管理区域）に設置した場合だけ `tokutei vault_site --set data_centre` で宣言すると"
                "登録できるようになります。"
            ))


    def _layout_warnings(self) -> None:
        from tokutei.ops.layout import shared_locations

        for line in shared_locations():
            self.stdout.write(self.style.WARNING(line))


def next_steps(admin: str) -> str:
    """What to do after init, in Japanese: serve, enrol the first terminal, sign in (docs/operations.md)."""
    from django.conf import settings

    bind = settings.SERVE_BIND[0] if settings.SERVE_BIND else "127.0.0.1:8000"
    host = bind.rsplit(":", 1)
    url = f"http://{'localhost' if host[0] in ('127.0.0.1', '0.0.0.0') else host[0]}:{host[-1]}"  # noqa: S104
    return "\n".join([
        "",
        "次の手順:",
        f"  1. サーバを起動します:  tokutei serve   （{bind} で待ち受け。TOKUTEI_BIND で変更。本番は docs/operations.md）",
        f"  2. {url}/ を開き、上のユーザID と一時パスワードでサインインし、パスワードを変更します",
        "     （WebAuthn は IP アドレスでは動かないため、localhost またはホスト名で開いてください）",
        f"  3. 最初の端末を登録します: {url}/staff/terminals/ で端末を登録すると 1 回限りの登録コードが表示されます。",
        f"     その端末のブラウザで {url}/terminal/enrol/?code=（コード） を開きます（個人データの画面は登録端末からのみ）",
        "  4. 稼働状態の点検: tokutei check     バックアップ: tokutei backup --out DIR / tokutei backup keys --out DIR",
        "",
    ])


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
