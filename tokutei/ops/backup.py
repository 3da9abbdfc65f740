"""Backups and restores (docs/operations.md): data and keys apart, each encrypted with its own passphrase.

* ``take_data_backup`` — the database (SQLite's online backup API; PostgreSQL's ``pg_dump`` of an
  exported snapshot) and the data directory's other files, while the system runs. No key material: the
  key directory, the secret key, exports and static files stay out. A manifest lists every table's row
  count in the copy, the key ids the data needs and the keys already destroyed (crypto-shredded).
* ``take_key_backup`` — the key directory (vault keys, staff secret key, log signing key) and the
  secret key, in one encrypted file. No data.
* ``restore_keys`` / ``restore_data`` — into a fresh instance only; the data restore checks every
  table's count against the manifest, verifies the operation log, and refuses to bring a destroyed key
  back (a key backup older than a disposal would make a disposed file readable again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, require

from . import archive
from .layout import database_path

FORMAT = 1
DB_FILE = {"sqlite": "database.sqlite3.enc", "postgresql": "database.pgdump.enc"}
FILES_FILE = "files.tar.enc"
MANIFEST, MANIFEST_MAC = "manifest.json", "manifest.mac"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Japanese and names what to do."""


@dataclass
class BackupResult:
    name: str
    path: Path
    manifest: dict[str, Any]
    register_id: int | None = None


@dataclass
class RestoreResult:
    name: str
    counts_ok: bool
    log_ok: bool
    tables: int
    findings: list[str] = field(default_factory=list)
    log_entries: int = 0
    notes: list[str] = field(default_factory=list)  # worth knowing, not a failure (the witness beyond)

    @property
    def ok(self) -> bool:
        return self.counts_ok and self.log_ok and not self.findings


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M%S")


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=False)
    os.chmod(path, 0o700)
    return path


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


# --- the key store, read through the vault's provider ----------------------------------------------------
def key_inventory() -> dict[str, list[str]]:
    """``{"alive": ["data:3", …], "destroyed": [...]}`` from the live key store (ids only)."""
    from tokutei.vault.keys import DESTROYED, KINDS, get_keyring

    provider = get_keyring().provider
    alive: list[str] = []
    destroyed: list[str] = []
    for kind in KINDS:
        for info in provider.versions(kind):
            (destroyed if info.status == DESTROYED else alive).append(f"{kind}:{info.id}")
    return {"alive": sorted(alive), "destroyed": sorted(destroyed)}


def _secret_key_file() -> Path:
    return Path(settings.DATA_DIR) / "secret_key"


def _excluded_paths() -> list[Path]:
    """What a data backup never takes from the data directory."""
    out = [Path(settings.KEY_DIR), _secret_key_file(), Path(settings.STATIC_ROOT), Path(settings.EXPORT_DIR),
           Path(settings.BACKUP_DIR), Path(settings.AUDIT_SIGNING_KEY_FILE), Path(settings.SERVE_PIDFILE),
           Path(settings.DATA_DIR) / "demo-signins.txt"]
    db = database_path()
    if db is not None:
        out += [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                db.with_name(db.name + "-journal")]
    return [p.resolve() for p in out]


def _data_files() -> list[Path]:
    root = Path(settings.DATA_DIR).resolve()
    excluded = _excluded_paths()
    files = []
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if any(resolved == e or e in resolved.parents for e in excluded):
            continue
        if path.is_file() and not path.is_symlink():
            files.append(path)
    return files


# --- data backup ---------------------------------------------------------------------------------------
def _sqlite_snapshot(target: Path) -> dict[str, int]:
    """SQLite's online backup API, all pages in one step (a consistent copy while others write)."""
    db = database_path()
    assert db is not None
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)
        return _sqlite_counts(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} が見つかりません。PostgreSQL のクライアント（サーバと同じ版）を導入してください。")
    return path


