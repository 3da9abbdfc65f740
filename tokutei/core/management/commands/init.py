"""tokutei init --profile NAME: a fresh database for one organisation.

Runs the migrations, loads and validates the profile, creates the key material outside the database,
the profile's units and posts (``tokutei.staff.services.ensure_org_structure`` — here, at write time,
never on a page view) and a first administrator with a one-time password (changed at first sign-in).
One transaction, logged as ``system.init`` with the counts.
"""

from __future__ import annotations

import importlib
import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

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

    def handle(self, *args, profile: str, admin: str, admin_password: str | None, site: str | None = None,
               **options) -> None:
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
        for hook in ("tokutei.vault.keys", "tokutei.auditlog.signing"):
            try:
                module = importlib.import_module(hook)
            except ModuleNotFoundError as exc:
                if exc.name != hook:
                    raise
                continue
            module.ensure_keys()
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
                from tokutei.vault.services import set_installation_site

                set_installation_site(site=site, actor=user, note="tokutei init --site")
            record(action=Action.SYSTEM_INIT, actor=user, target_type="profile", target_id=row.pk,
                   details={"profile": row.name, "sha256": row.sha256, "org": loaded.organisation.code,
                            **structure})
        self.stdout.write(self.style.SUCCESS(
            f"初期化しました: {loaded.organisation.name}（{row.name}）\n"
            f"最初の管理者: ユーザID {admin} / 一時パスワード {password}（初回サインイン時に変更してください）"
        ))
        if not loaded.storage.own_servers_allowed and site != "data_centre":
            self.stdout.write(self.style.WARNING(
                f"注意: この組織の規程では個人番号の電子データを組織のサーバに保存できません（{loaded.storage.article}）。"
                "委託先データセンター（管理区域）に設置した場合だけ `tokutei vault_site --set data_centre` で宣言すると"
                "登録できるようになります。"
            ))


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
