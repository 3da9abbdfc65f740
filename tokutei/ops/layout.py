"""Where the database, the keys, the exports and the backups live — and whether they share a directory.

In production they belong apart (docs/operations.md): whoever copies the database directory must not
get the keys with it, and exports (media copies with their own disposal rule) must not ride along in
the data backups.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection


def database_path() -> Path | None:
    """The SQLite file, or None for a database server."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or ":memory:" in name:
        return None  # an in-memory database (tests)
    return Path(name).resolve()


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


def locations() -> dict[str, Path]:
    places = {"keys": Path(settings.KEY_DIR), "exports": Path(settings.EXPORT_DIR),
              "backups": Path(settings.BACKUP_DIR)}
    db = database_path()
    if db is not None:
        places["database"] = db.parent
    return places


def shared_locations() -> list[str]:
    """Japanese warnings for every pair of places that is the same directory or one inside the other."""
    names = {"database": "データベース", "keys": "鍵", "exports": "持出しファイル", "backups": "バックアップ"}
    places = locations()
    warnings = []
    keys = list(places)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if _inside(places[a], places[b]) or _inside(places[b], places[a]):
                warnings.append(
                    f"注意: {names[a]}（{places[a]}）と{names[b]}（{places[b]}）が同じディレクトリにあります。"
                    "本番では別のディスク・別の保管場所に分けてください（TOKUTEI_KEY_DIR、TOKUTEI_EXPORT_DIR、"
                    "TOKUTEI_BACKUP_DIR、DATABASE_URL。docs/operations.md）。"
                )
    return warnings
