"""Loading a J-LIS bulk-acquisition result file into a 特定個人情報ファイル (004 §14(1), §14(3)).

Decide, then act. Everything that can refuse (task, file, approval, layout, a finished job) is checked
before the first write, and each refusal is logged outside any transaction. Then the file is streamed in
batches: each batch is one transaction that writes the batch's person records, moves the ImportJob's
offset past the batch and appends one ``bulk.import`` log entry. A crash or kill loses at most the batch
in flight; re-running the same file resumes after the last committed batch — nothing lost, nothing doubled.

Bad rows never reach the data: they go to a reject report (line number, Japanese reason, keyed reference
— never the My Number). Duplicates are found within a batch by value and across batches and against the
file's existing records by the blind index (earlier batches are already committed when a later one runs).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.policy import Actor
from tokutei.vault.crypto import index_reference

from . import jlis
from .models import ImportJob
from .seen import SeenFilter
from .sinks import Prepared, Sink, sink_for

ACTION = Action.BULK_IMPORT
DEFAULT_BATCH = 10_000
REPORT_HEADER = ["行番号", "理由", "参照符号"]


class ImportStopped(Exception):
    """Raised by a test hook to simulate a crash between batches."""


@dataclass
class ImportResult:
    job_id: int | None
    dry_run: bool
    resumed: bool
    encoding: str
    loaded: int = 0
    rejected: int = 0
    batches: int = 0
    report_path: str = ""
    ignored_headers: list[str] = field(default_factory=list)
    seconds: float = 0.0


def file_digest(path: str | Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def count_records(path: str | Path) -> int:
    """Data lines in the file (physical lines minus the header): the size of the bulk request."""
    n = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        n += 1
    return max(n - 1, 0)


def _decide(*, actor: Actor, specific_file: Any, sink: Sink) -> None:
    """The policy's answer for intake into the file, before any write (a refusal logged once, raised)."""
    sink.require(actor)


def _approve(*, actor: Actor, specific_file: Any, records: int, approval: Any) -> int | None:
    """大量 handling (000 §9.2, E-05): above the profile's threshold the import needs a prior approval
    naming the task and a count limit; it is used (once) by this job. Returns the approval id."""
    from django.utils.translation import gettext as _

    from tokutei.approvals.services import check_bulk

    used = check_bulk(actor=actor, count=records, approval_id=approval,
                      operation_label=_("J-LIS 一括取得結果の取込"), file_id=specific_file.pk, action=ACTION)
    return getattr(used, "pk", None)


def _reference(sink: Sink, number: str) -> str:
    return sink.reference(number) if number else ""