def pg_conninfo() -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump / pg_restore, and the environment carrying the password."""
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    parts = {"dbname": db.get("NAME") or "", "user": db.get("USER") or "", "host": db.get("HOST") or "",
             "port": str(db.get("PORT") or "")}
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return make_conninfo(**{k: v for k, v in parts.items() if v}), env


def _pg_counts(cursor) -> dict[str, int]:
    """Rows of every plain table and leaf partition (``ONLY``: a partition is counted once, as itself)."""
    cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname")
    tables = [r[0] for r in cursor.fetchall()]
    counts = {}
    for t in tables:
        cursor.execute(f'SELECT count(*) FROM ONLY "{t}"')  # noqa: S608 - names from the catalogue
        counts[t] = cursor.fetchone()[0]
    return counts


def _pg_dump(target: Path, key: archive.Key, attempts: int = 3) -> tuple[dict[str, int], dict]:
    """pg_dump of an exported snapshot; the counts are taken in that same snapshot, so they match the dump
    exactly however many rows are written meanwhile.

    The exporting transaction touches no table until pg_dump has finished (it only holds the snapshot),
    so it never waits on a lock that pg_dump or a writer holds. An import that attaches its partition
    while the dump runs waits for the dump; if PostgreSQL still breaks a lock cycle between the two by
    cancelling pg_dump, the backup starts again (the import, if it was the one cancelled, resumes when run
    again)."""
    import psycopg

    conninfo, env = pg_conninfo()
    for attempt in range(1, attempts + 1):
        with psycopg.connect(conninfo) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            proc = subprocess.Popen(  # noqa: S603 - fixed program, arguments from settings
                [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 f"--dbname={conninfo}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            assert proc.stdout is not None and proc.stderr is not None
            with open(target, "wb") as out:
                info = archive.encrypt_stream(proc.stdout, out, key, kind="database")  # type: ignore[arg-type]
            error = proc.stderr.read().decode(errors="replace")
            if proc.wait() != 0:
                if "deadlock detected" in error and attempt < attempts:
                    continue
                raise BackupError(f"pg_dump が失敗しました: {error[-2000:]}")
            with conn.cursor() as cur:
                counts = _pg_counts(cur)
                # People of the files not being loaded in the snapshot. A bulk import commits its batches into a
                # table of its own and attaches it as a partition at the end; a query reads the partitions as they
                # are now, not as the snapshot had them, so an import attached while pg_dump ran would be counted
                # here although pg_dump dumped its rows as the unfinished import they were (the restored instance
                # resumes it). Count what the dump holds as people.
                cur.execute("SELECT count(*) FROM vault_person p JOIN vault_specificfile f ON f.id = p.file_id "
                            "WHERE NOT f.bulk_loading")
                info["people"] = cur.fetchone()[0]  # type: ignore[index]
            conn.rollback()
            return counts, info
    raise BackupError("pg_dump が失敗しました")


def _encrypt_file(source: Path, target: Path, key: archive.Key, kind: str) -> dict:
    with open(source, "rb") as src, open(target, "wb") as out:
        return archive.encrypt_stream(src, out, key, kind=kind)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tokutei")
    except PackageNotFoundError:
        return "source"


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("id"):
        latest[app] = name
    return latest


def take_data_backup(*, out_dir: Path, passphrase: str, actor: Actor | None = None, location: str = "",
                     custodian: str = "", note: str = "") -> BackupResult:
    """An encrypted, verifiable copy of the database and its files into ``out_dir/tokutei-data-…/``.

    ``actor``: the administrator at the console, or the scheduler (None: the system); checked first."""
    from .services import register_backup

    actor = actor or Actor.system()
    require(actor, Action.SYSTEM_BACKUP)

    key = archive.Key.new(passphrase)
    name = f"tokutei-data-{_stamp()}"
    folder = _private_dir(Path(out_dir) / name)
    files: dict[str, dict] = {}
    kind = engine()
    inventory = key_inventory()
    started = timezone.now()
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".work-") as work:
            if kind == "sqlite":
                plain = Path(work) / "db.sqlite3"
                counts = _sqlite_snapshot(plain)
                info = _encrypt_file(plain, folder / DB_FILE[kind], key, "database")
                plain.unlink()
                people = counts.get("vault_person", 0)
            else:
                counts, info = _pg_dump(folder / DB_FILE[kind], key)
                people = info.pop("people")
            files[DB_FILE[kind]] = info
            tar_path = Path(work) / "files.tar"
            data_root = Path(settings.DATA_DIR).resolve()
            members = _data_files()
            with tarfile.open(tar_path, "w") as tar:
                for path in members:
                    tar.add(path, arcname=str(path.relative_to(data_root)), recursive=False)
            files[FILES_FILE] = {**_encrypt_file(tar_path, folder / FILES_FILE, key, "files"),
                                 "members": len(members)}
        for fname, info in files.items():
            info["encrypted_sha256"] = _sha256_file(folder / fname)
            info["encrypted_size"] = (folder / fname).stat().st_size
        manifest = {
            "format": FORMAT, "kind": "data", "name": name, "engine": kind, "tokutei": _version(),
            "started": started.isoformat(timespec="seconds"),
            "finished": timezone.now().isoformat(timespec="seconds"),
            "kdf": key.params(), "files": files, "counts": counts, "people": people, "migrations": _migrations(),
            # Keys are not in this backup: which ones its data needs, and which were already destroyed.
            "keys_needed": inventory["alive"], "keys_destroyed": inventory["destroyed"],
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        _write_private(folder / MANIFEST, body)
        _write_private(folder / MANIFEST_MAC, key.mac(body).encode("ascii"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    size = sum(f["encrypted_size"] for f in files.values())
    row = register_backup(kind="data", name=name, sha256=hashlib.sha256(body).hexdigest(), size_bytes=size,
                          engine=kind, counts=counts, destroyed_keys=inventory["destroyed"], location=location,
                          custodian=custodian, note=note, actor=actor)
    return BackupResult(name, folder, manifest, row.pk)


def read_manifest(folder: Path, passphrase: str) -> tuple[dict, archive.Key]:
    """The manifest, authenticated with the passphrase (a wrong passphrase or an edit fails here)."""
    folder = Path(folder)
    try:
        body = (folder / MANIFEST).read_bytes()
        mac = (folder / MANIFEST_MAC).read_text(encoding="ascii").strip()
    except OSError as exc:
        raise BackupError(f"バックアップが見つかりません: {folder} ({exc.__class__.__name__})") from exc
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT or manifest.get("kind") != "data":
        raise BackupError("データのバックアップではないか、形式が対応していません")
    key = archive.Key.from_params(passphrase, manifest["kdf"])
    import hmac

    if not hmac.compare_digest(key.mac(body), mac):
        raise BackupError("マニフェストを検証できません: パスフレーズが違うか、バックアップが改変されています")
    return manifest, key


def verify_data_backup(*, folder: Path, passphrase: str) -> dict:
    """Authenticate the manifest, then every file: its encrypted hash and every chunk's GCM tag."""
    manifest, key = read_manifest(folder, passphrase)
    for fname, info in manifest["files"].items():
        path = Path(folder) / fname
        if _sha256_file(path) != info["encrypted_sha256"]:
            raise BackupError(f"{fname}: ハッシュが一致しません（改変または破損）")
        with open(path, "rb") as fh:
            try:
                plain = archive.decrypt_to(fh, None, passphrase, key=key)
            except archive.ArchiveError as exc:
                raise BackupError(f"{fname}: {exc}") from exc
        if plain["sha256"] != info["sha256"]:
            raise BackupError(f"{fname}: 復号した内容のハッシュが一致しません")
    return manifest


