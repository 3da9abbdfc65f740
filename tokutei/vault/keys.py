"""Key material, kept OUTSIDE the database (docs/keys.md).

Three kinds of key, each versioned by a small integer id:

* ``master`` — wraps the data keys (envelope encryption). Only the active master wraps; retired ones stay
  until an operator removes them.
* ``data`` — one per scope (a 特定個人情報ファイル: ``file:<pk>``), seals the person records of that scope.
  Its wrapped copy lives in the key store, not in the database, so destroying it (crypto-shredding) makes
  every copy of those records unreadable, including old database backups.
* ``index`` — the HMAC key of the blind indexes. Lookups compute the index under every searchable version.

Data-key scopes: ``file:<pk>`` (the person records of a file) and ``staff:secrets`` (second-factor
secrets, :mod:`tokutei.staff.crypto`). Every scope is rotated by ``tokutei keys rotate``.

Key files from before the one key store (``LEGACY_FILES``: ``staff_secrets.key``) are adopted on first use:
the key is wrapped by the master key and becomes the active data key of its scope, so what it sealed still
opens, and the next rotation moves it onto a new key (docs/keys.md §"Key files from earlier versions").

Storage goes through a :class:`KeyProvider` (get / create / versions / update / destroy). The shipped
:class:`FileKeyProvider` keeps one file per key under ``settings.KEY_DIR / "vault"`` with mode 0600 and a
metadata file ``keyring.json`` (no key material in it). An HSM or KMS provider can replace it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, TypedDict

from django.conf import settings
from django.utils import timezone
from filelock import FileLock

from .crypto import CryptoError, Indexer, Sealer

KINDS = ("master", "index", "data")

# Statuses. master: active | retired. index: active | previous (still searched) | retired.
# data: active | previous (decrypt only; rotation pending) | retired (decrypt only) | destroyed.
ACTIVE, PREVIOUS, RETIRED, DESTROYED = "active", "previous", "retired", "destroyed"


@dataclass
class KeyInfo:
    kind: str
    id: int
    status: str = ACTIVE
    scope: str = ""  # data keys: "file:<pk>"
    wrapped_by: int | None = None  # data keys: the master key id
    created_at: str = ""
    changed_at: str = ""
    note: str = ""


class RotationSummary(TypedDict):
    """What :meth:`Keyring.start_rotation` did: key ids, and how many data keys were re-wrapped."""

    master: int
    retired_master: int
    rewrapped: int
    old_data: list[int]
    new_data: list[int]
    old_index: list[int]
    new_index: int


class KeyProvider(Protocol):
    """Where key material lives. Key bytes never pass through the database."""

    def get(self, kind: str, key_id: int) -> bytes: ...

    def next_id(self, kind: str) -> int: ...

    def create(self, kind: str, material: bytes, *, key_id: int | None = None, **meta: object) -> KeyInfo: ...

    def versions(self, kind: str) -> list[KeyInfo]: ...

    def update(self, kind: str, key_id: int, *, material: bytes | None = None, **meta: object) -> KeyInfo: ...

    def destroy(self, kind: str, key_id: int) -> None: ...

    def lock(self) -> contextlib.AbstractContextManager: ...

    def fingerprint(self) -> object: ...


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


class FileKeyProvider:
    """Key files under one directory (mode 0700), each key in its own 0600 file."""

    SUFFIX = {"master": ".key", "index": ".key", "data": ".wrapped"}

    def __init__(self, root: Path):
        self.root = Path(root)
        self.meta_path = self.root / "keyring.json"

    # --- files -------------------------------------------------------------------------------------
    def _prepare(self) -> None:
        for path in (self.root, *(self.root / k for k in KINDS)):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)

    def _path(self, kind: str, key_id: int) -> Path:
        return self.root / kind / f"{key_id:06d}{self.SUFFIX[kind]}"

    @staticmethod
    def _write_private(path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)

    def _read_meta(self) -> dict:
        if not self.meta_path.exists():
            return {"format": 1, "keys": []}
        return json.loads(self.meta_path.read_text(encoding="utf-8"))

    def _write_meta(self, meta: dict) -> None:
        self._write_private(self.meta_path, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive lock across processes for changes to the key store."""
        self._prepare()
        # filelock: flock on Linux / Unix, msvcrt.locking on a Windows server; the file is this account's only.
        with FileLock(self.root / ".lock", mode=0o600):
            yield

    def fingerprint(self) -> object:
        try:
            st = self.meta_path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    # --- provider interface ------------------------------------------------------------------------
    def get(self, kind: str, key_id: int) -> bytes:
        path = self._path(kind, key_id)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise CryptoError(f"{kind} key {key_id} is not in the key store (destroyed or missing)") from exc

    def versions(self, kind: str) -> list[KeyInfo]:
        return [KeyInfo(**k) for k in self._read_meta()["keys"] if k["kind"] == kind]

    def next_id(self, kind: str) -> int:
        return 1 + max((k.id for k in self.versions(kind)), default=0)

    def create(self, kind: str, material: bytes, *, key_id: int | None = None, **meta: object) -> KeyInfo:
        """Store a new key (the material first, then its metadata). Call inside :meth:`lock`."""
        self._prepare()
        data = self._read_meta()
        next_id = key_id or 1 + max((k["id"] for k in data["keys"] if k["kind"] == kind), default=0)
        info = KeyInfo(kind=kind, id=next_id, created_at=_now(), changed_at=_now(), **meta)  # type: ignore[arg-type]
        self._write_private(self._path(kind, next_id), material)
        data["keys"].append(asdict(info))
        self._write_meta(data)
        return info

    def update(self, kind: str, key_id: int, *, material: bytes | None = None, **meta: object) -> KeyInfo:
        data = self._read_meta()
        for k in data["keys"]:
            if k["kind"] == kind and k["id"] == key_id:
                if material is not None:
                    self._write_private(self._path(kind, key_id), material)
                k.update(meta)
                k["changed_at"] = _now()
                self._write_meta(data)
                return KeyInfo(**k)
        raise CryptoError(f"{kind} key {key_id} is unknown")

    def destroy(self, kind: str, key_id: int) -> None:
        """Overwrite and unlink the key file, and mark it destroyed."""
        path = self._path(kind, key_id)
        if path.exists():
            size = path.stat().st_size
            with open(path, "r+b") as fh:
                fh.write(os.urandom(size))
                fh.flush()
                os.fsync(fh.fileno())
            path.unlink()
        self.update(kind, key_id, status=DESTROYED)


