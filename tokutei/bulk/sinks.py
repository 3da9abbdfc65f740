"""Where validated rows go: the vault's person table, sealed and blind-indexed in Python.

Encryption and the blind indexes are computed outside the batch transaction (``prepare``); the write is
then one statement per batch: binary COPY on PostgreSQL, ``executemany`` on SQLite. The rows written are
exactly what ``tokutei.vault`` itself writes for a J-LIS record (the same sealer per file scope, the same
index keys and normalisation), so the vault reads them like any other.

PostgreSQL, a file that has no people yet: the import loads into a table of its own (``vault_person_f<id>``)
that has only the unique index the duplicate check needs, and attaches it as the file's partition of the
person table when the import completes (migration vault/0005). Random-key index maintenance and per-row
foreign-key checks — most of a row's cost in an indexed table — become one sorted index build and one
validating query per constraint. Until then the file is marked ``bulk_loading``: its people appear all at
once, with the completion entry of the log, and nobody can add a person to it meanwhile.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Protocol

import orjson
from django.db import connection, transaction
from django.utils import timezone

from . import pgcopy

CHANNEL = "jlis_bulk"
COLUMNS = (
    "file_id", "task", "data", "key_id", "bi_key", "bi_my_number", "bi_resident_code", "bi_kana_birth",
    "bi_org_key", "status", "entered_by_id", "entered_at", "confirmed_by_id", "confirmed_at",
    "confirmation_method", "channel", "verification", "retention_trigger_date", "deleted_at",
)


@dataclass
class Prepared:
    """A batch ready to write and, for each row, the blind index of its 個人番号 (``keys``) that the
    duplicate checks work on. The rows are either ``rows`` (tuples for ``executemany``) or, for binary COPY,
    ``copy_rows``: the encoded rows joined into one bytes object, row ``i`` ending at ``ends[i]`` — one
    object to hand from a parse worker to the writer instead of ten thousand, and nothing left to join."""

    rows: list[Any]
    keys: list[int] = field(default_factory=list)
    copy_rows: bytes = b""
    ends: array = field(default_factory=lambda: array("Q"))

    @classmethod
    def encoded(cls, rows: list[bytes], keys: list[int]) -> Prepared:
        return cls([], keys, b"".join(rows), array("Q", accumulate(map(len, rows))))

    @property
    def count(self) -> int:
        return len(self.keys)

    def keep(self, drop: set[int]) -> Prepared:
        """The rows whose positions are not in ``drop``."""
        keys = [k for i, k in enumerate(self.keys) if i not in drop]
        if not self.ends:
            return Prepared([r for i, r in enumerate(self.rows) if i not in drop], keys)
        blob, starts = self.copy_rows, [0, *self.ends]
        return Prepared.encoded([blob[starts[i]:end] for i, end in enumerate(self.ends) if i not in drop], keys)


class Sink(Protocol):
    purpose: str

    def require(self, actor: Any) -> None: ...

    def reference(self, number: str) -> str: ...

    def prepare(self, values: Sequence[dict[str, Any]]) -> Prepared: ...

    def existing(self, keys: Sequence[int]) -> set[int]: ...

    def stored_keys(self) -> Iterator[int]: ...

    def write(self, prepared: Prepared) -> None: ...

    def open(self, *, resume: bool = False) -> None: ...

    def before_finish(self) -> None: ...

    def finish(self) -> None: ...

    def close(self) -> None: ...

    def refresh_statistics(self) -> None: ...


class VaultSink:
    """Person rows of one 特定個人情報ファイル. ``fast`` = binary COPY (PostgreSQL only)."""

    def __init__(self, *, specific_file: Any, profile: Any, actor: Any = None, purpose: str = "",
                 fast: bool | None = None):
        from tokutei.vault import crypto
        from tokutei.vault.codec import PersonCodec, aad_for
        from tokutei.vault.keys import get_keyring
        from tokutei.vault.models import Person

        self.crypto = crypto
        self.file = specific_file
        self.profile = profile
        self.parent_table = Person._meta.db_table
        self.table = self.parent_table  # where rows go: the person table, or the file's own loading table
        self.staged = False
        # The vault's own per-file codec: the same data key, index key, AAD and index inputs as intake.
        self.codec = PersonCodec.for_file(specific_file.pk, profile=profile)
        self.aad = aad_for(specific_file.pk)
        self.sealer = self.codec.sealer
        self.indexer = self.codec.indexer
        self.search_indexers = get_keyring().search_indexers()
        self.vendor = connection.vendor
        self.fast = (self.vendor == "postgresql") if fast is None else (fast and self.vendor == "postgresql")
        self.index_fields = self.codec.index_fields
        self.allowed_fields: frozenset[str] | None = None
        self.actor = actor
        self.purpose = purpose
        self.now = timezone.now()
        self._sqlite_cache: int | None = None

    # --- session tuning and the loading table ------------------------------------------------------------
    SQLITE_CACHE_KIB = 96 * 1024

    @property
    def staging_table(self) -> str:
        return f"{self.parent_table}_f{int(self.file.pk)}"

    def open(self, *, resume: bool = False) -> None:
        """Choose where the rows go, before the first batch.

        SQLite's default page cache is small: every insert into the person table's random-key indexes
        reads pages back from the OS once the table outgrows it, and a large import slows to a crawl
        (docs/performance.md, "Figures quoted in the code"). The import's own connection gets a larger cache for its duration (bounded: part of peak memory).

        PostgreSQL with binary COPY: a file with nobody in it (or whose earlier, interrupted import was
        loading it) is loaded into its own table, attached as its partition by ``finish``."""
        if self.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size")
                self._sqlite_cache = cur.fetchone()[0]
                cur.execute(f"PRAGMA cache_size = -{self.SQLITE_CACHE_KIB}")
            return
        if not self.fast or not self._partitioned():
            return
        from tokutei.vault.models import Person, SpecificFile

        with transaction.atomic():
            # The row lock orders this against an intake into the same file (vault.services.intake_person).
            loading = SpecificFile.objects.select_for_update().filter(pk=self.file.pk).values_list(
                "bulk_loading", flat=True).get()
            if not loading and (Person.objects.filter(file_id=self.file.pk).exists() or self._attached()):
                return  # people already there: rows go through the person table and its indexes
            table, pk = self.staging_table, int(self.file.pk)
            with connection.cursor() as cur:
                cur.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                            f"(LIKE {self.parent_table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                # The partition bound as a constraint, so attaching does not scan the rows to prove it.
                if not self._has_constraint(cur, f"{table}_in_file"):
                    cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_in_file CHECK (file_id = {pk})")
                # The one index the load needs (duplicate check); it becomes the partition's unique index.
                cur.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_mn ON {table} (bi_my_number, file_id) "
                            "WHERE bi_my_number IS NOT NULL")
            SpecificFile.objects.filter(pk=pk).update(bulk_loading=True)
        self.file.bulk_loading = True
        self.table = table
        self.staged = True

    def _partitioned(self) -> bool:
        with connection.cursor() as cur:
            cur.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [self.parent_table])
            row = cur.fetchone()
        return bool(row) and row[0] == "p"

    def _attached(self) -> bool:
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s)", [self.staging_table])
            return cur.fetchone() is not None

    @staticmethod
    def _has_constraint(cur: Any, name: str) -> bool:
        cur.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
        return cur.fetchone() is not None

    def before_finish(self) -> None:
        """Loading table only, after the last batch and before the completing transaction: build the
        partition's other indexes (sorted builds) and add its foreign keys (NOT VALID, then one validating
        query each, which does not block writers), so that the attach itself only has to adopt them.
        Idempotent: an import interrupted here finishes on the next run."""
        if not self.staged:
            return
        table = self.staging_table
        with connection.cursor() as cur:
            # Sort in memory, and let PostgreSQL build each index with parallel workers: the parse workers
            # are finished by now, so the cores are free. Session settings, reset below.
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute("SET max_parallel_maintenance_workers = 2")
            try:
                self._build_partition(cur, table)
            finally:
                cur.execute("RESET maintenance_work_mem")
                cur.execute("RESET max_parallel_maintenance_workers")

    def _build_partition(self, cur: Any, table: str) -> None:
        if not self._has_constraint(cur, f"{table}_pkey"):
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, file_id)")
        for name, columns in (("fs", "file_id, status"), ("rc", "bi_resident_code"),
                              ("kb", "bi_kana_birth"), ("ok", "bi_org_key")):
            cur.execute(f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table} ({columns})")
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                    "AND contype = 'f'", [self.parent_table])
        for k, (_name, definition) in enumerate(cur.fetchall()):
            own = f"{table}_fk{k}"
            if not self._has_constraint(cur, own):
                cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {own} {definition} NOT VALID")
                cur.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {own}")
        cur.execute(f"ANALYZE {table}")

    def drop_loading_table(self) -> int:
        """An abandoned import (services.abandon_import), inside its transaction: drop the file's loading
        table if it was never attached and clear the file's mark. Returns how many rows were discarded."""
        discarded = 0
        if self.vendor == "postgresql" and not self._attached():
            with connection.cursor() as cur:
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", [self.staging_table])
                if cur.fetchone()[0]:
                    cur.execute(f"SELECT count(*) FROM {self.staging_table}")  # noqa: S608
                    discarded = cur.fetchone()[0]
                    cur.execute(f"DROP TABLE {self.staging_table}")
        self._clear_loading_mark()
        return discarded

    def _clear_loading_mark(self) -> None:
        from tokutei.vault.models import SpecificFile

        SpecificFile.objects.filter(pk=self.file.pk).update(bulk_loading=False)
        self.file.bulk_loading = False

    def finish(self) -> None:
        """Inside the completing transaction: the loaded people become the file's partition — visible all
        at once, together with the log entry that completes the import."""
        if not self.staged:
            return
        with connection.cursor() as cur:
            cur.execute(f"ALTER TABLE {self.parent_table} ATTACH PARTITION {self.staging_table} "
                        f"FOR VALUES IN ({int(self.file.pk)})")
        self._clear_loading_mark()

    def refresh_statistics(self) -> None:
        """After a bulk load the planner's statistics are stale until autovacuum gets to the table: with a
        million new rows PostgreSQL estimated thousands of matches for one blind-index value and chose a
        bitmap AND with the file index, two orders of magnitude slower per lookup (docs/performance.md,
        "Figures quoted in the code"). ANALYZE samples a fixed
        number of rows, so it costs about the same for any table size. Only the partition that received
        the rows is analysed (a loading table was analysed before it was attached)."""
        with connection.cursor() as cur:
            if self.vendor == "postgresql" and not self.staged:
                table = self.parent_table
                if self._partitioned():
                    table = self.staging_table if self._attached() else f"{self.parent_table}_default"
                cur.execute(f"ANALYZE {table}")
            elif self.vendor == "sqlite":
                cur.execute("PRAGMA optimize")

    def close(self) -> None:
        if self._sqlite_cache is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(self._sqlite_cache)}")
            self._sqlite_cache = None

    # --- decide ----------------------------------------------------------------------------------------
    def require(self, actor: Any) -> None:
        """The policy's answer for a bulk import into this file (E-01, E-02, E-04), for ``actor`` — an
        ``Actor`` whose channel says where the import runs: a command at the server's console is the
        console channel, which the profile allows or refuses (tokutei.policy). A refusal is logged and
        raised; an answer yes gives the task's fields."""
        from tokutei.auditlog.actions import Action
        from tokutei.policy import require

        decision = require(actor, Action.BULK_IMPORT, self.file, target=("file", self.file.pk))
        intake = self.profile.intake
        task = self.profile.tasks.get(actor.purpose)
        if intake.ground_required and not ((task.ground if task is not None else "") or self.file.ground):
            # 002 §17–§19 (E-37): no 個人番号 is collected into a file without a 番号法 ground — as for intake.
            from django.utils.translation import gettext as _

            from tokutei.auditlog.services import refuse

            raise refuse(_("番号法上の根拠（個人番号利用事務等）がないため、個人番号を取り込むことはできません"),
                         action=Action.BULK_IMPORT, article=intake.ground_article, code="no_ground",
                         **actor.log_fields(), target_type="file", target_id=self.file.pk)
        self.allowed_fields = decision.fields
        self.actor = actor.user
        self.purpose = actor.purpose

    def reference(self, number: str) -> str:
        """A keyed reference (参照符号) of a number for the reject report: 12 hex of its blind index."""
        return self.crypto.index_reference(self.indexer.index("mn", number))

    # --- prepare (outside the transaction; in the parse workers on big files) -------------------------------
    def prepare(self, values: Sequence[dict[str, Any]]) -> Prepared:
        """Seal each row (one AES-GCM per person, JSON of the field values) and compute its blind indexes —
        byte for byte what ``PersonCodec.encrypt`` / ``.indexes`` give (tested). With binary COPY each row
        is also encoded here, so the process that writes only joins bytes."""
        crypto = self.crypto
        seal_many = self.sealer.seal_many
        index_mn, index_rc, index_kb, index_ok = (self.indexer.index_function(k) for k in ("mn", "rc", "kb", "ok"))
        aad = self.aad
        keep = self.allowed_fields
        f = self.index_fields
        mn_key, rc_key, kana_key = f.get("my_number", ""), f.get("resident_code", ""), f.get("kana", "")
        birth_key, org_key = f.get("birth_date", ""), f.get("org_key", "")
        if keep is not None:
            keep = keep | {k for k in (org_key, mn_key) if k}
        normalise_kana, normalise_org_key = crypto.normalise_kana, crypto.normalise_org_key
        file_id, task, key_id, bi_key = self.file.pk, self.purpose, self.sealer.key_id, self.indexer.version
        actor_id, now = getattr(self.actor, "pk", None), self.now
        dumps, sort_keys = orjson.dumps, orjson.OPT_SORT_KEYS
        rows: list[Any] = []
        keys: list[int] = []
        encode = None
        if self.fast:
            encode = pgcopy.PersonRowEncoder(
                file_id=file_id, task=task, key_id=key_id, bi_key=bi_key, status="confirmed", entered_by_id=actor_id,
                entered_at=now, confirmed_at=now, method="source", channel=CHANNEL, verification={"source": "jlis"},
            ).encode
        stamp = connection.ops.adapt_datetimefield_value(now)  # executemany rows: as Django stores it
        verification = orjson.dumps({"source": "jlis"}).decode()
        plaintexts: list[bytes] = []
        indexes: list[tuple[int, int | None, int | None, int | None]] = []
        for v in values:
            data = v if keep is None or v.keys() <= keep else {k: x for k, x in v.items() if k in keep}
            kana = normalise_kana(v.get(kana_key, "")) if kana_key else ""
            birth = v.get(birth_key, "") if birth_key else ""
            rc = v.get(rc_key) if rc_key else None
            org = normalise_org_key(v.get(org_key, "")) if org_key else ""
            plaintexts.append(dumps(data, option=sort_keys))
            mn = index_mn(v[mn_key])
            keys.append(mn)
            indexes.append((mn, index_rc(rc) if rc else None, index_kb(f"{kana}|{birth}") if kana and birth else None,
                            index_ok(org) if org else None))
        # One OS call for the whole batch's nonces (still 96 random bits each).
        for blob, (mn, bi_rc, bi_kb, bi_ok) in zip(seal_many(plaintexts, aad), indexes, strict=True):
            if encode is not None:
                rows.append(encode(blob, mn, bi_rc, bi_kb, bi_ok))
            else:
                rows.append((file_id, task, blob, key_id, bi_key, mn, bi_rc, bi_kb, bi_ok, "confirmed", actor_id,
                             stamp, None, stamp, "source", CHANNEL, verification, None, None))
        return Prepared.encoded(rows, keys) if encode is not None else Prepared(rows, keys)

    # --- duplicates ------------------------------------------------------------------------------------
    def existing(self, keys: Sequence[int]) -> set[int]:
        """Those of ``keys`` (blind indexes of 個人番号) already stored in the file, under every searchable
        index key. The importer asks only for the keys its filter of stored keys cannot rule out."""
        if not keys:
            return set()
        found: set[int] = set()
        keys = list(keys)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    f"SELECT bi_my_number FROM {self.table} WHERE file_id = %s AND deleted_at IS NULL "  # noqa: S608
                    "AND bi_my_number = ANY(%s)", [self.file.pk, keys])
                found.update(r[0] for r in cur.fetchall())
            else:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join(["%s"] * len(chunk))
                    cur.execute(
                        f"SELECT bi_my_number FROM {self.table} WHERE file_id = %s AND deleted_at IS NULL "  # noqa: S608
                        f"AND bi_my_number IN ({marks})", [self.file.pk, *chunk])
                    found.update(r[0] for r in cur.fetchall())
        if len(self.search_indexers) > 1:
            # Records sealed before a key rotation carry an older index: compare under each older key.
            found |= self._existing_previous(keys)
        return found

    def _existing_previous(self, keys: Sequence[int]) -> set[int]:  # pragma: no cover - rotation window only
        return set()

    def stored_keys(self) -> Iterator[int]:
        """Every 個人番号 blind index already in the file (or its loading table), streamed."""
        with connection.cursor() as cur:
            cur.execute(f"SELECT bi_my_number FROM {self.table} WHERE file_id = %s AND deleted_at IS NULL "  # noqa: S608
                        "AND bi_my_number IS NOT NULL", [self.file.pk])
            while rows := cur.fetchmany(10_000):
                for (key,) in rows:
                    yield key

    # --- write -----------------------------------------------------------------------------------------
    def write(self, prepared: Prepared) -> None:
        """Inside the batch's transaction (with the job's new position and the batch's log entry).

        PostgreSQL: the batch's commit does not wait for its WAL to reach the disk (``synchronous_commit``
        off for this transaction only). A server crash can then lose the last batches committed — rows,
        job position and log entry together, as one transaction — and the resumed import reads them again;
        nothing is half-done or doubled. The completing transaction waits as usual, and with it every
        batch before it."""
        if not prepared.count:
            return
        cols = ", ".join(COLUMNS)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute("SET LOCAL synchronous_commit = off")
            if self.fast:
                raw = cur.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY {self.table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(pgcopy.SIGNATURE)
                    copy.write(prepared.copy_rows)
                    copy.write(pgcopy.TRAILER)
            else:
                marks = ", ".join(["%s"] * len(COLUMNS))
                cur.executemany(f"INSERT INTO {self.table} ({cols}) VALUES ({marks})", prepared.rows)  # noqa: S608


def sink_for(*, specific_file: Any, profile: Any, fast: bool | None = None) -> VaultSink:
    return VaultSink(specific_file=specific_file, profile=profile, fast=fast)
