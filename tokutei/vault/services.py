"""Writes to the vault: files, intake, confirmation, correction, deletion — and the logged reads.

Each function decides first (``policy.decide``), logs and raises a refusal OUTSIDE any transaction, then
does its write and its operation-log entry in one transaction. Nothing here puts personal data in a log
entry, an exception message or a URL: records by id, fields by key.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.core.jdates import fiscal_year, fiscal_year_start
from tokutei.profiles.selectors import get_profile

from .codec import (
    CHECK_DIGIT_MESSAGE,
    FieldErrors,
    PersonCodec,
    check_my_number,
    decrypt_person_fields,
    lookup_digests,
    scope_for,
)
from .crypto import CryptoError, normalise_kana, normalise_org_key, normalise_resident_code
from .keys import get_keyring
from .models import Installation, Person, PersonCorrection, PersonDeletion, ServiceAccount, SpecificFile
from .policy import Decision, decide

MASK = "●●●● ●●●● ●●●●"
SITE_ENV = "TOKUTEI_INSTALLATION_SITE"


# --- refusals -----------------------------------------------------------------------------------------

def _deny(decision: Decision, *, action: str, actor, terminal, purpose, target_type: str = "",
          target_id: Any = "", details: dict | None = None) -> Refused:
    """Log a refusal (its own transaction) and return the exception to raise."""
    exc = refuse(decision.reason, action=action, article=decision.article, code=decision.code, actor=actor,
                 terminal=terminal, purpose=purpose or "", target_type=target_type, target_id=target_id,
                 details=details)
    if decision.code == "not_found":
        return NotFoundOrForbidden(decision.article)
    return exc


def _refuse(message: str, article: str, *, action: str, code: str, actor, terminal, purpose,
            target_type: str = "", target_id: Any = "", details: dict | None = None) -> Refused:
    return refuse(message, action=action, article=article, code=code, actor=actor, terminal=terminal,
                  purpose=purpose or "", target_type=target_type, target_id=target_id, details=details)


def _require(*, actor, terminal, purpose, action: str, person=None, file=None, limit_tasks=None,
             log_action: str | None = None) -> Decision:
    decision = decide(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person, file=file,
                      limit_tasks=limit_tasks)
    if not decision.allowed:
        target_type, target_id = ("person", person.pk) if person is not None else (
            ("file", file.pk) if file is not None else ("", ""))
        raise _deny(decision, action=log_action or f"vault.{action}", actor=actor, terminal=terminal,
                    purpose=purpose, target_type=target_type, target_id=target_id)
    return decision


# --- API service accounts -----------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def account_for_token(token: str) -> ServiceAccount | None:
    if not token or len(token) > 200:
        return None
    return (ServiceAccount.objects.select_related("user", "terminal")
            .filter(token_digest=_token_digest(token), revoked_at__isnull=True, user__is_active=True).first())


def create_service_account(*, actor, name: str, user, terminal, tasks: list[str]) -> tuple[ServiceAccount, str]:
    """An API client bound to one registered terminal and to tasks; the token is shown once (digest kept)."""
    import secrets

    from tokutei.staff.selectors import has_role

    profile = get_profile()
    if actor is not None and not has_role(actor, profile.admin_roles()):
        raise _refuse(_("API 利用者を登録できるのはシステム管理者です"), profile.authentication.article,
                      action="staff.access", code="not_admin", actor=actor, terminal=None, purpose="")
    unknown = [t for t in tasks if t not in profile.selectable_tasks()]
    if unknown or not tasks:
        raise FieldErrors({"tasks": "プロファイルの事務を1つ以上選択してください"})
    token = "tkv_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        account = ServiceAccount.objects.create(name=name, user=user, terminal=terminal, tasks=list(tasks),
                                                token_digest=_token_digest(token), created_by=actor)
        record(action="vault.service_account_create", actor=actor, target_type="service_account",
               target_id=account.pk, details={"terminal_id": terminal.pk, "tasks": list(tasks)})
    return account, token


# --- installation site (004 §14(4), E-34) -------------------------------------------------------------

def installation_site() -> str:
    """Where this installation is declared to run: the database setting, else the environment."""
    row = Installation.objects.filter(pk=1).first()
    if row is not None:
        return row.site
    env = os.environ.get(SITE_ENV, "").strip()
    return env if env in Installation.Site.values else Installation.Site.OWN_SERVER


@transaction.atomic
def set_installation_site(*, site: str, actor=None, note: str = "") -> Installation:
    if site not in Installation.Site.values:
        raise ValueError(f"site must be one of {Installation.Site.values}")
    row, _created = Installation.objects.update_or_create(
        pk=1, defaults={"site": site, "note": note[:300], "declared_by": getattr(actor, "username", "") or ""})
    record(action="vault.site_declare", actor=actor, target_type="installation", target_id=1,
           details={"site": site})
    return row


def _check_storage(*, actor, terminal, purpose, action: str) -> None:
    storage = get_profile().storage
    if not storage.own_servers_allowed and installation_site() != Installation.Site.DATA_CENTRE:
        raise _refuse("この組織では、特定個人情報等の電子データを組織のサーバに保存できません。"
                      "委託先データセンター（管理区域）に設置されたシステムでのみ登録できます",
                      storage.article, action=action, code="storage_site", actor=actor, terminal=terminal,
                      purpose=purpose)


# --- files ---------------------------------------------------------------------------------------------

def create_file(*, actor, terminal, name: str, tasks: list[str], unit=None, purpose_text: str = "",
                ground: str = "", kind: str = "電子ファイル", responsible=None,
                retention_rule: str = "") -> SpecificFile:
    """特定個人情報ファイルの作成 (002 §18, 004 §10): registered at once, with its own data key."""
    profile = get_profile()
    if not tasks:
        raise FieldErrors({"tasks": "利用目的（事務）を1つ以上選択してください"})
    for task_key in tasks:
        _require(actor=actor, terminal=terminal, purpose=task_key, action="file_create",
                 log_action="vault.file_create")
    if profile.intake.ground_required and not ground.strip() and not all(profile.tasks[t].ground for t in tasks):
        raise _refuse(_("番号法上の根拠（個人番号利用事務等）がない特定個人情報ファイルは作成できません"),
                      profile.intake.ground_article, action="vault.file_create", code="no_ground", actor=actor,
                      terminal=terminal, purpose=tasks[0])
    if retention_rule and retention_rule not in profile.retention_rules:
        raise FieldErrors({"retention_rule": "プロファイルにない保存年限の区分です"})
    with transaction.atomic():
        file = SpecificFile.objects.create(
            name=name, kind=kind, unit=unit, tasks=list(tasks), purpose=purpose_text, ground=ground,
            responsible=responsible or actor, created_by=actor, retention_rule=retention_rule)
        file.data_scope = scope_for(file.pk)
        file.save(update_fields=["data_scope"])
        key_id = get_keyring().create_data_key(file.data_scope)
        record(action="vault.file_create", actor=actor, terminal=terminal, purpose=tasks[0], target_type="file",
               target_id=file.pk, details={"file_id": file.pk, "tasks": list(tasks), "data_key": key_id})
    return file


def dispose_file(*, actor, terminal, purpose: str, file: SpecificFile, reason: str = "") -> list[int]:
    """ファイルの廃棄・削除: marks the file deleted and crypto-shreds its data keys (docs/keys.md).

    Every copy of its records — in this database and in every backup — becomes unreadable once the
    key store backups that still hold the wrapped keys are rotated out.
    """
    _require(actor=actor, terminal=terminal, purpose=purpose, action="delete", file=file,
             log_action="vault.dispose")
    with transaction.atomic():
        count = Person.objects.filter(file=file, deleted_at__isnull=True).count()
        now = timezone.now()
        Person.objects.filter(file=file, deleted_at__isnull=True).update(deleted_at=now)
        file.status = SpecificFile.Status.DELETED
        file.deleted_at = now
        file.save(update_fields=["status", "deleted_at"])
        destroyed = get_keyring().destroy_scope(file.data_scope or scope_for(file.pk))
        record(action="vault.dispose", actor=actor, terminal=terminal, purpose=purpose, target_type="file",
               target_id=file.pk, count=max(count, 1), reason=reason[:300],
               details={"file_id": file.pk, "destroyed_keys": destroyed, "people": count})
    return destroyed


# --- identity verification (004 §8, E-21, E-22) --------------------------------------------------------

def verification_problem(channel: str, evidence: dict) -> str | None:
    """Why the 本人確認 evidence is not enough under the profile, or None when it suffices."""
    iv = get_profile().intake.identity_verification
    if not iv.required:
        return None
    route = evidence.get("route", "documents")
    docs = set(evidence.get("documents") or [])
    if route == "jlis":
        if not iv.jlis_exempt:
            return _("J-LIS からの取得による本人確認の省略は、この組織では認められていません")
        if "jlis" not in (channel or ""):
            return _("本人確認を省略できるのは、J-LIS から取得した個人番号に限られます")
        return None
    if "agent" in (channel or "") and route != "agent" and iv.agent_documents:
        return _("代理人からの提供では、代理権・代理人の身元・本人の番号確認の書類をすべて確認してください")
    if route == "agent":
        given = set(evidence.get("agent_documents") or [])
        missing = [label for key, label in iv.agent_documents.items() if key not in given]
        if missing:
            return "代理人からの提供には、次の書類がすべて必要です: " + "、".join(missing)
        return None
    presentation = evidence.get("presentation", "original")
    if presentation not in ("original", "copy_by_post"):
        return _("書類の提示方法（原本の提示 / 郵送等による写し）を選択してください")
    if presentation == "copy_by_post" and not iv.copies_by_post_allowed:
        return _("写しによる本人確認は認められていません")
    if route == "preprinted":
        if not iv.preprinted_route:
            return _("個人識別事項を印字した書類による身元確認は、この組織では認められていません")
        if not docs & set(iv.number_documents):
            return _("番号確認書類（個人番号カード、通知カード、個人番号が記載された住民票の写し）が必要です")
        if evidence.get("preprinted_match") is not True:
            return _("印字した個人識別事項と番号確認書類の記載が同一であることを確認してください")
        return None
    if route != "documents":
        return _("本人確認の方法が正しくありません")
    if not any(set(s) <= docs for s in iv.document_sets):
        options = [" + ".join(iv.documents.get(k, k) for k in s) for s in iv.document_sets]
        return "本人確認書類の組合せが足りません。次のいずれかが必要です: " + " / ".join(options)
    return None


def _clean_evidence(evidence: dict | None) -> dict:
    """Keep only the known keys of the evidence (document keys and flags, never numbers)."""
    evidence = evidence or {}
    allowed = {"route", "documents", "presentation", "preprinted_match", "preprinted_items", "agent_kind",
               "agent_documents", "note"}
    out = {k: v for k, v in evidence.items() if k in allowed}
    for key in ("documents", "agent_documents"):
        if key in out:
            out[key] = [str(x)[:60] for x in out[key]][:20]
    if "note" in out:
        out["note"] = str(out["note"])[:200]
    return out


# --- intake ---------------------------------------------------------------------------------------------

@dataclass
class IntakeResult:
    person: Person
    duplicate_in_files: list[int] = field(default_factory=list)


def _find_same_number(bi_values: list[int]) -> list[Person]:
    return list(Person.objects.filter(bi_my_number__in=bi_values, deleted_at__isnull=True).only("pk", "file_id"))


class _BulkLoading(Exception):
    """The file is being bulk-loaded (SpecificFile.bulk_loading)."""


def intake_person(*, actor, terminal, purpose: str, file: SpecificFile, values: dict[str, Any],
                  channel: str = "", evidence: dict | None = None, retention_trigger_date: dt.date | None = None,
                  limit_tasks=None) -> IntakeResult:
    """個人番号の取得・入力 (004 §8, §14(1)(3); 002 §28): validated, verified, encrypted, logged.

    A manually entered number stays 確認待ち until a different person confirms it (E-24).
    """
    profile = get_profile()
    common = {"actor": actor, "terminal": terminal, "purpose": purpose}
    decision = _require(action="intake", file=file, limit_tasks=limit_tasks, **common)
    _check_storage(action="vault.intake", **common)
    task = profile.tasks[purpose]
    if profile.intake.ground_required and not (task.ground or file.ground):
        raise _refuse(_("番号法上の根拠（個人番号利用事務等）がないため、個人番号の提供を求めることはできません"),
                      profile.intake.ground_article, action="vault.intake", code="no_ground",
                      target_type="file", target_id=file.pk, **common)
    if profile.intake.channels and channel not in profile.intake.channels:
        raise FieldErrors({"channel": "取得経路を選択してください"}, profile.intake.article)
    codec = PersonCodec.for_file(file.pk, profile=profile)
    mn_key = codec.index_fields.get("my_number", "my_number")
    _mn, mn_error = check_my_number(str(values.get(mn_key) or ""))
    if mn_error == CHECK_DIGIT_MESSAGE:
        # E-23: refused and logged (only the field key, never the digits).
        raise _refuse(CHECK_DIGIT_MESSAGE, _digit_article(profile), action="vault.intake", code="check_digit",
                      target_type="file", target_id=file.pk, details={"fields": [mn_key]}, **common)
    try:
        cleaned = codec.clean(values, allowed=decision.fields | {mn_key})
    except FieldErrors as exc:
        exc.article = exc.article or _digit_article(profile)
        raise
    problem = verification_problem(channel, evidence or {})
    if problem:
        iv = profile.intake.identity_verification
        raise _refuse(problem, iv.article, action="vault.intake", code="identity_verification",
                      target_type="file", target_id=file.pk, **common)
    indexes = codec.indexes(cleaned)
    same = _find_same_number(lookup_digests("my_number", cleaned[mn_key]))
    if any(p.file_id == file.pk for p in same):
        raise _refuse(_("この個人番号は、このファイルに既に登録されています（重複登録はできません）"),
                      profile.intake.article if profile.intake.article != "—" else task.article,
                      action="vault.intake", code="duplicate", target_type="file", target_id=file.pk, **common)
    key_id, blob = codec.encrypt(cleaned)
    needs_second = profile.intake.second_person_confirmation
    now = timezone.now()
    try:
        with transaction.atomic():
            # A bulk import that is loading this file into its own partition (tokutei.bulk) attaches it
            # when it completes; a person added meanwhile would land beside it. The row lock orders this
            # intake against the import's start (which takes the same lock).
            if SpecificFile.objects.select_for_update(no_key=True).filter(pk=file.pk).values_list(
                    "bulk_loading", flat=True).first():
                raise _BulkLoading
            person = Person.objects.create(
                file=file, task=purpose, data=blob, key_id=key_id, **indexes,
                status=Person.Status.UNCONFIRMED if needs_second else Person.Status.CONFIRMED,
                entered_by=actor, entered_at=now, channel=channel, verification=_clean_evidence(evidence),
                retention_trigger_date=retention_trigger_date)
            others = sorted({p.file_id for p in same})
            record(action="vault.intake", target_type="person", target_id=person.pk,
                   details={"file_id": file.pk, "fields": sorted(cleaned), "channel": channel,
                            "route": (evidence or {}).get("route", ""), "status": person.status,
                            "duplicate_in_files": others}, **common)
    except _BulkLoading:
        raise _refuse(_("このファイルには一括取込（J-LIS 一括取得結果）の取込処理が完了していません。"
                        "取込が完了してから登録してください"),
                      profile.intake.article if profile.intake.article != "—" else task.article,
                      action="vault.intake", code="bulk_loading", target_type="file", target_id=file.pk,
                      **common) from None
    except IntegrityError:
        # A concurrent intake of the same number into this file won the race.
        raise _refuse(_("この個人番号は、このファイルに既に登録されています（重複登録はできません）"),
                      profile.intake.article if profile.intake.article != "—" else task.article,
                      action="vault.intake", code="duplicate", target_type="file", target_id=file.pk,
                      **common) from None
    return IntakeResult(person, others)


def _digit_article(profile) -> str:
    """The article for the 桁チェック (004 §14(3)①): the intake article, which covers the input stage."""
    for article in (profile.intake.article, profile.intake.confirmation_article):
        if article not in ("", "—"):
            return article
    return profile.fields["my_number"].article


# --- confirmation (004 §14(3)②, E-24) ------------------------------------------------------------------

def confirm_person(*, actor, terminal, purpose: str, person: Person, method: str, my_number: str = "",
                   matched: bool = False, limit_tasks=None) -> Person:
    """入力者と別の者による確認: 再入力 (must match) or 目視・読合せ (the checker attests the match)."""
    profile = get_profile()
    common = {"actor": actor, "terminal": terminal, "purpose": purpose}
    _require(action="confirm", person=person, limit_tasks=limit_tasks, **common)
    article = profile.intake.confirmation_article
    if person.status == Person.Status.CONFIRMED:
        raise _refuse(_("この記録は既に確認済みです"), article, action="vault.confirm", code="already_confirmed",
                      target_type="person", target_id=person.pk, **common)
    if person.entered_by_id == getattr(actor, "pk", None):
        raise _refuse(_("入力した本人は確認できません。入力者と別の職員が確認してください"), article,
                      action="vault.confirm", code="same_person", target_type="person", target_id=person.pk,
                      **common)
    if method not in (Person.Method.VISUAL, Person.Method.READ_BACK, Person.Method.RE_ENTRY):
        raise FieldErrors({"method": "確認方法を選択してください"}, article)
    if method == Person.Method.RE_ENTRY:
        values = decrypt_person_fields(person.data, file_id=person.file_id)
        mn_key = PersonCodec.for_file(person.file_id, profile=profile).index_fields.get("my_number", "my_number")
        entered, _error = check_my_number(my_number)
        if entered != values.get(mn_key):
            raise _refuse(_("再入力された個人番号が一致しません。原票を確認してください"), article,
                          action="vault.confirm", code="mismatch", target_type="person", target_id=person.pk,
                          **common)
    elif not matched:
        raise FieldErrors({"matched": "個人番号と個人情報が一致していることを確認してください"}, article)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        locked.status = Person.Status.CONFIRMED
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.confirmation_method = method
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "confirmation_method"])
        record(action="vault.confirm", target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "method": method}, **common)
    return locked


# --- reading ---------------------------------------------------------------------------------------------

@dataclass
class ShownField:
    key: str
    label: str
    value: str
    masked: bool = False
    display: str = ""  # for pages: 和暦 added to dates

    def __post_init__(self) -> None:
        self.display = self.display or self.value


@dataclass
class PersonView:
    person: Person
    fields: list[ShownField]
    revealed: bool
    purpose: str


def get_person(*, actor, terminal, purpose: str, pk: Any, action: str = "view", limit_tasks=None) -> Person:
    """The person ``pk`` if the actor may ``action`` it; missing and forbidden look the same (logged)."""
    person = Person.objects.select_related("file").filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        decision = decide(actor=actor, terminal=terminal, purpose=purpose, action=action, limit_tasks=limit_tasks)
        if decision.allowed:
            decision = Decision(False, reason="該当する記録がありません", article=decision.article, code="not_found")
        raise _deny(decision, action=f"vault.{action}", actor=actor, terminal=terminal, purpose=purpose,
                    target_type="person", target_id=str(pk)[:40])
    _require(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person, limit_tasks=limit_tasks)
    return person


def get_file(*, actor, terminal, purpose: str, pk: Any, action: str = "intake", limit_tasks=None) -> SpecificFile:
    """The file ``pk`` if the actor may ``action`` in it; missing and forbidden look the same (logged)."""
    file = SpecificFile.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if file is None:
        decision = decide(actor=actor, terminal=terminal, purpose=purpose, action=action, limit_tasks=limit_tasks)
        if decision.allowed:
            decision = Decision(False, reason="該当する記録がありません", article=decision.article, code="not_found")
        raise _deny(decision, action=f"vault.{action}", actor=actor, terminal=terminal, purpose=purpose,
                    target_type="file", target_id=str(pk)[:40])
    _require(actor=actor, terminal=terminal, purpose=purpose, action=action, file=file, limit_tasks=limit_tasks)
    return file


def view_person(*, actor, terminal, purpose: str, person: Person, reveal: bool = False,
                limit_tasks=None) -> PersonView:
    """照会: only the task's fields (E-03); the 個人番号 masked unless revealed (each reveal logged)."""
    profile = get_profile()
    action = "reveal" if reveal else "view"
    decision = _require(actor=actor, terminal=terminal, purpose=purpose, action=action, person=person,
                        limit_tasks=limit_tasks)
    try:
        values = decrypt_person_fields(person.data, file_id=person.file_id)
    except CryptoError as exc:
        raise NotFoundOrForbidden(decision.article) from exc
    shown: list[ShownField] = []
    for key, spec in profile.fields.items():
        if key not in decision.fields or key not in values:
            continue
        if spec.kind == "my_number" and not reveal:
            shown.append(ShownField(key, spec.ja, MASK, masked=True))
        elif spec.kind == "date":
            shown.append(ShownField(key, spec.ja, values[key], display=_with_wareki(values[key])))
        else:
            shown.append(ShownField(key, spec.ja, values[key]))
    record(action=f"vault.{action}", actor=actor, terminal=terminal, purpose=purpose, target_type="person",
           target_id=person.pk, details={"file_id": person.file_id, "fields": [f.key for f in shown if not f.masked]})
    return PersonView(person, shown, reveal, purpose)


