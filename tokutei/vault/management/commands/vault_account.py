"""tokutei vault_account create --by ADMIN --name N --user U --terminal T --tasks a,b: an API client (token shown once).

    tokutei vault_account create --by ADMIN --name N --user U --terminal T --tasks a,b
    tokutei vault_account list
    tokutei vault_account revoke --by ADMIN --name N

The token is bound to one registered terminal (its ``X-Tokutei-Terminal`` credential must accompany every
call) and to the listed tasks; it acts as the staff user ``--user``, whose handler designation still applies.
Registering and revoking are done by the system administrator named with ``--by`` (``Actor.console`` of that
staff member): the policy decides as for the web — a staff member who is not one is refused, and the refusal
is logged — and the profile's console rule applies. Nothing is done "as the system".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "API 利用者（サービスアカウント）の登録・一覧・失効"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create")
        create.add_argument("--by", required=True, help="登録するシステム管理者のユーザID")
        create.add_argument("--name", required=True)
        create.add_argument("--user", required=True, help="この API 利用者として行動する職員のユーザID")
        create.add_argument("--terminal", required=True, help="登録端末の名称")
        create.add_argument("--tasks", required=True, help="事務のキー（カンマ区切り）")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--by", required=True, help="失効させるシステム管理者のユーザID")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, subcommand: str, **options) -> None:
        from tokutei.core.errors import Refused
        from tokutei.policy import Actor
        from tokutei.staff.models import Terminal, User
        from tokutei.vault.codec import FieldErrors
        from tokutei.vault.models import ServiceAccount
        from tokutei.vault.services import create_service_account, revoke_service_account

        if subcommand == "list":
            for a in ServiceAccount.objects.select_related("user", "terminal").order_by("name"):
                state = "失効" if a.revoked_at else "有効"
                self.stdout.write(f"{a.name}\t{state}\t{a.user.username}\t{a.terminal.name}\t{','.join(a.tasks)}")
            return
        admin = User.objects.filter(username=options["by"], is_active=True).first()
        if admin is None:
            raise CommandError(f"職員 {options['by']} が見つかりません")
        actor = Actor.console(admin)
        if subcommand == "revoke":
            try:
                revoked = revoke_service_account(actor=actor, name=options["name"])
            except Refused as exc:
                raise CommandError(f"拒否: {exc.display()}") from exc
            if not revoked:
                raise CommandError("有効な API 利用者が見つかりません")
            self.stdout.write("失効させました")
            return
        user = User.objects.filter(username=options["user"]).first()
        terminal = Terminal.objects.filter(name=options["terminal"], revoked_at__isnull=True).first()
        if user is None or terminal is None:
            raise CommandError("職員または登録端末が見つかりません")
        try:
            account, token = create_service_account(
                actor=actor, name=options["name"], user=user, terminal=terminal,
                tasks=[t.strip() for t in options["tasks"].split(",") if t.strip()])
        except Refused as exc:
            raise CommandError(f"拒否: {exc.display()}") from exc
        except FieldErrors as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"API 利用者 {account.name} を登録しました。トークン（この一度だけ表示）:\n{token}")
