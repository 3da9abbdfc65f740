"""``tokutei org apply-profile NAME|FILE --as USER [--effective YYYY-MM-DD]``: make a changed version of this
organisation's profile the one in force — today, or from its 施行日 (pending until then) — validated first
(another organisation's profile is refused), logged with both digests.
``tokutei org in-force``: the scheduled job (daily, just after midnight): logs once that a pending profile's
施行日 has come (the rules change on the day whether or not it runs; this records it).
``tokutei org versions``: the regulation's versions and every profile text applied, newest first."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokutei.core.errors import Refused
from tokutei.policy import Actor


class Command(BaseCommand):
    help = "変更したプロファイルを適用し（apply-profile）、規程・プロファイルの版を表示します（versions）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["apply-profile", "in-force", "versions"])
        parser.add_argument("name", nargs="?", default="",
                            help="プロファイル名または YAML ファイルのパス（apply-profile）")
        parser.add_argument("--effective", default="", help="施行日 YYYY-MM-DD（省略: 今日から）")
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
                self.stdout.write(f"適用 {row.loaded_at:%Y-%m-%d %H:%M}\t施行日 {row.effective_from.isoformat()}\t"
                                  f"{row.name}\t{row.sha256[:16]}\t{row.loaded_by or 'init'}")
            for row in selectors.pending_profiles():
                self.stdout.write(f"施行待ち {row.effective_from.isoformat()}\t{row.name}\t{row.sha256[:16]}")
            return
        if options["what"] == "in-force":
            from tokutei.org.services import record_taking_effect

            try:
                done = record_taking_effect(actor=self._console_or_system(options["username"]))
            except Refused as exc:
                raise CommandError(str(exc)) from None
            for row in done:
                self.stdout.write(f"施行を記録しました: {row.name} {row.sha256[:16]}（施行日 {row.effective_from.isoformat()}）")
            return
        if not options["name"] or not options["username"]:
            raise CommandError("プロファイル名と --as（システム管理者のユーザID）を指定してください")
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("そのユーザIDの職員はいません")
        from tokutei.org.services import apply_profile

        try:
            effective = dt.date.fromisoformat(options["effective"]) if options["effective"] else None
        except ValueError:
            raise CommandError("--effective は YYYY-MM-DD で指定してください") from None
        try:
            row = apply_profile(actor=Actor.console(user), name=options["name"], effective=effective)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        if row.effect_logged_at is None:
            self.stdout.write(self.style.SUCCESS(
                f"適用しました（施行待ち）: {row.name} {row.sha256[:16]} — {row.effective_from.isoformat()} から施行"))
        else:
            self.stdout.write(self.style.SUCCESS(f"適用しました: {row.name} {row.sha256[:16]}"))

    @staticmethod
    def _console_or_system(username: str) -> Actor:
        if not username:
            return Actor.system()  # the scheduled job
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError("そのユーザIDの職員はいません")
        return Actor.console(user)