def _with_wareki(iso: str) -> str:
    from tokutei.core.jdates import to_wareki

    try:
        return f"{to_wareki(dt.date.fromisoformat(iso))}（{iso}）"
    except ValueError:
        return iso


def search_people(*, actor, terminal, purpose: str, by: str, value: str = "", kana: str = "",
                  birth_date: str = "", limit_tasks=None, limit: int = 50,
                  bulk_approval_id: int | str | None = None) -> list[Person]:
    """検索: exact blind-index lookups only (個人番号 / 住民票コード / カナ+生年月日 / 組織の番号).

    大量 (000 §9.2, E-05): when the whole result set — not one page — exceeds the profile's bulk threshold,
    the search needs a prior approval naming its scope (``bulk_approval_id``), which it uses up.
    """
    from tokutei.core.sql import select_models

    from .codec import clean_value
    from .policy import usable_files

    decision = _require(actor=actor, terminal=terminal, purpose=purpose, action="search", limit_tasks=limit_tasks)
    try:
        if by == "my_number":
            normalised, error = check_my_number(value)
            if error:
                raise FieldErrors({"value": error})
            digests = lookup_digests("my_number", normalised)
            column = "bi_my_number"
        elif by == "resident_code":
            digests = lookup_digests("resident_code", normalise_resident_code(value))
            column = "bi_resident_code"
        elif by == "kana_birth":
            day = clean_value("date", birth_date)
            folded = normalise_kana(kana)
            if not folded:
                raise FieldErrors({"kana": "カナ氏名を入力してください"})
            digests = lookup_digests("kana_birth", f"{folded}|{day}")
            column = "bi_kana_birth"
        elif by == "org_key":
            digests = lookup_digests("org_key", normalise_org_key(value))
            column = "bi_org_key"
        else:
            raise FieldErrors({"by": "検索方法を選択してください"})
    except ValueError as exc:
        if isinstance(exc, FieldErrors):
            raise
        raise FieldErrors({"birth_date": str(exc)}) from exc
    files = {f.pk: f for f in usable_files(decision, purpose)}
    threshold = get_profile().bulk.threshold
    if threshold is not None:
        from tokutei.approvals.services import check_bulk

        count = Person.objects.filter(**{f"{column}__in": digests}, deleted_at__isnull=True,
                                      file_id__in=list(files)).count() if files else 0
        check_bulk(actor=actor, terminal=terminal, purpose=purpose, count=count,
                   approval_id=bulk_approval_id, operation_label=_("大量の検索"), action="vault.search")
    people: list[Person] = []
    if files and digests:
        # Every lookup runs this: one fixed statement (tokutei.core.sql) instead of a compiled QuerySet; the
        # files were chosen by the policy above, and each person gets its file object (no query later).
        where = (f'"{column}" IN ({", ".join(["%s"] * len(digests))}) AND "deleted_at" IS NULL '
                 f'AND "file_id" IN ({", ".join(["%s"] * len(files))})')
        people = select_models(Person, where, [*digests, *files], order_by='"id"', limit=limit)
        for person in people:
            person.file = files[person.file_id]
    record(action="vault.search", actor=actor, terminal=terminal, purpose=purpose,
           target_type="person" if len(people) == 1 else "", target_id=people[0].pk if len(people) == 1 else "",
           count=len(people), details={"by": by, "person_ids": [p.pk for p in people]})
    return people


