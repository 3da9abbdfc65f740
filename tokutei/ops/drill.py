"""Restore drills: restore a data backup and a key backup into a throwaway instance, check it, and keep
the result as evidence in the live database (system.restore_drill)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, require

from .backup import BackupError, read_manifest
from .models import RestoreDrill
from .services import record_restore_drill

# Variables that point an instance at its own places: the drill's instance gets its own.
_PLACES = ("DATABASE_URL", "TOKUTEI_SECRET_KEY", "TOKUTEI_KEY_DIR", "TOKUTEI_EXPORT_DIR", "TOKUTEI_STATIC_ROOT",
           "TOKUTEI_AUDIT_SIGNING_KEY", "TOKUTEI_BACKUP_DIR", "TOKUTEI_LOG_DISK_PATH", "TOKUTEI_PIDFILE",
           "TOKUTEI_BACKUP_PASSPHRASE_FILE", "TOKUTEI_ALLOW_NO_SECRET")


def _pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = quote(str(db.get("USER") or ""), safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    host = str(db.get("HOST") or "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth + '@' if auth else ''}{host}{port}/{name}"


def _pg_admin(sql: str) -> None:
    with connection.cursor() as cur:
        cur.execute(sql)


def run_drill(*, folder: Path, passphrase: str, keys_file: Path, keys_passphrase: str, actor: Actor | None = None,
              note: str = "") -> RestoreDrill:
    actor = actor or Actor.system()
    require(actor, Action.SYSTEM_RESTORE_DRILL)
    manifest, _key = read_manifest(folder, passphrase)  # a wrong passphrase stops before anything starts
    started = time.perf_counter()
    findings: list[str] = []
    counts_ok = log_ok = False
    work = Path(tempfile.mkdtemp(prefix="tokutei-drill-"))
    os.chmod(work, 0o700)
    db_name = ""
    try:
        env = {k: v for k, v in os.environ.items() if k not in _PLACES}
        env.update({"TOKUTEI_DATA_DIR": str(work / "data"), "TOKUTEI_LOG_LEVEL": "WARNING",
                    "DJANGO_SETTINGS_MODULE": "tokutei.settings"})
        if connection.vendor == "postgresql":
            db_name = f"tokutei_drill_{os.getpid()}_{secrets.token_hex(3)}"
            _pg_admin(f'CREATE DATABASE "{db_name}"')
            env["DATABASE_URL"] = _pg_url(db_name)
        for name, value in (("data", passphrase), ("keys", keys_passphrase)):
            path = work / f"{name}.pass"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(value + "\n")
        proc = subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "tokutei.cli", "restore", str(Path(folder).resolve()), "--json",
             "--passphrase-file", str(work / "data.pass"), "--keys", str(Path(keys_file).resolve()),
             "--keys-passphrase-file", str(work / "keys.pass")],
            env=env, capture_output=True, text=True, timeout=24 * 3600, cwd=str(Path(settings.BASE_DIR)))
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if lines:
            result = json.loads(lines[-1])
            counts_ok, log_ok = result["counts_ok"], result["log_ok"]
            findings.extend(result["findings"])
        if proc.returncode != 0 and not lines:
            findings.append("復元に失敗しました: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:500])
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if db_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    return record_restore_drill(backup_name=manifest["name"], keys_name=Path(keys_file).stem, counts_ok=counts_ok,
                                log_ok=log_ok, seconds=time.perf_counter() - started, findings=findings,
                                note=note, actor=actor)


__all__ = ["BackupError", "run_drill"]
