"""出力 (export) and temporary copies (002 §11, §26; 000 §9.2): encrypted, approved, logged, deleted on time.

``export_people`` writes only the fields the purpose allows (the vault's policy decides), encrypts the file
with AES-256-GCM under a key derived by scrypt from a random passphrase, and returns the passphrase ONCE.
The file sits under ``settings.EXPORT_DIR`` as a :class:`TemporaryCopy` until it expires; ``tokutei
purge_copies`` deletes expired copies and records each deletion (E-40).

File format (``TOKUTEI-EXPORT-1``)::

    b"TOKUTEI-EXPORT-1\\n" + header JSON (kdf params, salt, nonce; no personal data) + b"\\n" + AES-GCM ciphertext

The header line is the GCM associated data, so it cannot be altered. ``open_export`` decrypts it.

Who may export, which people and which fields: the vault's rule for ``vault.export`` (tokutei.vault.rules),
asked through ``tokutei.policy``. Records awaiting the second person's check (E-24, 004 §14(3)②) are
refused or flagged as ``profile.intake.unconfirmed_in_exports`` says (docs/registers.md). A copy's file is
shredded only after the deletion and its log entry have committed (``transaction.on_commit``).
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals import services
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.policy import Actor, decide, restrict
from tokutei.profiles.selectors import get_profile
from tokutei.vendors import services as vendors

from .. import rules
from ..models import TemporaryCopy

MAGIC = b"TOKUTEI-EXPORT-1\n"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
DEFAULT_TTL = dt.timedelta(days=7)
_PASS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a secret); no 0/O, 1/I: read aloud or typed by the recipient


# The profile's approval for an export: ``export`` where the organisation names one, else ``copy``
# (002 §11(1): 複製 on the 保護管理者's instruction — an export file is a copy).
EXPORT_OPERATIONS = ("export", "copy")


def export_operation() -> str | None:
    for operation in EXPORT_OPERATIONS:
        if services.rule_for(operation) is not None:
            return operation
    return None


class ExportFormatError(ValueError):
    pass


# --- encryption -------------------------------------------------------------------------------------------


def new_passphrase() -> str:
    """Five groups of five characters (≈125 bits), e.g. ``K7QXM-...``."""
    chars = "".join(secrets.choice(_PASS_ALPHABET) for _ in range(25))
    return "-".join(chars[i:i + 5] for i in range(0, 25, 5))


def _kdf(salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> Scrypt:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p)


def encrypt_export(plaintext: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)  # a fresh random nonce and key for every file
    key = _kdf(salt).derive(passphrase.encode("utf-8"))
    header = json.dumps({"cipher": "AES-256-GCM", "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                         "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode()},
                        separators=(",", ":")).encode()
    return MAGIC + header + b"\n" + AESGCM(key).encrypt(nonce, plaintext, MAGIC + header)


def decrypt_export(blob: bytes, passphrase: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise ExportFormatError("Tokutei の出力ファイルではありません")
    header, sep, body = blob[len(MAGIC):].partition(b"\n")
    if not sep:
        raise ExportFormatError("出力ファイルが壊れています")
    meta = json.loads(header)
    key = _kdf(base64.b64decode(meta["salt"]), meta["n"], meta["r"], meta["p"]).derive(passphrase.strip().encode())
    try:
        return AESGCM(key).decrypt(base64.b64decode(meta["nonce"]), body, MAGIC + header)
    except InvalidTag:
        raise ExportFormatError("パスフレーズが違うか、ファイルが改ざんされています") from None


# --- where the rows come from: the vault ------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    allowed: bool
    fields: list[str]  # field keys, profile order, only those the purpose allows (E-03)
    people: list[tuple[int, int, dict[str, str]]]  # (person id, file id, values)
    reason: str = ""
    article: str = ""
    code: str = "refused"
    unconfirmed: frozenset[int] = frozenset()  # person ids still awaiting the second person's check (E-24)


def vault_rows(*, actor: Actor, person_ids: Iterable[int] | None) -> Rows:
    """Ask the one policy (the vault's rule for ``vault.export``) which people and fields this export may hold."""
    from tokutei.vault.codec import decrypt_person_fields
    from tokutei.vault.models import Person

    decision = decide(actor, Action.VAULT_EXPORT)
    if not decision.allowed:
        return Rows(False, [], [], decision.reason, decision.article, decision.code)
    profile = get_profile()
    fields = [k for k in profile.fields if k in decision.fields]
    qs = restrict(Person.objects.all(), actor, Action.VAULT_EXPORT).order_by("pk")
    if person_ids is not None:
        qs = qs.filter(pk__in=list(person_ids))
    people, unconfirmed = [], set()
    for person in qs.only("pk", "file_id", "data", "status").iterator(chunk_size=500):
        values = decrypt_person_fields(person.data, file_id=person.file_id)
        people.append((person.pk, person.file_id, {k: values.get(k, "") for k in fields}))
        if person.status == Person.Status.UNCONFIRMED:
            unconfirmed.add(person.pk)
    return Rows(True, fields, people, article=decision.article, unconfirmed=frozenset(unconfirmed))


# --- the export -------------------------------------------------------------------------------------------


def _export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _cell(value: str, is_text: bool) -> str:
    """Keep spreadsheet programs from running a text cell as a formula (CSV injection)."""
    if is_text and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CONFIRMATION_COLUMN = "入力内容の確認"  # E-24: the column of a flagged export
UNCONFIRMED_MARK = "未確認"


def _csv(fields: list[str], people: list[tuple[int, int, dict[str, str]]],
         flagged: frozenset[int] | None = None) -> bytes:
    """The CSV; with ``flagged`` (E-24 ``flag``) a last column marks each record awaiting its check."""
    profile = get_profile()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([profile.fields[k].ja for k in fields] + ([CONFIRMATION_COLUMN] if flagged is not None else []))
    text_kinds = {k for k in fields if profile.fields[k].kind in {"name", "kana", "address", "text"}}
    for pid, _fid, values in people:
        row = [_cell(values.get(k, "") or "", k in text_kinds) for k in fields]
        if flagged is not None:
            row.append(UNCONFIRMED_MARK if pid in flagged else "")
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def export_people(
    *, actor: Actor, recipient: str, person_ids: Iterable[int] | None = None,
    approval_id: int | str | None = None, bulk_approval_id: int | str | None = None,
    ttl: dt.timedelta = DEFAULT_TTL, source=vault_rows, contract_id: int | str | None = None,
    confirmed_only: bool = False,
) -> tuple[TemporaryCopy, str]:
    """Write an encrypted export of the people ``actor`` may reach for its declared task (``actor.purpose``);
    return (copy, passphrase).

    Refused (and logged as vault.export) when the policy says no, when the profile's ``export`` approval is
    missing, when the count exceeds the bulk threshold without a prior approval (E-05), or — where the
    profile says ``refuse`` — when a record still awaits the second person's check (E-24). A recipient that
    is a registered vendor needs its contract (``contract_id``), valid and with a current evaluation
    (tokutei.vendors, E-27). The passphrase is returned once and never stored.

    ``confirmed_only``: the records still awaiting the second person's check are left out (counted in the
    log entry's details as ``unconfirmed_left_out``) instead of refusing the whole export.
    """
    purpose = actor.purpose
    recipient = (recipient or "").strip()
    common = {"action": Action.VAULT_EXPORT, **actor.log_fields()}
    if not recipient:
        raise refuse(_("受領者（提供先）を記録してください"), code="recipient_missing", **common)
    cleared = vendors.check_delivery(actor=actor, action=Action.VAULT_EXPORT, recipient=recipient,
                                     contract_id=contract_id)
    rows = source(actor=actor, person_ids=None if person_ids is None else list(person_ids))
    if not rows.allowed:
        raise refuse(rows.reason, article=rows.article, code=rows.code, **common)
    left_out = 0
    if confirmed_only and rows.unconfirmed:
        left_out = len(rows.unconfirmed)
        rows = dataclasses.replace(rows, people=[p for p in rows.people if p[0] not in rows.unconfirmed],
                                   unconfirmed=frozenset())
    count = len(rows.people)
    if count == 0:
        raise refuse(_("出力する対象がありません"), code="empty", **common)
    file_ids = sorted({fid for _p, fid, _v in rows.people})
    intake = get_profile().intake
    flagged: frozenset[int] | None = None
    if rows.unconfirmed:
        if intake.unconfirmed_in_exports == "refuse":
            raise refuse(_("入力内容の確認（別の職員による確認）が済んでいない記録が %(n)s 件あるため出力できません。"
                           "確認を済ませてから出力してください") % {"n": len(rows.unconfirmed)},
                         article=intake.confirmation_article, code="unconfirmed",
                         details={"unconfirmed": len(rows.unconfirmed)}, **common)
        flagged = rows.unconfirmed
    elif intake.unconfirmed_in_exports == "flag" and intake.second_person_confirmation:
        flagged = frozenset()  # the same columns whether or not this export holds an unconfirmed record

    def scope(p: dict[str, Any]) -> str | None:
        if p.get("purpose") not in (None, purpose):
            return _("事務（目的）が承認と異なります")
        limit = p.get("count_limit")
        if limit is not None and (not isinstance(limit, int) or count > limit):
            return _("件数 %(n)s 件が承認された上限を超えています") % {"n": count}
        return None

    export_op = export_operation()
    export_approval = None
    if export_op is not None:
        export_approval = services.require_approval(operation=export_op, actor=actor, approval_id=approval_id,
                                                    particulars_check=scope, action=Action.VAULT_EXPORT)
    bulk_approval = services.check_bulk(actor=actor, count=count,
                                        approval_id=bulk_approval_id, operation_label=_("特定個人情報等の出力"),
                                        file_id=file_ids[0] if len(file_ids) == 1 else None,
                                        action=Action.VAULT_EXPORT, consume=False)
    passphrase = new_passphrase()
    blob = encrypt_export(_csv(rows.fields, rows.people, flagged), passphrase)
    name = f"export-{timezone.localtime().strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(6)}.tkx"
    path = _export_dir() / name
    try:
        with transaction.atomic(durable=True):
            for req, op, check in ((export_approval, export_op, scope),
                                   (bulk_approval, get_profile().bulk.approval or "bulk_handling", None)):
                if req is not None:
                    assert op is not None  # an export approval is only asked for with its operation
                    services.consume_approval(request_id=req.pk, operation=op, actor=actor, check=check)
            copy = TemporaryCopy.objects.create(
                kind=TemporaryCopy.Kind.EXPORT, file_name=name, purpose=purpose, field_keys=rows.fields,
                record_count=count, recipient=recipient[:200], sha256=hashlib.sha256(blob).hexdigest(),
                approval=export_approval, bulk_approval=bulk_approval, created_by=actor.user,
                expires_at=timezone.now() + ttl,
            )
            # The encrypted file is written before the log entry (so a full disk refuses the export
            # before it is logged) and removed again if the transaction does not commit.
            if cleared is not None:
                vendors.note_delivery(actor=actor, cleared=cleared, kind="export", reference=f"copy:{copy.pk}",
                                      record_count=count)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            record(target_type="file" if len(file_ids) == 1 else "copy",
                   target_id=file_ids[0] if len(file_ids) == 1 else copy.pk, count=count,
                   details={"copy_id": copy.pk, "fields": rows.fields, "file_ids": file_ids,
                            "person_ids": [p for p, _f, _v in rows.people][:1000],
                            "approval_id": getattr(export_approval, "pk", None),
                            "bulk_approval_id": getattr(bulk_approval, "pk", None), "encrypted": True,
                            "unconfirmed_flagged": len(flagged or ()),
                            **({"unconfirmed_left_out": left_out} if left_out else {}),
                            **(cleared.details() if cleared is not None else {})},
                   **common)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return copy, passphrase


def track_processing_copy(*, actor: Actor, path: Path, ttl: dt.timedelta, record_count: int = 0,
                          approval_id=None) -> TemporaryCopy:
    """Register a temporary processing copy (一時的な加工用の複製, 002 §26) that another app wrote under
    ``EXPORT_DIR`` so ``purge_copies`` deletes it when processing ends (E-40). The file should already be
    encrypted. Uses the profile's ``copy`` approval when it names one."""
    base = Path(settings.EXPORT_DIR).resolve()
    path = Path(path).resolve()
    if path.parent != base or not path.is_file():
        raise ValueError("一時的な複製は EXPORT_DIR の直下のファイルでなければなりません")
    approval = services.require_approval(operation="copy", actor=actor, approval_id=approval_id,
                                         action=Action.VAULT_EXPORT)
    with transaction.atomic(durable=True):
        if approval is not None:
            services.consume_approval(request_id=approval.pk, operation="copy", actor=actor)
        copy = TemporaryCopy.objects.create(
            kind=TemporaryCopy.Kind.PROCESSING, file_name=path.name, purpose=actor.purpose, field_keys=[],
            record_count=record_count, recipient="", sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            approval=approval, created_by=actor.user, expires_at=timezone.now() + ttl)
        record(action=Action.VAULT_EXPORT, target_type="copy", target_id=copy.pk, count=record_count,
               details={"kind": "processing", "copy_id": copy.pk}, **actor.log_fields())
    return copy


def copy_path(copy: TemporaryCopy) -> Path:
    return Path(settings.EXPORT_DIR) / copy.file_name


def delete_copy(*, copy: TemporaryCopy, actor: Actor | None = None, reason: str = "manual") -> TemporaryCopy:
    """Delete the file of a copy and record the deletion (vault.delete, target copy; 002 §26).

    The record is marked deleted and logged in one durable transaction; the file is shredded only once that
    has committed (``transaction.on_commit``), so a log write that fails leaves the copy and its record as
    they were. ``actor`` None: the system (``purge_copies``).
    """
    actor = actor if actor is not None else Actor.system()
    article = rules.copies_article(get_profile())
    with transaction.atomic(durable=True):
        locked = TemporaryCopy.objects.select_for_update().get(pk=copy.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.deleted_by = actor.user
        locked.deletion_reason = reason
        locked.save(update_fields=["deleted_at", "deleted_by", "deletion_reason"])
        path = copy_path(locked)
        transaction.on_commit(lambda: _shred(path))
        record(action=Action.VAULT_DELETE, target_type="copy", target_id=locked.pk, count=locked.record_count,
               details={"reason": reason, "kind": locked.kind, "sha256": locked.sha256}, article=article,
               actor=actor.user, terminal=actor.terminal, purpose=locked.purpose)
    return locked


def _shred(path: Path) -> None:
    """Overwrite, then unlink (best effort: SSDs and copy-on-write file systems may keep old blocks)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as fh:
        fh.write(os.urandom(size))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink(missing_ok=True)


def purge_copies(now: dt.datetime | None = None) -> list[int]:
    """Delete every copy past its expiry (E-40). Returns the ids deleted."""
    now = now or timezone.now()
    done = []
    for copy in TemporaryCopy.objects.filter(deleted_at__isnull=True, expires_at__lte=now):
        delete_copy(copy=copy, reason="expired")
        done.append(copy.pk)
    return done
