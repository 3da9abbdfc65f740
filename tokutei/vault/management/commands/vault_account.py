"""tokutei vault_account create --name N --user U --terminal T --tasks a,b: an API client (token shown once).

The token is bound to one registered terminal (its ``X-Tokutei-Terminal`` credential must accompany every
call) and to the listed tasks; it acts as the staff user ``--user``, whose handler designation still applies.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "API 利用者（サービスアカウント）の登録・一覧・失効"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create")
        create.add_argument("--name", required=True)
        create.add_argument("--user", required=True, help="この API 利用者として行動する職員のユーザID")
        create.add_argument("--terminal", required=True, help="登録端末の名称")
        create.add_argument("--tasks", required=True, help="事務のキー（カンマ区切り）")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, subcommand: str, **options) -> None:
        from django.utils import timezone

        from tokutei.auditlog.actions import Action
        from tokutei.auditlog.services import record
        from tokutei.core.errors import Refused
        from tokutei.policy import Actor
        from tokutei.staff.models import Terminal, User
        from tokutei.vault.codec import FieldErrors
        from tokutei.vault.models import ServiceAccount
        from tokutei.vault.services import create_service_account

        if subcommand == "list":
            for a in ServiceAccount.objects.select_related("user", "terminal").order_by("name"):
                state = "失効" if a.revoked_at else "有効"
                self.stdout.write(f"{a.name}\t{state}\t{a.user.username}\t{a.terminal.name}\t{','.join(a.tasks)}")
            return
        if subcommand == "revoke":
            n = ServiceAccount.objects.filter(name=options["name"], revoked_at__isnull=True).update(
                revoked_at=timezone.now())
            if not n:
                raise CommandError("有効な API 利用者が見つかりません")
            record(action=Action.VAULT_SERVICE_ACCOUNT_REVOKE, target_type="service_account",
                   details={"name": options["name"]})
            self.stdout.write("失効させました")
            return
        user = User.objects.filter(username=options["user"]).first()
        terminal = Terminal.objects.filter(name=options["terminal"], revoked_at__isnull=True).first()
        if user is None or terminal is None:
            raise CommandError("職員または登録端末が見つかりません")
        try:
            account, token = create_service_account(actor=Actor.system(), name=options["name"], user=user, terminal=terminal,
                                                    tasks=[t.strip() for t in options["tasks"].split(",") if t.strip()])
        except (Refused, FieldErrors) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"API 利用者 {account.name} を登録しました。トークン（この一度だけ表示）:\n{token}")
