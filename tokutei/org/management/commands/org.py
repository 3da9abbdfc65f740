"""``tokutei org apply-profile NAME --as USER``: make a changed version of this organisation's profile the one
in force (validated first; another organisation's profile is refused) and log the change with both digests.
``tokutei org versions``: the regulation's versions and every profile text applied, newest first."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokutei.core.errors import Refused
from tokutei.policy import Actor


class Command(BaseCommand):
    help = "変更したプロファイルを適用し（apply-profile）、規程・プロファイルの版を表示します（versions）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["apply-profile", "versions"])
        parser.add_argument("name", nargs="?", default="", help="プロファイル名（apply-profile）")
        parser.add_argument("--as", dest="username", default="", help="操作する職員のユーザID（システム管理者）")

    def handle(self, *args, **options) -> None:
        from tokutei.org import selectors
        from tokutei.profiles.selectors import get_profile

        if options["what"] == "versions":
            profile = get_profile()
            current = selectors.version_in_force(profile)
            for v in sorted(profile.organisation.versions, key=lambda v: v.in_force):
                mark = "（現に施行）" if v == current else ""
                self.stdout.write(f"施行 {v.in_force.isoformat()}{mark}\t{v.note}")
            for row in selectors.profile_history():
                self.stdout.write(f"適用 {row.loaded_at:%Y-%m-%d %H:%M}\t{row.name}\t{row.sha256[:16]}\t{row.loaded_by or 'init'}")
            return
        if not options["name"] or not options["username"]:
            raise CommandError("プロファイル名と --as（システム管理者のユーザID）を指定してください")
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("そのユーザIDの職員はいません")
        from tokutei.org.services import apply_profile

        try:
            row = apply_profile(actor=Actor.console(user), name=options["name"])
        except Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"適用しました: {row.name} {row.sha256[:16]}"))
