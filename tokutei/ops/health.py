"""Health checks for /healthz, `tokutei check` and the administrators' dashboard banner.

Each check answers ok / warn / fail with a short Japanese sentence and no personal data: the database
answers; it accepts a write (the operation log is fail-closed: no log entry, no operation — lessons: Vault
stalls when the audit disk fills); the key files are present and readable; the disk that holds the log is
above its floor; no log entry has waited longer than the configured age for a signed checkpoint.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

OK, WARN, FAIL = "ok", "warn", "fail"
_ORDER = {OK: 0, WARN: 1, FAIL: 2}


@dataclass
class Check:
    key: str
    status: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def overall(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=_ORDER.__getitem__, default=OK)


def check_database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", FAIL, _("データベースに接続できません: %(error)s") % {"error": type(exc).__name__})
    return Check("database", OK, _("データベースに接続できます"))


def check_log_writable() -> Check:
    """Insert a probe row in a transaction that is rolled back: proves a write would commit its log entry
    (a read-only or full database refuses it) and leaves nothing behind."""
    from .models import Probe

    try:
        with transaction.atomic():
            Probe.objects.create(at=timezone.now())
            transaction.set_rollback(True)
    except Exception as exc:
        return Check("log_writable", FAIL, _("操作履歴を書き込めません（すべての操作が止まります）: %(error)s")
                     % {"error": type(exc).__name__})
    return Check("log_writable", OK, _("操作履歴を書き込めます"))


def _unreadable_keys() -> tuple[int, list[str]]:
    """How many key files the installation needs, and which of them cannot be read (names only)."""
    from tokutei.vault.keys import DESTROYED, KINDS, get_keyring

    provider = get_keyring().provider
    total, missing = 0, []
    for kind in KINDS:
        for info in provider.versions(kind):
            if info.status == DESTROYED:
                continue
            total += 1
            try:
                provider.get(kind, info.id)  # read through the provider's own interface
            except Exception:
                missing.append(f"{kind}/{info.id}")
    if total == 0:
        missing.append("keyring")
    for path in (Path(settings.AUDIT_SIGNING_KEY_FILE),):
        total += 1
        if not path.is_file() or not os.access(path, os.R_OK):
            missing.append(path.name)
    return total, missing


def check_keys() -> Check:
    try:
        total, missing = _unreadable_keys()
    except Exception as exc:
        return Check("keys", FAIL, _("鍵ファイルを読めません: %(error)s") % {"error": type(exc).__name__})
    if missing:
        return Check("keys", FAIL, _("鍵ファイルがない、または読めません: %(n)d 件（例: %(name)s）")
                     % {"n": len(missing), "name": missing[0]})
    from tokutei.vault.keys import check_permissions

    loose = check_permissions()
    if loose:
        return Check("keys", WARN, _("鍵ファイルの権限が広すぎます: %(n)d 件") % {"n": len(loose)})
    return Check("keys", OK, _("鍵ファイル %(n)d 件があり、読み取れます") % {"n": total})


def check_disk() -> Check:
    path = Path(settings.HEALTH_LOG_DISK_PATH)
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = shutil.disk_usage(path)
    floor = max(int(settings.AUDIT_DISK_MIN_FREE_BYTES),
                int(usage.total * float(settings.AUDIT_DISK_MIN_FREE_PERCENT) / 100.0))
    values = {"free": usage.free / 1024**3, "floor": floor / 1024**3, "path": str(path)}
    if usage.free < floor:
        return Check("disk", FAIL, _("ディスクの空きが下限を下回りました（%(path)s: 空き %(free).1f GiB、下限 "
                                     "%(floor).1f GiB）。空きがなくなると操作履歴を書けず、すべての操作が止まります")
                     % values)
    if usage.free < 2 * floor:
        return Check("disk", WARN, _("ディスクの空きが少なくなっています（%(path)s: 空き %(free).1f GiB、下限 "
                                     "%(floor).1f GiB）") % values)
    return Check("disk", OK, _("ディスクの空き %(free).1f GiB（下限 %(floor).1f GiB）") % values)


def oldest_unsigned_entry() -> dt.datetime | None:
    """The time of the oldest log entry that no signed checkpoint covers yet (None: all covered)."""
    from django.db.models import Max

    from tokutei.auditlog.models import Checkpoint, Entry
    from tokutei.auditlog.selectors import lanes

    signed = dict(Checkpoint.objects.values_list("lane").annotate(m=Max("seq")).values_list("lane", "m"))
    oldest = None
    for lane in lanes():  # one query per lane, however long the log
        at = (Entry.objects.filter(lane=lane, lane_seq__gt=signed.get(lane, 0)).order_by("lane_seq")
              .values_list("at", flat=True).first())
        if at is not None and (oldest is None or at < oldest):
            oldest = at
    return oldest


def check_checkpoint() -> Check:
    try:
        oldest = oldest_unsigned_entry()
    except Exception as exc:
        return Check("checkpoint", FAIL, _("署名チェックポイントを確認できません: %(error)s")
                     % {"error": type(exc).__name__})
    if oldest is None:
        return Check("checkpoint", OK, _("すべての操作履歴が署名チェックポイントで保護されています"))
    limit = float(settings.HEALTH_CHECKPOINT_MAX_AGE_HOURS)
    hours = (timezone.now() - oldest).total_seconds() / 3600
    values = {"hours": hours, "limit": limit}
    if hours > limit:
        return Check("checkpoint", WARN, _("署名チェックポイントが遅れています: %(hours).1f 時間前からの操作履歴が未署名です"
                                           "（上限 %(limit).0f 時間）。`tokutei log checkpoint` を実行してください")
                     % values)
    return Check("checkpoint", OK, _("最も古い未署名の操作履歴は %(hours).1f 時間前（上限 %(limit).0f 時間）") % values)


def check_shredding() -> Check:
    """A disposal's key rotation still to run, or data backups it has made unrestorable (docs/keys.md §4)."""
    from .models import BackupCopy
    from .shredding import pending, shreddings

    waiting = pending()
    if waiting:
        return Check("shredding", WARN, _("廃棄に伴う鍵更新（鍵更新 #%(job)s）が未完了です。旧い鍵を破棄するまで、廃棄前のデータの"
                                          "バックアップから廃棄した本人を読めます。`tokutei keys rotate` を実行してください")
                     % {"job": waiting[0]})
    done = shreddings()
    if not done:
        return Check("shredding", OK, _("廃棄に伴う鍵の破棄はありません"))
    last = done[0]
    newest = BackupCopy.objects.filter(kind=BackupCopy.Kind.DATA).order_by("-created_at").first()
    if newest is None or newest.created_at < last.finished_at:
        return Check("shredding", WARN, _("鍵更新 #%(job)s で廃棄した本人の旧い鍵を破棄しました。これより前のデータのバックアップは"
                                          "ファイル %(files)s を含むため復元できません。新しいデータのバックアップを取得してください"
                                          "（`tokutei backup`）") % {"job": last.job_id, "files": last.files_text})
    return Check("shredding", OK, _("廃棄に伴う鍵の破棄の後のデータのバックアップがあります"))


CHECKS = (check_database, check_log_writable, check_keys, check_disk, check_checkpoint, check_shredding)


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # a check that breaks is itself a failure, never a 500
            results.append(Check(check.__name__.removeprefix("check_"), FAIL, type(exc).__name__))
        if results[-1].key == "database" and results[-1].status == FAIL:
            break  # nothing else can be read
    return results