# --- correction (002 §12, 001 §4.2) --------------------------------------------------------------------

def correct_person(*, actor, terminal, purpose: str, person: Person, changes: dict[str, Any], instructed_by,
                   reason: str = "", limit_tasks=None) -> PersonCorrection:
    """訂正: on the instruction of ``instructed_by``; old and new values kept, encrypted."""
    profile = get_profile()
    common = {"actor": actor, "terminal": terminal, "purpose": purpose}
    decision = _require(action="correct", person=person, limit_tasks=limit_tasks, **common)
    _check_storage(action="vault.correct", **common)
    if instructed_by is None:
        raise _refuse(_("訂正には指示者（保護管理者等）の記録が必要です"), _correction_article(profile),
                      action="vault.correct", code="no_instruction", target_type="person", target_id=person.pk,
                      **common)
    codec = PersonCodec.for_file(person.file_id, profile=profile)
    mn_key = codec.index_fields.get("my_number", "my_number")
    if mn_key in changes:
        _mn, err = check_my_number(str(changes[mn_key] or ""))
        if err == CHECK_DIGIT_MESSAGE:
            raise _refuse(CHECK_DIGIT_MESSAGE, _digit_article(profile), action="vault.correct",
                          code="check_digit", target_type="person", target_id=person.pk,
                          details={"fields": [mn_key]}, **common)
    new_values = codec.clean(changes, allowed=decision.fields, require=False)
    removed = [k for k, v in changes.items() if k in decision.fields and (v is None or str(v).strip() == "")]
    duplicate = False
    if mn_key in new_values:
        clash = Person.objects.filter(bi_my_number__in=lookup_digests("my_number", new_values[mn_key]),
                                      file_id=person.file_id, deleted_at__isnull=True).exclude(pk=person.pk)
        duplicate = clash.exists()
    _refuse_args = {"action": "vault.correct", "code": "duplicate", "target_type": "person",
                    "target_id": person.pk, **common}
    if duplicate:
        raise _refuse(_("訂正後の個人番号は、このファイルの別の本人に登録されています"),
                      _correction_article(profile), **_refuse_args)
    try:
        return _apply_correction(person=person, codec=codec, profile=profile, mn_key=mn_key, new_values=new_values,
                                 removed=removed, instructed_by=instructed_by, reason=reason, common=common)
    except IntegrityError:
        raise _refuse(_("訂正後の個人番号は、このファイルの別の本人に登録されています"),
                      _correction_article(profile), **_refuse_args) from None