def import_jlis(
    *,
    path: str | Path,
    specific_file: Any,
    actor: Actor,
    approval: Any = None,
    encoding: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    dry_run: bool = False,
    report_path: str | Path | None = None,
    progress: bool = False,
    after_batch: Callable[[int], None] | None = None,
    fast: bool | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Validate and load a J-LIS result file (see module docstring) for ``actor``'s declared task — at the
    console, ``Actor.console(user, purpose=...)``, which the profile allows or refuses. ``after_batch(k)``
    runs after batch k commits (tests use it to simulate a crash)."""
    from tokutei.profiles.selectors import get_profile
    from tokutei.vault.models import SpecificFile

    started = timezone.now()
    purpose = actor.purpose
    common = {**actor.log_fields(), "target_type": "file", "target_id": getattr(specific_file, "pk", "")}
    path = Path(path)
    profile = get_profile()
    sink = sink_for(specific_file=specific_file, profile=profile, fast=fast)
    sink.purpose = purpose
    with open(path, "rb") as fh:
        try:
            layout = jlis.read_layout(fh, profile, encoding)
        except jlis.LayoutError as exc:
            raise refuse(str(exc), action=ACTION, **common, article=profile.intake.article,
                         code="layout") from None
    _decide(actor=actor, specific_file=specific_file, sink=sink)
    digest, size = file_digest(path)

    job: ImportJob | None = None
    resumed = False
    if not dry_run:
        job = ImportJob.objects.filter(file_digest=digest, specific_file_id=specific_file.pk).first()
        if job is not None and job.status == ImportJob.Status.COMPLETED:
            raise refuse("このファイルは既に取り込み済みです（同じ内容のファイル）", action=ACTION, **common,
                         article=profile.intake.article, code="already_imported", details={"job": job.pk})
        if job is not None and job.status == ImportJob.Status.ABANDONED:
            # Given up earlier (abandon_import): this run starts the file again from its first record.
            ImportJob.objects.filter(pk=job.pk).delete()
            job = None
        if job is None:
            other = ImportJob.objects.filter(specific_file_id=specific_file.pk).exclude(
                status__in=[ImportJob.Status.COMPLETED, ImportJob.Status.ABANDONED]).order_by("pk").first()
            if other is not None and SpecificFile.objects.filter(pk=specific_file.pk, bulk_loading=True).exists():
                # The file is being loaded into its own partition by that job: its rows would appear with ours.
                raise refuse(f"このファイルには完了していない一括取込（取込番号 {other.pk}、{other.file_name}）があります。"
                             "先にその取込を再開して完了させてください", action=ACTION, **common,
                             article=profile.intake.article, code="unfinished_import", details={"job": other.pk})
            # A resumed job was approved when it started; a new one is approved (and uses it) now.
            approval_id = _approve(actor=actor, specific_file=specific_file, records=count_records(path),
                                   approval=approval)
            job = ImportJob.objects.create(
                file_digest=digest, file_name=path.name[:255], file_size=size, specific_file_id=specific_file.pk,
                purpose=purpose, actor=actor.user, approval_id=approval_id,
                encoding=layout.encoding, offset=layout.data_offset, line=layout.header_line,
            )
        else:
            resumed = True
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.RUNNING, attempts=job.attempts + 1, updated_at=timezone.now())

    report = Path(report_path) if report_path else _default_report_path(path, job)
    if job is not None and not job.report_path:
        job.report_path = str(report)
        ImportJob.objects.filter(pk=job.pk).update(report_path=str(report))
    elif job is not None:
        report = Path(job.report_path) if not report_path else report
    result = ImportResult(job_id=getattr(job, "pk", None), dry_run=dry_run, resumed=resumed,
                          encoding=layout.encoding, report_path=str(report),
                          ignored_headers=layout.ignored_headers)
    runner = _Runner(sink=sink, layout=layout, job=job, result=result, report=report, actor=actor,
                     specific_file=specific_file, batch_size=batch_size,
                     after_batch=after_batch, dry_run=dry_run,
                     workers=default_workers(size) if workers is None else workers)
    try:
        if not dry_run:
            sink.open(resume=resumed)
        runner.run(path, progress=progress, total=size)
        if job is not None:
            sink.before_finish()
    except BaseException:
        if job is not None:
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, updated_at=timezone.now())
        raise
    finally:
        sink.close()
    if job is not None:
        with transaction.atomic(durable=True):
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.COMPLETED, finished_at=timezone.now(), updated_at=timezone.now())
            job.refresh_from_db()
            sink.finish()  # a file loaded into its own partition: its people appear with this entry
            record(action=ACTION, **actor.log_fields(), target_type="file", target_id=specific_file.pk,
                   count=job.loaded,
                   details={"file_id": specific_file.pk, "job": job.pk, "stage": "acquisition",
                            "channel": "jlis_bulk", "phase": "completed", "loaded": job.loaded,
                            "rejected": job.rejected, "batches": job.batches, "file_sha256": digest,
                            "approval": job.approval_id})
        result.loaded, result.rejected, result.batches = job.loaded, job.rejected, job.batches
        if job.loaded:
            sink.refresh_statistics()
    result.seconds = (timezone.now() - started).total_seconds()
    return result


def abandon_import(*, job_id: int, actor: Actor) -> ImportJob:
    """Give up an unfinished import (取消). On PostgreSQL a new file's rows are still in its loading table:
    they are dropped, nobody ever saw them, and the file takes people again. Rows an import wrote through
    the person table (SQLite, or a file that already had people) are real records by now and stay; only
    the job is closed. Logged, with what was discarded."""
    from tokutei.profiles.selectors import get_profile
    from tokutei.vault.models import SpecificFile

    job = ImportJob.objects.filter(pk=job_id).first()
    common = {"action": Action.BULK_ABANDON, "actor": actor.user, "terminal": actor.terminal,
              "purpose": actor.purpose, "target_type": "file"}
    if job is None or job.status in (ImportJob.Status.COMPLETED, ImportJob.Status.ABANDONED):
        raise refuse("取り消せる（完了していない）一括取込が見つかりません", code="not_abandonable",
                     target_id=getattr(job, "pk", job_id), article=get_profile().intake.article, **common)
    with transaction.atomic(durable=True):
        specific_file = SpecificFile.objects.select_for_update().get(pk=job.specific_file_id)
        discarded = 0
        if specific_file.bulk_loading:
            discarded = sink_for(specific_file=specific_file, profile=get_profile()).drop_loading_table()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.ABANDONED, updated_at=timezone.now(),
                                                   finished_at=timezone.now())
        record(action=Action.BULK_ABANDON, actor=actor.user, terminal=actor.terminal, purpose=job.purpose,
               target_type="file",
               target_id=specific_file.pk, count=discarded,
               details={"file_id": specific_file.pk, "job": job.pk, "discarded": discarded,
                        "kept": job.loaded - discarded, "batches": job.batches})
    job.refresh_from_db()
    return job


def _default_report_path(path: Path, job: ImportJob | None) -> Path:
    directory = Path(settings.EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"import-{job.pk}" if job is not None else f"dry-run-{path.stem}"
    return directory / f"{stem}-rejects.csv"


@dataclass
class BatchOut:
    """One parsed and prepared batch, as a worker hands it back (picklable, no plaintext besides the rows'
    ciphertexts): rows ready to write with their keys, their line numbers, and the rejects found so far."""

    prepared: Prepared
    lines: list[int]
    rejects: list[tuple[int, str, str]]
    end_offset: int
    last_line: int
    first_line: int

    @property
    def keys(self) -> list[int]:
        return self.prepared.keys


# The worker's state: set in the parent before the pool forks, inherited by the workers.
_STATE: dict[str, Any] = {}


def _prepare_batch(task: tuple[bytes, int, int]) -> BatchOut:
    """Parse, validate, find in-batch duplicates, seal and index one chunk of the file (any process)."""
    data, offset, first_line = task
    layout: jlis.Layout = _STATE["layout"]
    sink: Sink = _STATE["sink"]
    values: list[dict[str, Any]] = []
    lines: list[int] = []
    rejects: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for parsed in jlis.iter_chunk(data, layout, offset=offset, line=first_line):
        if parsed.values is None:
            rejects.append((parsed.line, parsed.reason, _reference(sink, parsed.my_number)))
            continue
        number = parsed.my_number
        if number in seen:
            rejects.append((parsed.line, f"ファイル内で個人番号が重複しています（{seen[number]}行目と同じ）",
                            _reference(sink, number)))
            continue
        seen[number] = parsed.line
        values.append(parsed.values)
        lines.append(parsed.line)
    prepared = sink.prepare(values)
    return BatchOut(prepared, lines, rejects, offset + len(data), first_line + data.count(b"\n") - 1
                    + (0 if data.endswith(b"\n") else 1), first_line)


def default_workers(size: int) -> int:
    """Parallel parsing pays from a few MB on; small files stay in one process."""
    return 0 if size < 8_000_000 else max(1, min(4, os.cpu_count() or 1))


class _Runner:
    """The batch loop. At most a few batches are in memory: the one being written and those being parsed."""

    def __init__(self, *, sink: Sink, layout: jlis.Layout, job: ImportJob | None, result: ImportResult,
                 report: Path, actor: Actor, specific_file: Any, batch_size: int,
                 after_batch: Callable[[int], None] | None, dry_run: bool, workers: int = 0):
        self.sink = sink
        self.layout = layout
        self.job = job
        self.result = result
        self.report = report
        self.actor = actor
        self.specific_file = specific_file
        self.batch_size = max(1, batch_size)
        self.after_batch = after_batch
        self.dry_run = dry_run
        self.workers = workers
        # Dry run: nothing is committed, so duplicates across batches are found from the keyed indexes
        # seen (one 64-bit int per row: the one place memory grows with the file, ~70 MB per million rows).
        self.seen: set[int] | None = set() if dry_run else None
        # Otherwise a fixed-size filter of the keys already stored screens each batch (seen.py).
        self.stored: SeenFilter | None = None

    def _batches(self, path: Path, offset: int, line: int) -> Iterator[BatchOut]:
        tasks = jlis.split_batches(path, offset=offset, line=line, size=self.batch_size)
        _STATE.update(layout=self.layout, sink=self.sink)
        if self.workers <= 0:
            for task in tasks:
                yield _prepare_batch(task)
            return
        import multiprocessing

        # fork: the workers inherit the unwrapped keys and never touch the database. The window of tasks in
        # flight is bounded, so memory stays constant however large the file.
        ctx = multiprocessing.get_context("fork")
        window: deque = deque()
        # Each worker also inherits the database connection's socket (unused there). The workers are joined
        # before the import goes on, so no process is left holding the session when the connection closes.
        pool = ctx.Pool(self.workers)
        try:
            for task in tasks:
                window.append(pool.apply_async(_prepare_batch, (task,)))
                if len(window) > self.workers * 2:
                    yield window.popleft().get()
            while window:
                yield window.popleft().get()
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()

    def run(self, path: Path, *, progress: bool, total: int) -> None:
        job = self.job
        offset = job.offset if job is not None else self.layout.data_offset
        line = job.line + 1 if job is not None else self.layout.header_line + 1
        self._open_report(job.report_size if job is not None else 0)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=total, initial=offset, unit="B", unit_scale=True, file=sys.stderr,
                       desc="取込", mininterval=0.5, smoothing=0.1)
        try:
            for batch in self._batches(path, offset, line):
                self._flush(batch)
                if bar is not None:
                    bar.update(batch.end_offset - offset)
                    bar.set_postfix_str(f"登録 {self.result.loaded:,} 件 除外 {self.result.rejected:,} 件", refresh=False)
                offset = batch.end_offset
        finally:
            if bar is not None:
                bar.close()
            self._report_fh.close()

    # --- reject report ---------------------------------------------------------------------------------
    def _open_report(self, committed_size: int) -> None:
        self.report.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.report, "a+b")  # closed in run()
        # Lines written for a batch that never committed are cut off, so the report matches the data.
        fh.truncate(committed_size)
        fh.seek(committed_size)
        if committed_size == 0:
            fh.truncate(0)
            fh.write(self._csv_bytes([REPORT_HEADER], bom=True))
        self._report_fh = fh

    @staticmethod
    def _csv_bytes(lines: list[list[Any]], bom: bool = False) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(lines)
        data = buf.getvalue().encode("utf-8")
        return (b"\xef\xbb\xbf" + data) if bom else data

    # --- one batch -------------------------------------------------------------------------------------
    def _duplicates(self, batch: BatchOut) -> tuple[set[int], list[tuple[int, str, str]]]:
        """Positions in the batch of rows whose 個人番号 is already stored (or seen, in a dry run)."""
        keys = batch.keys
        drop: set[int] = set()
        rejects: list[tuple[int, str, str]] = []
        if self.seen is not None:
            for i, key in enumerate(keys):
                if key in self.seen:
                    drop.add(i)
                    rejects.append((batch.lines[i], "ファイル内で個人番号が重複しています", index_reference(key)))
                else:
                    self.seen.add(key)
            maybe = [keys[i] for i in range(len(keys)) if i not in drop]
        else:
            if self.stored is None:
                self.stored = SeenFilter()
                self.stored.update(self.sink.stored_keys())
            maybe = self.stored.check_and_add(keys)  # this batch's keys are in the filter from here on
        existing = self.sink.existing(maybe) if maybe else set()
        if not existing and not drop and len(set(keys)) == len(keys):
            return drop, rejects  # the usual case, decided at C speed
        batch_keys: set[int] = set()
        for i, key in enumerate(keys):
            if i in drop:
                continue
            if key in existing or key in batch_keys:
                # (two different numbers with one 64-bit index in a batch: as unlikely as 2^-64 a pair)
                drop.add(i)
                rejects.append((batch.lines[i], "既に登録されている個人番号です（ファイル内の先の行または既存の記録）",
                                index_reference(key)))
            else:
                batch_keys.add(key)
        return drop, rejects

    def _flush(self, batch: BatchOut) -> None:
        drop, duplicate_rejects = self._duplicates(batch)
        rejects = batch.rejects + duplicate_rejects
        prepared = batch.prepared.keep(drop) if drop else batch.prepared
        rejects.sort()
        self.result.rejected += len(rejects)
        report_bytes = self._csv_bytes([list(r) for r in rejects]) if rejects else b""
        if self.dry_run:
            self._report_fh.write(report_bytes)
            self.result.loaded += prepared.count
            self.result.batches += 1
            return
        job = self.job
        assert job is not None
        if report_bytes:
            self._report_fh.write(report_bytes)
            self._report_fh.flush()
            os.fsync(self._report_fh.fileno())
        report_size = self._report_fh.tell()
        batch_no = job.batches + 1
        with transaction.atomic(durable=True):
            self.sink.write(prepared)
            job.offset = batch.end_offset
            job.line = batch.last_line
            job.batches = batch_no
            job.loaded += prepared.count
            job.rejected += len(rejects)
            job.report_size = report_size
            job.updated_at = timezone.now()
            job.save(update_fields=["offset", "line", "batches", "loaded", "rejected", "report_size", "updated_at"])
            record(action=ACTION, **self.actor.log_fields(),
                   target_type="file", target_id=self.specific_file.pk, count=prepared.count,
                   details={"file_id": self.specific_file.pk, "job": job.pk, "batch": batch_no, "stage": "input",
                            "channel": "jlis_bulk", "rejected": len(rejects),
                            "lines": [batch.first_line, batch.last_line]})
        self.result.loaded = job.loaded
        self.result.batches = batch_no
        if self.after_batch is not None:
            self.after_batch(batch_no)
