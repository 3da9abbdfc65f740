# ruff: noqa: S608 - SQL built from constant table names only; values are always bound parameters
"""Database triggers that make the operation log append-only (R-LOG-3, E-35).

UPDATE and DELETE on the log tables are refused by the database itself, whoever sends them. The one
exception is the retention purge (services.purge), which may DELETE entries only:

* PostgreSQL: when the transaction has ``SET LOCAL tokutei.purge = 'on'`` AND the entry's seq is covered by
  a PurgeRecord of its lane (written first in the same transaction). TRUNCATE is refused too.
* SQLite: when a PurgeAuthorisation row exists (inserted and removed inside the purge transaction) AND
  the entry's lane position is covered by a PurgeRecord of its lane.

An ordinary ``UPDATE``/``DELETE`` statement is therefore refused. A DBA can still disable triggers; the
hash chain and the signed checkpoints catch what they then do.

Installed by migration 0003 and re-installed after every ``migrate`` (post_migrate), because SQLite drops a
table's triggers when a later migration rebuilds the table.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

ENTRY = "auditlog_entry"
# Tables that are never updated or deleted from (the purge deletes only from ENTRY).
FROZEN = ("auditlog_checkpoint", "auditlog_purgerecord", "auditlog_logreview")
MESSAGE = "tokutei: 操作履歴は追記のみです。更新・削除はできません (the operation log is append-only)"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tokutei_auditlog_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = '{ENTRY}' THEN
    IF current_setting('tokutei.purge', true) = 'on'
       AND OLD.lane_seq <= COALESCE((SELECT MAX(through_seq) FROM auditlog_purgerecord WHERE lane = OLD.lane), 0)
    THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def _pg_statements() -> list[str]:
    statements = [PG_FUNCTION]
    for table in (ENTRY, *FROZEN):
        statements += [
            f"DROP TRIGGER IF EXISTS tokutei_guard_rows ON {table}",
            f"CREATE TRIGGER tokutei_guard_rows BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tokutei_auditlog_guard()",
            f"DROP TRIGGER IF EXISTS tokutei_guard_truncate ON {table}",
            f"CREATE TRIGGER tokutei_guard_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tokutei_auditlog_guard()",
        ]
    return statements


def _sqlite_statements() -> list[str]:
    statements = [  # dropped first by install(), so that a changed definition replaces the old one
        f"CREATE TRIGGER tokutei_guard_{ENTRY}_update BEFORE UPDATE ON {ENTRY} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER tokutei_guard_{ENTRY}_delete BEFORE DELETE ON {ENTRY} "
        "WHEN NOT (EXISTS (SELECT 1 FROM auditlog_purgeauthorisation) "
        "AND OLD.lane_seq <= COALESCE((SELECT MAX(through_seq) FROM auditlog_purgerecord WHERE lane = OLD.lane), 0)) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]
    for table in FROZEN:
        for op in ("update", "delete"):
            statements.append(
                f"CREATE TRIGGER tokutei_guard_{table}_{op} BEFORE {op.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    return statements


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the triggers. Idempotent."""
    if connection.vendor == "postgresql":
        statements = _pg_statements()
    elif connection.vendor == "sqlite":
        drop(connection)
        statements = _sqlite_statements()
    else:  # pragma: no cover - only the two supported databases
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (what a DBA could do; used by tests and by the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (ENTRY, *FROZEN):
                cursor.execute(f"DROP TRIGGER IF EXISTS tokutei_guard_rows ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS tokutei_guard_truncate ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS tokutei_auditlog_guard()")
        elif connection.vendor == "sqlite":
            for table in (ENTRY, *FROZEN):
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS tokutei_guard_{table}_{op}")


def installed(connection: BaseDatabaseWrapper) -> bool:
    """Are all the triggers in place? (``log verify`` reports it.)"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tokutei_guard_%%' AND tgenabled <> 'D' "
                "AND NOT tgisinternal"
            )
            return cursor.fetchone()[0] >= 2 * (1 + len(FROZEN))
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tokutei_guard_%'")
            return cursor.fetchone()[0] >= 2 * (1 + len(FROZEN))
    return False