def _apply_correction(*, person, codec, profile, mn_key, new_values, removed, instructed_by, reason, common
                      ) -> PersonCorrection:
    actor = common["actor"]
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        current = decrypt_person_fields(locked.data, file_id=locked.file_id)
        changed = sorted(k for k in set(new_values) | set(removed)
                         if current.get(k) != new_values.get(k))
        if not changed:
            raise FieldErrors({"changes": "変更された項目がありません"})
        if mn_key in removed:
            raise FieldErrors({mn_key: "必須項目です"})
        merged = {**current, **new_values}
        for k in removed:
            merged.pop(k, None)
        key_id, blob = codec.encrypt(merged)
        update = {"data": blob, "key_id": key_id, **codec.indexes(merged)}
        if mn_key in changed and profile.intake.second_person_confirmation:
            update.update(status=Person.Status.UNCONFIRMED, confirmed_by=None, confirmed_at=None,
                          confirmation_method="", entered_by=actor, entered_at=timezone.now())
        for attr, value in update.items():
            setattr(locked, attr, value)
        locked.save(update_fields=list(update))
        hist_key, hist_blob = codec.encrypt({"old": {k: current.get(k) for k in changed},
                                             "new": {k: merged.get(k) for k in changed}})
        correction = PersonCorrection.objects.create(
            person=locked, actor=actor, instructed_by=instructed_by, field_keys=changed, reason=reason[:300],
            values=hist_blob, key_id=hist_key)
        record(action="vault.correct", target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "fields": changed, "instructed_by": instructed_by.pk,
                        "correction_id": correction.pk}, **common)
    person.refresh_from_db()
    return correction