def _wrap_aad(key_id: int) -> bytes:
    return b"tokutei/data-key/%d" % key_id


@dataclass
class Keyring:
    """The keys of this installation, unwrapped lazily and cached per process."""

    provider: FileKeyProvider
    _sealers: dict[int, Sealer] = field(default_factory=dict)
    _indexers: dict[int, Indexer] = field(default_factory=dict)
    _infos: dict[str, list[KeyInfo]] = field(default_factory=dict)
    _fingerprint: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- metadata ----------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        fp = self.provider.fingerprint()
        if force or fp != self._fingerprint or not self._infos:
            with self._lock:
                self._infos = {kind: self.provider.versions(kind) for kind in KINDS}
                self._fingerprint = fp
                # Drop cached objects whose key is no longer readable.
                live = {k.id for k in self._infos["data"] if k.status != DESTROYED}
                for key_id in list(self._sealers):
                    if key_id not in live:
                        del self._sealers[key_id]

    def infos(self, kind: str) -> list[KeyInfo]:
        self.refresh()
        return list(self._infos.get(kind, []))

    def info(self, kind: str, key_id: int) -> KeyInfo:
        for k in self.infos(kind):
            if k.id == key_id:
                return k
        raise CryptoError(f"{kind} key {key_id} is unknown")

    # --- master ------------------------------------------------------------------------------------
    def active_master_id(self) -> int:
        actives = [k.id for k in self.infos("master") if k.status == ACTIVE]
        if not actives:
            raise CryptoError("no active master key: run `tokutei init` or `tokutei keys status`")
        return max(actives)

    def _master(self, key_id: int) -> Sealer:
        return Sealer(key_id, self.provider.get("master", key_id))

    # --- data keys ---------------------------------------------------------------------------------
    def sealer(self, key_id: int) -> Sealer:
        """The data key ``key_id`` (unwrapped once per process)."""
        found = self._sealers.get(key_id)
        if found is not None:
            return found
        info = self.info("data", key_id)
        if info.status == DESTROYED:
            raise CryptoError(f"data key {key_id} was destroyed (crypto-shredded)")
        wrapped = self.provider.get("data", key_id)
        master = self._master(info.wrapped_by or self.active_master_id())
        sealer = Sealer(key_id, master.open(wrapped, _wrap_aad(key_id)))
        self._sealers[key_id] = sealer
        return sealer

    def active_data_key(self, scope: str) -> int | None:
        ids = [k.id for k in self.infos("data") if k.scope == scope and k.status == ACTIVE]
        return max(ids) if ids else None

    def data_key_for(self, scope: str) -> Sealer:
        """The sealer that encrypts new records of ``scope``; a key is created on first use."""
        key_id = self.active_data_key(scope)
        if key_id is None:
            key_id = self.create_data_key(scope)
        return self.sealer(key_id)

    def create_data_key(self, scope: str) -> int:
        with self.provider.lock():
            self.refresh(force=True)
            existing = self.active_data_key(scope)
            if existing is not None:
                return existing
            return self._create_data_key_locked(scope)

    def _create_data_key_locked(self, scope: str, key: bytes | None = None, note: str = "") -> int:
        master_id = self.active_master_id()
        key = os.urandom(32) if key is None else key
        key_id = self.provider.next_id("data")  # under the store's lock: the id is bound into the wrap AAD
        wrapped = self._master(master_id).seal(key, _wrap_aad(key_id))
        info = self.provider.create("data", wrapped, key_id=key_id, scope=scope, wrapped_by=master_id, note=note)
        self.refresh(force=True)
        self._sealers[info.id] = Sealer(info.id, key)
        return info.id

    # --- key files from earlier versions ---------------------------------------------------------------
    def adopted_key(self, scope: str) -> int | None:
        """The data key that was adopted from ``scope``'s legacy key file, if it was (any status)."""
        note = legacy_note(scope)
        ids = [k.id for k in self.infos("data") if k.scope == scope and k.note == note]
        return max(ids) if ids else None

    def adopt_legacy(self, scope: str) -> int | None:
        """Take ``scope``'s key file from an earlier version into the key store (once): wrapped by the
        active master key, it becomes the scope's active data key unless the scope already has one (then it
        is kept ``previous``: it opens what it sealed until a rotation re-encrypts that). Returns its id,
        or None when there is no such file. The file itself is left for the operator (docs/keys.md)."""
        path = legacy_path(scope)
        found = self.adopted_key(scope)
        if found is not None or path is None or not path.exists():
            return found
        with self.provider.lock():
            self.refresh(force=True)
            found = self.adopted_key(scope)
            if found is not None:
                return found
            key = path.read_bytes()
            if len(key) != 32:
                raise CryptoError(f"legacy key file {path.name} is not a 32-byte key")
            had_active = self.active_data_key(scope) is not None
            key_id = self._create_data_key_locked(scope, key, note=legacy_note(scope))
            if had_active:
                self.provider.update("data", key_id, status=PREVIOUS)
                self.refresh(force=True)
            return key_id

    def destroy_scope(self, scope: str) -> list[int]:
        """Crypto-shred every data key of ``scope``. Returns the destroyed ids."""
        destroyed = []
        with self.provider.lock():
            self.refresh(force=True)
            for k in self.infos("data"):
                if k.scope == scope and k.status != DESTROYED:
                    self.provider.destroy("data", k.id)
                    self._sealers.pop(k.id, None)
                    destroyed.append(k.id)
            self.refresh(force=True)
        return destroyed

    # --- index keys --------------------------------------------------------------------------------
    def _indexer(self, version: int) -> Indexer:
        found = self._indexers.get(version)
        if found is None:
            found = Indexer(version, self.provider.get("index", version))
            self._indexers[version] = found
        return found

    def current_indexer(self) -> Indexer:
        actives = [k.id for k in self.infos("index") if k.status == ACTIVE]
        if not actives:
            raise CryptoError("no active index key: run `tokutei init`")
        return self._indexer(max(actives))

    def search_indexers(self) -> list[Indexer]:
        """Every index version a lookup must try: the current one first, then those still in use."""
        current = self.current_indexer()
        others = sorted((k.id for k in self.infos("index") if k.status == PREVIOUS), reverse=True)
        return [current, *(self._indexer(v) for v in others)]

    # --- rotation ----------------------------------------------------------------------------------
    def start_rotation(self) -> RotationSummary:
        """New master (re-wraps every live data key), new data key per scope, new index key.

        Old data keys become ``previous`` (decrypt only) and the old index key ``previous`` (still
        searched) until the re-encryption job finishes (:func:`finish_rotation`).
        """
        with self.provider.lock():
            self.refresh(force=True)
            old_master = self.active_master_id()
            new_master = self.provider.create("master", os.urandom(32)).id
            master = self._master(new_master)
            old_sealer = self._master(old_master)
            rewrapped = 0
            for k in self.provider.versions("data"):
                if k.status == DESTROYED:
                    continue
                unwrapper = old_sealer if k.wrapped_by in (None, old_master) else self._master(k.wrapped_by)
                key = unwrapper.open(self.provider.get("data", k.id), _wrap_aad(k.id))
                self.provider.update("data", k.id, material=master.seal(key, _wrap_aad(k.id)),
                                     wrapped_by=new_master)
                rewrapped += 1
            self.provider.update("master", old_master, status=RETIRED)
            self.refresh(force=True)
            old_data: list[int] = []
            new_data: list[int] = []
            for k in self.infos("data"):
                if k.status == ACTIVE:
                    self.provider.update("data", k.id, status=PREVIOUS)
                    old_data.append(k.id)
                    new_data.append(self._create_data_key_locked(k.scope))
            old_index = [k.id for k in self.infos("index") if k.status == ACTIVE]
            for v in old_index:
                self.provider.update("index", v, status=PREVIOUS)
            new_index = self.provider.create("index", os.urandom(32)).id
            self._sealers.clear()
            self.refresh(force=True)
        return {"master": new_master, "retired_master": old_master, "rewrapped": rewrapped,
                "old_data": old_data, "new_data": new_data, "old_index": old_index, "new_index": new_index}

    def finish_rotation(self, *, shred_scopes: Sequence[str] = (), shred_index: bool = False,
                        note: str = "") -> list[str]:
        """After the job re-encrypted every row: previous data keys retire, previous index keys retire.

        A rotation asked for by a disposal (docs/keys.md §4) destroys instead — crypto-shreds — the previous
        data keys of ``shred_scopes`` and, with ``shred_index``, the previous index keys, so that a data
        backup taken before the disposal no longer opens nor confirms the disposed people with the keys
        that survive. Returns the destroyed keys (``"data:5"``, ``"index:2"``)."""
        destroyed: list[str] = []
        with self.provider.lock():
            self.refresh(force=True)
            for k in self.infos("data"):
                if k.status == PREVIOUS and k.scope in shred_scopes:
                    self.provider.destroy("data", k.id)
                    self.provider.update("data", k.id, note=note)
                    self._sealers.pop(k.id, None)
                    destroyed.append(f"data:{k.id}")
                elif k.status == PREVIOUS:
                    self.provider.update("data", k.id, status=RETIRED)
            for k in self.infos("index"):
                if k.status == PREVIOUS and shred_index:
                    self.provider.destroy("index", k.id)
                    self.provider.update("index", k.id, note=note)
                    self._indexers.pop(k.id, None)
                    destroyed.append(f"index:{k.id}")
                elif k.status == PREVIOUS:
                    self.provider.update("index", k.id, status=RETIRED)
            self.refresh(force=True)
        return destroyed


