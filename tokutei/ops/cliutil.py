"""Small helpers of the operations commands: passphrases and the acting user."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError


def read_passphrase(path: str | None, *, data: bool = False, prompt: str, confirm: bool = False) -> str:
    """From ``path`` (first line), else (``data``) the file of settings.BACKUP_PASSPHRASE_FILE, else asked
    on the terminal (twice when ``confirm``). Never from the command line itself (it shows in ``ps``)."""
    from django.conf import settings

    path = path or (settings.BACKUP_PASSPHRASE_FILE if data else None)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"パスフレーズのファイルを読めません: {path}") from exc
        if not text or not text[0]:
            raise CommandError(f"パスフレーズのファイルが空です: {path}")
        return text[0]
    if not sys.stdin.isatty():
        raise CommandError("パスフレーズがありません: --passphrase-file を指定してください")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("もう一度入力してください: ") != first:
        raise CommandError("パスフレーズが一致しません")
    return first


def actor(username: str | None) -> Any:
    """The console actor named by ``--by``; without it, the system (a scheduled job)."""
    from tokutei.policy import Actor

    if not username:
        return Actor.system()
    from tokutei.staff.models import User

    try:
        return Actor.console(User.objects.get(username=username))
    except User.DoesNotExist as exc:
        raise CommandError(f"ユーザ {username} がいません") from exc