# --- key backup ----------------------------------------------------------------------------------------
def take_key_backup(*, out_dir: Path, passphrase: str, actor: Actor | None = None, location: str = "",
                    custodian: str = "", note: str = "", data_passphrase: str | None = None) -> BackupResult:
    """The whole key directory, the log signing key and the secret key in one encrypted file."""
    actor = actor or Actor.system()
    require(actor, Action.SYSTEM_BACKUP_KEYS)
    from tokutei.vault.keys import get_keyring

    from .services import register_backup

    if data_passphrase and passphrase == data_passphrase:
        raise BackupError("鍵のバックアップには、データのバックアップとは別のパスフレーズを使ってください")
    key = archive.Key.new(passphrase)
    name = f"tokutei-keys-{_stamp()}"
    out_dir = Path(out_dir)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    buffer = io.BytesIO()
    key_dir = Path(settings.KEY_DIR).resolve()
    with get_keyring().provider.lock():  # no rotation or disposal tears the copy
        inventory = key_inventory()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(key_dir, arcname="keys", filter=lambda m: None if m.name.endswith("/.lock") else m)
            signing = Path(settings.AUDIT_SIGNING_KEY_FILE).resolve()
            if key_dir not in signing.parents:
                for path in (signing, signing.with_name(signing.name + ".pub")):
                    if path.exists():
                        tar.add(path, arcname=f"signing/{path.name}")
            secret = (_secret_key_file().read_text(encoding="utf-8").strip() if _secret_key_file().exists()
                      else str(settings.SECRET_KEY))
            data = secret.encode("utf-8")
            info = tarfile.TarInfo("secret_key")
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            summary = json.dumps({"name": name, "created": timezone.now().isoformat(timespec="seconds"),
                                  **inventory}).encode("utf-8")
            info = tarfile.TarInfo("inventory.json")
            info.size, info.mode = len(summary), 0o600
            tar.addfile(info, io.BytesIO(summary))
    buffer.seek(0)
    path = out_dir / f"{name}.enc"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        archive.encrypt_stream(buffer, out, key, kind="keys")
    sha = _sha256_file(path)
    row = register_backup(kind="keys", name=name, sha256=sha, size_bytes=path.stat().st_size,
                          destroyed_keys=inventory["destroyed"], location=location, custodian=custodian,
                          note=note, actor=actor)
    return BackupResult(name, path, {"name": name, **inventory, "sha256": sha}, row.pk)


