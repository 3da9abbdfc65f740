"""tokutei profiles list | show NAME [--yaml] | check FILE

* ``list``  — every shipped profile with its organisation and whether it is valid;
* ``show``  — a readable Japanese summary (``--yaml`` prints the file itself);
* ``check`` — validates any file and prints every error with its key path (exit code 1 on error).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tokutei.profiles.loader import ProfileError, find_profile, load_profile_file, profile_sources
from tokutei.profiles.summary import summary_lines


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "組織プロファイルの一覧・表示・検証 (list, show and check organisation profiles)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,show,check}")
        sub.add_parser("list", help="同梱のプロファイルの一覧")
        show = sub.add_parser("show", help="プロファイルの内容を日本語で表示")
        show.add_argument("name", help="プロファイル名または組織コード (e.g. sendai-kyosai, 000)")
        show.add_argument("--yaml", action="store_true", help="YAML ファイルをそのまま表示")
        check = sub.add_parser("check", help="プロファイルファイルを検証（誤りはすべてキーのパス付きで表示）")
        check.add_argument("file", help="YAML ファイルのパス（またはプロファイル名）")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    # --- list ---------------------------------------------------------------------------------------
    def _list(self, **options) -> None:
        rows = [("名前", "コード", "組織", "規程", "検証")]
        for source in profile_sources():
            try:
                profile = load_profile_file(source.path)
                rows.append((source.name, profile.organisation.code, profile.organisation.name,
                             profile.organisation.instrument, "✓"))
            except ProfileError as exc:
                rows.append((source.name, source.code, source.title, "", f"✗ ({len(exc.errors)}件の誤り)"))
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  ".join([*(_pad(row[i], widths[i]) for i in range(4)), row[4]]).rstrip())

    # --- show ---------------------------------------------------------------------------------------
    def _show(self, *, name: str, yaml: bool, **options) -> None:
        try:
            source = find_profile(name)
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        if yaml:
            self.stdout.write(source.path.read_text(encoding="utf-8"), ending="")
            return
        try:
            profile = load_profile_file(source.path)
        except ProfileError as exc:
            self._print_errors(exc)
            raise CommandError(f"プロファイル {source.name} は無効です ({len(exc.errors)} 件の誤り)") from exc
        self.stdout.write("\n".join(summary_lines(profile, source.name)))

    # --- check --------------------------------------------------------------------------------------
    def _check(self, *, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            try:
                path = find_profile(file).path
            except ProfileError as exc:
                raise CommandError(f"ファイル {file} が見つかりません (file not found)") from exc
        try:
            profile = load_profile_file(path)
        except ProfileError as exc:
            self._print_errors(exc)
            raise CommandError(f"{path}: {len(exc.errors)} 件の誤りがあります (invalid profile)") from exc
        opens = len(profile.open_parameters())
        self.stdout.write(self.style.SUCCESS(
            f"✓ {path}: 有効です — {profile.organisation.name}（{profile.organisation.code}）、"
            f"役割 {len(profile.roles)}、事務 {len(profile.tasks)}、承認 {len(profile.approvals)}、"
            f"組織が決めた値 {opens}"
        ))

    def _print_errors(self, exc: ProfileError) -> None:
        self.stderr.write(f"✗ {exc.source}:")
        for path, message in exc.errors:
            self.stderr.write(f"  {path}: {message}")