# Key files kept outside the key store by earlier versions, by the scope they now belong to.
LEGACY_FILES = {"staff:secrets": "staff_secrets.key"}


def legacy_path(scope: str) -> Path | None:
    name = LEGACY_FILES.get(scope)
    return Path(settings.KEY_DIR) / name if name else None


def legacy_note(scope: str) -> str:
    return f"adopted from {LEGACY_FILES.get(scope, '')}"


_keyrings: dict[str, Keyring] = {}
_keyrings_lock = threading.Lock()


def key_root() -> Path:
    return Path(settings.KEY_DIR) / "vault"


def get_keyring() -> Keyring:
    """The keyring of ``settings.KEY_DIR`` (cached per process and per directory)."""
    root = key_root()
    ring = _keyrings.get(str(root))
    if ring is None:
        with _keyrings_lock:
            ring = _keyrings.get(str(root))
            if ring is None:
                ring = Keyring(FileKeyProvider(root))
                _keyrings[str(root)] = ring
    return ring


def reset_cache() -> None:
    """Forget cached keys (tests; after restoring a key backup)."""
    _keyrings.clear()


def ensure_keys() -> dict[str, int]:
    """Create the master and index keys if missing (called by ``tokutei init``). Idempotent."""
    ring = get_keyring()
    provider = ring.provider
    with provider.lock():
        ring.refresh(force=True)
        created = {}
        if not any(k.status == ACTIVE for k in provider.versions("master")):
            created["master"] = provider.create("master", os.urandom(32)).id
        if not any(k.status == ACTIVE for k in provider.versions("index")):
            created["index"] = provider.create("index", os.urandom(32)).id
        ring.refresh(force=True)
    for scope in LEGACY_FILES:
        if ring.adopted_key(scope) is None and ring.adopt_legacy(scope) is not None:
            created[f"adopted:{scope}"] = ring.adopted_key(scope) or 0
    check_permissions()
    return created


def check_permissions() -> list[str]:
    """Warnings about key files readable by others (they must be 0600, directories 0700)."""
    problems = []
    root = key_root()
    if not root.exists():
        return ["鍵ディレクトリがありません: tokutei init を実行してください"]
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(f"{path}: 権限 {oct(mode)} (他者から読み取り可能)")
    return problems