def _open_key_backup(path: Path, passphrase: str) -> tarfile.TarFile:
    plain = io.BytesIO()
    with open(path, "rb") as fh:
        try:
            archive.decrypt_to(fh, plain, passphrase)
        except archive.ArchiveError as exc:
            raise BackupError(str(exc)) from exc
    plain.seek(0)
    return tarfile.open(fileobj=plain, mode="r")


def key_backup_inventory(*, path: Path, passphrase: str) -> dict:
    with _open_key_backup(path, passphrase) as tar:
        member = tar.extractfile("inventory.json")
        assert member is not None
        return json.loads(member.read())


def restore_keys(*, path: Path, passphrase: str) -> dict:
    """Unpack a key backup into this instance's (empty) key directory and secret-key file."""
    from tokutei.vault.keys import key_root, reset_cache

    key_dir = Path(settings.KEY_DIR)
    with _open_key_backup(Path(path), passphrase) as tar:
        member = tar.extractfile("inventory.json")
        assert member is not None
        inventory = json.loads(member.read())
        if (key_root() / "keyring.json").exists():
            live = key_inventory()
            revived = sorted(set(live["destroyed"]) & set(inventory["alive"]))
            if revived:
                raise BackupError(
                    f"この鍵のバックアップは、この環境で既に破棄した鍵 {len(revived)} 件を含んでいます（例: {revived[0]}）。"
                    "復元すると廃棄済みのファイルが再び読めるようになるため、復元しません。")
            raise BackupError(f"鍵ディレクトリ {key_dir} には既に鍵があります。新しい環境（空の鍵ディレクトリ）に復元してください。")
        with tempfile.TemporaryDirectory(prefix="tokutei-keys-") as tmp:
            tar.extractall(tmp, filter="data")
            root = Path(tmp)
            key_dir.parent.mkdir(parents=True, exist_ok=True)
            if key_dir.exists():
                if any(key_dir.iterdir()):
                    raise BackupError(f"鍵ディレクトリ {key_dir} が空ではありません。新しい環境に復元してください。")
                key_dir.rmdir()
            shutil.copytree(root / "keys", key_dir)
            signing = root / "signing"
            if signing.exists():
                target = Path(settings.AUDIT_SIGNING_KEY_FILE)
                target.parent.mkdir(parents=True, exist_ok=True)
                for item in signing.iterdir():
                    shutil.copy2(item, target.parent / item.name)
            secret = (root / "secret_key").read_text(encoding="utf-8").strip()
    for p in [key_dir, *key_dir.rglob("*")]:
        os.chmod(p, 0o700 if p.is_dir() else 0o600)
    secret_file = _secret_key_file()
    if not os.environ.get("TOKUTEI_SECRET_KEY"):
        if secret_file.exists() and secret_file.read_text(encoding="utf-8").strip() != secret:
            raise BackupError(f"{secret_file} が既にあり、バックアップの秘密鍵と異なります。新しい環境に復元してください。")
        if not secret_file.exists():
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            _write_private(secret_file, secret.encode("utf-8"))
    reset_cache()
    return inventory