def _correction_article(profile) -> str:
    rule = profile.approvals.get("correction")
    return rule.article if rule else profile.fields["my_number"].article


def correction_values(correction: PersonCorrection) -> dict[str, dict]:
    """The encrypted before/after values of a correction (for an authorised view only)."""
    import json

    from .codec import aad_for
    from .crypto import header_key_id

    sealer = get_keyring().sealer(header_key_id(correction.values))
    return json.loads(sealer.open(correction.values, aad_for(correction.person.file_id)))


# --- deletion (004 §14(6), §15; E-25, E-36) -------------------------------------------------------------

def _retention_rule(profile, person: Person) -> tuple[str, Any]:
    key = person.file.retention_rule
    if key and key in profile.retention_rules:
        return key, profile.retention_rules[key]
    return "", None


def retention_due(profile, rule, trigger: dt.date | None) -> dt.date | None:
    """保存年限の満了日: 004 §15 counts years from the business year after the trigger's."""
    if rule is None or rule.period is None:
        return None
    if rule.trigger == "business_years_after_loss":
        if trigger is None:
            return dt.date.max
        start_month = profile.retention.business_year_start_month
        return rule.period.add_to(fiscal_year_start(fiscal_year(trigger, start_month) + 1, start_month))
    if rule.trigger == "fixed_period" and trigger is not None:
        return rule.period.add_to(trigger)
    return None


