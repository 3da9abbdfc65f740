"""The ``tokutei`` console command: a thin wrapper over the Django management commands.

    tokutei init --profile NAME     create a fresh database for an organisation
    tokutei serve                   the production server (gunicorn; waitress on Windows)
    tokutei check                   health: database, log writable, keys, disk, checkpoint (exit 0/1/2)
    tokutei backup --out DIR        encrypted backup of the database and its files (no keys)
    tokutei backup keys --out DIR   encrypted backup of the key directory and the secret key (no data)
    tokutei backup list|verify|register     tokutei restore DIR|keys FILE|drill DIR
    tokutei profiles list|show|check
    tokutei keys rotate             tokutei log verify|export      tokutei import-jlis FILE
    tokutei bench (source checkout) tokutei demo
Any other management command works too (``tokutei migrate``); dashes become underscores.
``tokutei check`` is the health check; Django's own system check is ``tokutei check --deploy`` or
``python manage.py check``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path


def _bootstrap_data_dir() -> None:
    """Before Django starts: make the data and key directories and the secret key file (0600)."""
    base = Path(__file__).resolve().parent.parent
    data_dir = Path(os.environ.get("TOKUTEI_DATA_DIR", str(base / "var"))).resolve()
    key_dir = Path(os.environ.get("TOKUTEI_KEY_DIR", str(data_dir / "keys"))).resolve()
    for directory in (data_dir, key_dir):
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
    secret = data_dir / "secret_key"
    if not secret.exists() and not os.environ.get("TOKUTEI_SECRET_KEY"):
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(50))


def _has_secret() -> bool:
    base = Path(__file__).resolve().parent.parent
    data_dir = Path(os.environ.get("TOKUTEI_DATA_DIR", str(base / "var"))).resolve()
    return bool(os.environ.get("TOKUTEI_SECRET_KEY")) or (data_dir / "secret_key").exists()


def _needs_no_secret(command: str, rest: list[str]) -> bool:
    if any(a in {"-h", "--help"} for a in rest) or command == "profiles":
        return True
    if command == "log" and rest[:1] == ["verify"] and any(a.startswith("--bundle") for a in rest):
        return True
    return command == "bench" and rest[:1] == ["gen-jlis"]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokutei.settings")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    command = args[0].replace("-", "_")
    if command == "check":
        command = "health"  # tokutei check: the operational health check (Django's check: --deploy)
    if command in {"init", "demo"}:
        os.umask(0o077)  # the database file, keys and exports are readable by this account only
        _bootstrap_data_dir()
    if command in {"restore", "backup"}:
        os.umask(0o077)  # backups and restored files: this account only
    if command == "restore" and (args[1:2] == ["keys"] or "--keys" in args) and not _has_secret():
        # A fresh instance has no secret key yet: the key backup brings it (restore writes the file).
        os.environ.setdefault("TOKUTEI_ALLOW_NO_SECRET", "1")
    if _needs_no_secret(command, args[1:]):
        # These only read or write files (profiles, an audit bundle, a synthetic J-LIS file) or print help:
        # they come before `init` or run on an auditor's machine with no installation, so a throwaway key will do.
        os.environ.setdefault("TOKUTEI_SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tokutei", command, *args[1:]])


if __name__ == "__main__":
    main()