# --- data restore --------------------------------------------------------------------------------------
def _target_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_sqlite(folder: Path, manifest: dict, key: archive.Key, passphrase: str) -> dict[str, int]:
    db = database_path()
    assert db is not None
    connection.close()
    if db.exists() and db.stat().st_size > 0:
        probe = sqlite3.connect(db)
        try:
            tables = probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            probe.close()
        if tables:
            raise BackupError(f"復元先のデータベース {db} は空ではありません。新しい環境に復元してください。")
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".restoring")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(folder / DB_FILE["sqlite"], "rb") as src:
            plain = archive.decrypt_to(src, out, passphrase, key=key)
        if plain["sha256"] != manifest["files"][DB_FILE["sqlite"]]["sha256"]:
            raise BackupError("データベースの復号結果がマニフェストと一致しません")
        check = sqlite3.connect(tmp)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("復元したデータベースの整合性検査 (integrity_check) に失敗しました")
            counts = _sqlite_counts(check)
        finally:
            check.close()
        for suffix in ("-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


def _restore_pg(folder: Path, manifest: dict, key: archive.Key, passphrase: str) -> dict[str, int]:
    if not _target_is_empty():
        raise BackupError("復元先のデータベースにはテーブルがあります。空のデータベースに復元してください。")
    connection.close()
    conninfo, env = pg_conninfo()
    proc = subprocess.Popen(  # noqa: S603 - fixed program, arguments from settings
        [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={conninfo}"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdin is not None and proc.stderr is not None
    digest = hashlib.sha256()
    try:
        with open(folder / DB_FILE["postgresql"], "rb") as src:
            for chunk in archive.decrypt_chunks(src, passphrase, key=key):
                digest.update(chunk)
                proc.stdin.write(chunk)
    except archive.ArchiveError:
        proc.kill()
        raise
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    error = proc.stderr.read().decode(errors="replace")
    if proc.wait() != 0:
        raise BackupError(f"pg_restore が失敗しました: {error[-2000:]}")
    if digest.hexdigest() != manifest["files"][DB_FILE["postgresql"]]["sha256"]:
        raise BackupError("データベースの復号結果がマニフェストと一致しません")
    with connection.cursor() as cur:
        return _pg_counts(cur)


def _restore_files(folder: Path, key: archive.Key, passphrase: str) -> None:
    path = folder / FILES_FILE
    if not path.exists():
        return
    plain = io.BytesIO()
    with open(path, "rb") as src:
        archive.decrypt_to(src, plain, passphrase, key=key)
    plain.seek(0)
    with tarfile.open(fileobj=plain, mode="r") as tar:
        tar.extractall(Path(settings.DATA_DIR), filter="data")


def restore_data(*, folder: Path, passphrase: str, actor: Actor | None = None, keys_name: str = "",
                 destroy_revived_keys: bool = False) -> RestoreResult:
    """Restore a data backup into this (fresh) instance, whose key store is already in place."""
    from tokutei.vault.keys import get_keyring, key_root, reset_cache

    folder = Path(folder)
    manifest = verify_data_backup(folder=folder, passphrase=passphrase)
    _, key = read_manifest(folder, passphrase)
    if manifest["engine"] != engine():
        raise BackupError(f"このバックアップは {manifest['engine']} のものです（復元先: {engine()}）")
    if not (key_root() / "keyring.json").exists():
        raise BackupError("鍵がありません。先に鍵のバックアップを復元してください: tokutei restore keys FILE")
    reset_cache()
    from .shredding import refusal_for

    refused = refusal_for(manifest)  # older than a disposal's key rotation: its keys are gone, by design
    if refused:
        raise BackupError(refused)
    live = key_inventory()
    # A key the data backup already saw destroyed must stay destroyed (crypto-shredding outlives backups).
    revived = sorted(set(manifest["keys_destroyed"]) & set(live["alive"]))
    if revived and not destroy_revived_keys:
        raise BackupError(
            f"鍵のバックアップが古すぎます: このデータのバックアップ時点で破棄済みの鍵 {len(revived)} 件"
            f"（例: {revived[0]}）が鍵ストアにあります。廃棄したファイルが読めるようになるため復元しません。"
            "より新しい鍵のバックアップを使うか、--destroy-revived-keys でそれらの鍵を破棄してから復元してください。")
    provider = get_keyring().provider
    for ref in revived:
        kind, key_id = ref.split(":")
        with provider.lock():
            provider.destroy(kind, int(key_id))
    reset_cache()
    live = key_inventory()
    findings = []
    known = set(live["alive"]) | set(live["destroyed"])
    missing = sorted(set(manifest["keys_needed"]) - known)
    if missing:
        findings.append(f"鍵のバックアップがデータのバックアップより古く、鍵 {len(missing)} 件がありません（例: {missing[0]}）。"
                        "その鍵で暗号化された本人データは読めません。より新しい鍵のバックアップを復元してください。")
    restore = _restore_sqlite if engine() == "sqlite" else _restore_pg
    counts = restore(folder, manifest, key, passphrase)
    _restore_files(folder, key, passphrase)
    # Deletions made after this backup was taken are written down in the key store: replay them before the
    # data is used, so a person erased since is erased here too (tokutei.vault.tombstones, docs/keys.md §4).
    from tokutei.vault.tombstones import replay

    replayed = replay()
    expected = manifest["counts"]
    differ = sorted(t for t in set(expected) | set(counts) if expected.get(t) != counts.get(t))
    if differ:
        findings.append(f"件数が一致しないテーブルがあります: {', '.join(differ[:5])}")
    from django.core.management import call_command

    from tokutei.auditlog.verify import verify_database

    # The backup as it was taken (the witness outside the database knows checkpoints made since: the
    # entries after the backup are what a restore loses, which is said, not counted as a failure).
    report = verify_database(make_checkpoint=False, witness=False)
    notes: list[str] = []
    if not report.ok:
        findings.append(f"操作履歴の検証に失敗しました: {report.first_problem}")
    else:
        witnessed = verify_database(make_checkpoint=False)
        if not witnessed.ok:
            from tokutei.auditlog.witness import set_aside

            kept = set_aside(f"before-restore-{_stamp()}")
            notes.append(f"チェックポイントの外部控えとの照合: {witnessed.first_problem}"
                         f"（バックアップ後の記録は復元されていません。従前の控えは {kept} として保管しました。"
                         "復元の記録とともに保管してください）")
    call_command("migrate", interactive=False, verbosity=0)  # a newer release may add migrations
    from .services import record_restore

    record_restore(name=manifest["name"], keys_name=keys_name, counts_ok=not differ, log_ok=report.ok,
                   tables=len(counts), actor=actor or Actor.system(), replayed=replayed)
    return RestoreResult(manifest["name"], not differ, report.ok, len(counts), findings, report.entries_checked,
                         notes)


def age_of(manifest: dict) -> dt.timedelta:
    return timezone.now() - dt.datetime.fromisoformat(manifest["finished"])
