"""tokutei log verify|export|checkpoint|purge|public-key — the operation log from the console.

    tokutei log verify [--expect LANE:POS:HASH] [--no-checkpoint]  recompute the chains; exit 1 on failure
    tokutei log verify --bundle FILE [--fingerprint HEX]        check an exported bundle, no database
    tokutei log export --from DATE --to DATE --out FILE         write a self-verifying bundle
    tokutei log checkpoint [--actor USERID]                     sign the current head (print it on paper)
    tokutei log purge --before DATE [--actor USERID]            remove entries past retention (E-35)

``checkpoint`` and ``purge`` are decided by the policy (``log.checkpoint``, ``log.purge``, tokutei/auditlog/rules.py)
before anything is done: with ``--actor`` as that staff member at the console (``Actor.console``; a role the
profile gives is needed, a refusal is logged and the command exits 1), without it as the system itself (the
scheduled job, which the rules allow).
    tokutei log public-key                                      print the checkpoint public key (PEM)
"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _date(text: str) -> dt.date:
    from tokutei.core.jdates import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "操作履歴の検証・書出し・チェックポイント・保存期間経過消去 (operation log)"
    requires_system_checks: list = []  # `verify --bundle` must run without a database

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="ハッシュ連鎖と署名を検証します")
        verify.add_argument("--bundle", help="書出し束のファイル（データベースを使わずに検証）")
        verify.add_argument("--fingerprint", help="紙の控えの公開鍵指紋")
        verify.add_argument("--expect", help="紙の控えのチェックポイント 連鎖:位置:ハッシュ")
        verify.add_argument("--no-checkpoint", action="store_true", help="検証後にチェックポイントを作らない")
        export = sub.add_parser("export", help="自己検証できる束を書き出します")
        export.add_argument("--from", dest="day_from", required=True)
        export.add_argument("--to", dest="day_to", required=True)
        export.add_argument("--out", required=True)
        checkpoint = sub.add_parser("checkpoint", help="現在の先頭に署名したチェックポイントを作ります")
        checkpoint.add_argument("--actor", help="実行者のユーザID（省略時はシステムとして実行）")
        purge = sub.add_parser("purge", help="保存期間を過ぎた記録を消去します")
        purge.add_argument("--before", required=True, help="この日より前の記録を消去（保存期間内なら拒否）")
        purge.add_argument("--actor", help="実行者のユーザID（省略時はシステムとして実行）")
        sub.add_parser("public-key", help="公開鍵（PEM）と指紋を表示します")

    def handle(self, *args, subcommand: str, **options) -> None:
        getattr(self, "_" + subcommand.replace("-", "_"))(**options)

    def _fail(self, message: str) -> None:
        self.stderr.write(self.style.ERROR(message))
        sys.exit(1)

    def _verify(self, *, bundle: str | None, fingerprint: str | None, expect: str | None, no_checkpoint: bool,
                **_options) -> None:
        if bundle:
            from tokutei.auditlog.bundle import verify_bundle

            report = verify_bundle(bundle, expected_fingerprint=fingerprint)
        else:
            from tokutei.auditlog.verify import verify_database

            expected = None
            if expect:
                parts = expect.split(":")
                if len(parts) == 2:
                    parts = ["1", *parts]
                if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[2]) != 64:
                    raise CommandError("--expect は 連鎖:位置:ハッシュ（例 1:120:64桁の16進）で指定してください")
                expected = (int(parts[0]), int(parts[1]), parts[2].lower())
            report = verify_database(make_checkpoint=not no_checkpoint, expect=expected)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        if not report.ok:
            lines = [f"NG: 最初の異常 {report.first_problem}"]
            lines += [f"  ほか: {p}" for p in report.problems if p is not report.first_problem]
            self._fail("\n".join(lines))
        heads = "、".join(f"連鎖{lane}: {pos}番目 {hash_[:16]}…" for lane, (pos, hash_) in sorted(report.lanes.items()))
        self.stdout.write(self.style.SUCCESS(
            f"OK: {report.entries_checked}件（最終番号 第{report.last_seq}番）、"
            f"署名付きチェックポイント{report.checkpoints_checked}件を検証しました（{heads or '記録なし'}）"
        ))

    def _export(self, *, day_from: str, day_to: str, out: str, **_options) -> None:
        from tokutei.auditlog.bundle_export import ExportRefused, export_bundle

        start, end = _date(day_from), _date(day_to)
        if end < start:
            raise CommandError("--to は --from 以降の日付にしてください")
        try:
            org = _org_code()
            summary = export_bundle(out, day_from=start, day_to=end, organisation=org)
        except ExportRefused as exc:
            self._fail(str(exc))
            return
        from tokutei.auditlog.services import record

        record(action="log.export", count=summary["count"], target_type="log",
               details={"from": start.isoformat(), "to": end.isoformat(), "last_seq": summary["last_seq"]})
        self.stdout.write(self.style.SUCCESS(
            f"書き出しました: {summary['path']}（{summary['count']}件、公開鍵指紋 {summary['fingerprint']}）"
        ))

    def _checkpoint(self, *, actor: str | None = None, **_options) -> None:
        from tokutei.auditlog.actions import Action
        from tokutei.auditlog.checkpoints import checkpoint
        from tokutei.auditlog.services import record
        from tokutei.auditlog.signing import NoSigningKey
        from tokutei.auditlog.verify import verify_database
        from tokutei.core.errors import Refused
        from tokutei.policy import require
        from tokutei.profiles.selectors import NoProfile

        who = _console_actor(actor)
        try:
            require(who, Action.LOG_CHECKPOINT, target=("log", ""))
        except NoProfile as exc:  # the policy decides from the profile: none in force, nothing is decided
            raise CommandError(str(exc)) from exc
        except Refused as exc:
            self._fail(f"拒否: {exc.display()}")
            return
        report = verify_database(make_checkpoint=False)
        if not report.ok:
            self._fail(f"検証に失敗したため署名しません: {report.first_problem}")
        try:
            made = checkpoint(reason="manual")
        except NoSigningKey as exc:
            raise CommandError(str(exc)) from exc
        if made:
            record(action=Action.LOG_CHECKPOINT, **who.log_fields(), target_type="log", count=len(made),
                   details={"lanes": {str(cp.lane): cp.seq for cp in made}, "reason": "manual"})
        for cp in made:
            self.stdout.write(
                f"チェックポイント\n  連鎖: {cp.lane}\n  位置: {cp.seq}\n  ハッシュ: {cp.hash}\n"
                f"  日時: {cp.at.isoformat()}\n  署名: {cp.signature}\n  公開鍵指紋: {cp.key_fingerprint}\n"
                f"  検証時: tokutei log verify --expect {cp.lane}:{cp.seq}:{cp.hash}"
            )
        if not made:
            self.stdout.write("記録がまだありません")
        else:
            self.stdout.write("（この内容を印刷して保管してください）")

    def _purge(self, *, before: str, actor: str | None, **_options) -> None:
        from django.utils import timezone

        from tokutei.auditlog.services import purge
        from tokutei.core.errors import Refused

        day = _date(before)
        instant = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        try:
            made = purge(before=instant, actor=_console_actor(actor))
        except Refused as exc:
            self._fail(f"拒否: {exc.display()}")
            return
        if not made:
            self.stdout.write("消去できる記録はありません")
            return
        lanes = "、".join(f"連鎖{p.lane}は{p.through_seq}番目まで" for p in made)
        self.stdout.write(self.style.SUCCESS(f"{sum(p.removed for p in made)}件を消去しました（{lanes}）"))

    def _public_key(self, **_options) -> None:
        from tokutei.auditlog import signing

        try:
            key = signing.public_key()
        except signing.NoSigningKey as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(signing.public_pem(key).decode() + f"指紋 (SHA-256): {signing.fingerprint(key)}")


def _console_actor(username: str | None):
    """The named staff member at the console, or — no name given — the system itself (scheduled jobs)."""
    from tokutei.policy import Actor

    if not username:
        return Actor.system()
    from tokutei.staff.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"ユーザ {username} がいません")
    return Actor.console(user)


def _org_code() -> str:
    try:
        from tokutei.profiles.selectors import get_profile

        return get_profile().organisation.code
    except Exception:  # the bundle is still valid without the organisation code
        return ""