def access_history(person: Person) -> list[dict]:
    """The operation-log entries about this person (they contain no personal data)."""
    return [
        {"seq": e.seq, "at": e.at.isoformat(), "action": e.action, "actor": e.actor_username,
         "terminal": e.terminal_name, "purpose": e.purpose, "result": e.result}
        for e in Entry.objects.filter(target_type="person", target_id=str(person.pk)).order_by("seq")
    ]


def request_deletion(*, actor, terminal, purpose: str, person: Person, reason: str = "",
                     limit_tasks=None) -> PersonDeletion:
    """削除: after the 保存年限 (E-36); final at once, or after a second person's check (E-25)."""
    profile = get_profile()
    common = {"actor": actor, "terminal": terminal, "purpose": purpose}
    _require(action="delete", person=person, limit_tasks=limit_tasks, **common)
    rule_key, rule = _retention_rule(profile, person)
    due = retention_due(profile, rule, person.retention_trigger_date)
    if due is not None and timezone.localdate() < due:
        raise _refuse(_("保存年限が満了していないため削除できません"), rule.article, action="vault.delete",
                      code="retention", target_type="person", target_id=person.pk, **common)
    if PersonDeletion.objects.filter(person=person, status=PersonDeletion.Status.PENDING).exists():
        raise _refuse(_("この記録には確認待ちの削除があります"), rule.article if rule else "", action="vault.delete",
                      code="pending", target_type="person", target_id=person.pk, **common)
    second = rule.second_person_check if rule is not None else any(
        r.second_person_check for r in profile.retention_rules.values())
    with transaction.atomic():
        deletion = PersonDeletion.objects.create(person=person, requested_by=actor, reason=reason[:300],
                                                 retention_rule=rule_key)
        record(action="vault.delete", target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "stage": "requested", "deletion_id": deletion.pk,
                        "second_person_check": second}, **common)
        if not second:
            _finalise_deletion(deletion, actor)
    return deletion


