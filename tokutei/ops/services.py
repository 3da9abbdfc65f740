"""Writes of the operations app: one keyword-only function each, one transaction, the log entry last."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require

from .models import BackupCopy, RestoreDrill


def register_backup(*, kind: str, name: str, sha256: str, size_bytes: int, engine: str = "",
                    counts: dict[str, int] | None = None, destroyed_keys: list | None = None,
                    location: str = "", custodian: str = "", note: str = "", actor: Actor) -> BackupCopy:
    """Record a backup just written (data: system.backup; keys: system.backup_keys)."""
    with transaction.atomic(durable=True):
        copy = BackupCopy.objects.create(
            kind=kind, name=name, created_at=timezone.now(), created_by=actor.user, engine=engine, sha256=sha256,
            size_bytes=size_bytes, counts=counts or {}, destroyed_keys=destroyed_keys or [], location=location,
            custodian=custodian, note=note)
        action = Action.SYSTEM_BACKUP_KEYS if kind == BackupCopy.Kind.KEYS else Action.SYSTEM_BACKUP
        record(action=action, **actor.log_fields(), target_type="backup", target_id=copy.pk,
               details={"name": name, "sha256": sha256, "size": size_bytes, "engine": engine,
                        "tables": len(counts or {}), "destroyed_keys": len(destroyed_keys or [])})
    return copy


def set_backup_location(*, backup: BackupCopy, location: str, custodian: str, note: str | None = None,
                        actor: Actor) -> BackupCopy:
    """Where a copy is kept and who holds it (分散保管), changed when it moves (system.backup_register)."""
    require(actor, Action.SYSTEM_BACKUP_REGISTER, backup)
    with transaction.atomic(durable=True):
        before = {"location": backup.location, "custodian": backup.custodian}
        backup.location, backup.custodian = location, custodian
        if note is not None:
            backup.note = note
        backup.changed_at = timezone.now()
        backup.save(update_fields=["location", "custodian", "note", "changed_at"])
        record(action=Action.SYSTEM_BACKUP_REGISTER, **actor.log_fields(), target_type="backup", target_id=backup.pk,
               details={"name": backup.name, "before": before,
                        "after": {"location": location, "custodian": custodian}})
    return backup


def record_restore(*, name: str, keys_name: str = "", counts_ok: bool, log_ok: bool, tables: int,
                   actor: Actor, replayed: dict | None = None) -> None:
    """In the restored database: the restore itself (system.restore), with the deletions it replayed."""
    with transaction.atomic(durable=True):
        record(action=Action.SYSTEM_RESTORE, **actor.log_fields(), target_type="backup", target_id=name[:100],
               details={"name": name, "keys": keys_name, "counts_ok": counts_ok, "log_ok": log_ok,
                        "tables": tables, "replayed": replayed or {}})


def record_restore_drill(*, backup_name: str, keys_name: str = "", counts_ok: bool, log_ok: bool,
                         seconds: float, findings: list[str], note: str = "", actor: Actor) -> RestoreDrill:
    """A restore drill's result, kept as evidence in the live database (system.restore_drill)."""
    with transaction.atomic(durable=True):
        drill = RestoreDrill.objects.create(
            backup_name=backup_name, keys_name=keys_name, performed_at=timezone.now(), performed_by=actor.user,
            ok=counts_ok and log_ok and not findings, counts_ok=counts_ok, log_ok=log_ok, seconds=seconds,
            findings=findings, note=note)
        record(action=Action.SYSTEM_RESTORE_DRILL, **actor.log_fields(), target_type="restore_drill", target_id=drill.pk,
               result="ok" if drill.ok else "failed",
               details={"backup": backup_name, "keys": keys_name, "counts_ok": counts_ok, "log_ok": log_ok,
                        "findings": len(findings), "seconds": round(seconds, 1)})
    return drill
