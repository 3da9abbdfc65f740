"""The witness: every signed checkpoint, also written outside the database (append-only).

Whoever holds the database alone can delete the log's tail together with the checkpoints that cover it,
and recompute the chain: the database is then consistent with itself. The witness is the copy they do not
hold: each checkpoint is appended, signed, as one JSON line to a file outside the database — by default in
the key directory beside the signing key (``AUDIT_WITNESS_FILE``), opened with O_APPEND, flushed to disk —
and logged on the ``tokutei.auditlog.witness`` logger, which an administrator can route to syslog or a
remote log host. ``tokutei log verify`` reads the witness by default and treats its checkpoints like the
database's own: a witnessed position beyond the log's end is a deleted tail, a witnessed hash that the
log no longer has is a rewrite (docs/auditlog.md: threat model).

A checkpoint is witnessed after its transaction commits (a rolled-back append leaves no witness line that
the log would then contradict); a crash between commit and witness loses that one line, not the next.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from tokutei.core.logging import WITNESS_LOGGER, WITNESS_MESSAGE

log = logging.getLogger(WITNESS_LOGGER)


def witness_path() -> Path:
    """``AUDIT_WITNESS_FILE``, or ``audit_checkpoints.witness`` in the signing key's directory."""
    configured = str(getattr(settings, "AUDIT_WITNESS_FILE", "") or "")
    if configured:
        return Path(configured)
    return Path(settings.AUDIT_SIGNING_KEY_FILE).parent / "audit_checkpoints.witness"


def _line(cp: Any) -> dict[str, Any]:
    from .chain import iso

    return {"lane": int(cp.lane), "seq": int(cp.seq), "hash": str(cp.hash), "at": iso(cp.at),
            "signature": str(cp.signature), "key_fingerprint": str(cp.key_fingerprint)}


def append(cp: Any) -> None:
    """Append one checkpoint to the witness now (callers: :func:`witness_on_commit`)."""
    line = json.dumps(_line(cp), sort_keys=True) + "\n"
    path = witness_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        log.exception("operation log: the checkpoint %s/%s could not be written to the witness %s",
                      cp.lane, cp.seq, path)
        return
    log.info(WITNESS_MESSAGE, line.strip())  # not redacted (core/logging.py): system-made values only


def witness_on_commit(cp: Any) -> None:
    """Witness ``cp`` once its transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: append(cp), robust=True)


def read() -> tuple[list[dict[str, Any]], list[str]]:
    """(the witnessed checkpoints, warnings). A line that is not a checkpoint (a torn last write) is
    skipped with a warning; a missing witness is a warning (a log older than the witness has none)."""
    path = witness_path()
    warnings: list[str] = []
    if not path.exists():
        return [], [f"チェックポイントの外部控え（{path}）がありません。データベース内の署名のみで検証しました"]
    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, text in enumerate(fh, 1):
            try:
                row = json.loads(text)
                cp = {"lane": int(row["lane"]), "seq": int(row["seq"]), "hash": str(row["hash"]),
                      "at": str(row["at"]), "signature": str(row["signature"]),
                      "key_fingerprint": str(row["key_fingerprint"])}
            except (ValueError, KeyError, TypeError):
                warnings.append(f"チェックポイントの外部控えの{number}行目が読めません")
                continue
            out.append(cp)
    return out, warnings


def set_aside(label: str) -> Path | None:
    """Keep the current witness under another name and start a new one (``tokutei restore``: a restored
    backup legitimately ends before checkpoints witnessed since; the old witness stays as the evidence of
    what the restore lost). Returns the kept file, or None when there was no witness."""
    path = witness_path()
    if not path.exists():
        return None
    kept = path.with_name(f"{path.name}.{label}")
    path.rename(kept)
    log.warning("operation log: witness kept as %s (%s); a new witness begins", kept, label)
    return kept