def confirm_deletion(*, actor, terminal, purpose: str, deletion: PersonDeletion, limit_tasks=None
                     ) -> PersonDeletion:
    """削除の目視チェック by someone other than the person who deleted (004 §14(6)①, E-25)."""
    profile = get_profile()
    person = deletion.person
    common = {"actor": actor, "terminal": terminal, "purpose": purpose}
    _require(action="delete", person=person, limit_tasks=limit_tasks, **common)
    _key, rule = _retention_rule(profile, person)
    article = rule.article if rule else next(
        (r.article for r in profile.retention_rules.values() if r.second_person_check), "")
    if deletion.status != PersonDeletion.Status.PENDING:
        raise _refuse(_("この削除は既に完了しています"), article, action="vault.delete", code="done",
                      target_type="person", target_id=person.pk, **common)
    if deletion.requested_by_id == actor.pk:
        raise _refuse(_("削除した本人は確認できません。別の職員が目視チェックを行ってください"), article,
                      action="vault.delete", code="same_person", target_type="person", target_id=person.pk,
                      **common)
    with transaction.atomic():
        deletion = PersonDeletion.objects.select_for_update().get(pk=deletion.pk)
        deletion.checked_by = actor
        _finalise_deletion(deletion, actor)
        record(action="vault.delete", target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "stage": "checked", "deletion_id": deletion.pk}, **common)
    return deletion


def _finalise_deletion(deletion: PersonDeletion, actor) -> None:
    """Capture the access history, then erase the record's content (the row stays as a tombstone)."""
    now = timezone.now()
    deletion.access_history = access_history(deletion.person)
    deletion.checked_at = now if deletion.checked_by_id else None
    deletion.status = PersonDeletion.Status.DONE
    deletion.save(update_fields=["access_history", "checked_by", "checked_at", "status"])
    Person.objects.filter(pk=deletion.person_id).update(
        deleted_at=now, data=b"", key_id=0, bi_my_number=None, bi_resident_code=None, bi_kana_birth=None, bi_org_key=None)
