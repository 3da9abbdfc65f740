"""取得・入力: identity verification, intake and the second person's confirmation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from ..codec import (
    CHECK_DIGIT_MESSAGE,
    FieldErrors,
    PersonCodec,
    check_my_number,
    decrypt_person_fields,
    lookup_digests,
)
from ..models import Person, SpecificFile
from .files import _check_storage
from .refusals import _refuse

# --- identity verification (004 §8, E-21, E-22) --------------------------------------------------------

def verification_problem(channel: str, evidence: dict) -> str | None:
    """Why the 本人確認 evidence is not enough under the profile, or None when it suffices."""
    iv = get_profile().intake.identity_verification
    if not iv.required:
        return None
    route = evidence.get("route", "documents")
    docs = set(evidence.get("documents") or [])
    # A document ticked must belong to the route chosen (the page shows only that route's documents; this
    # is what holds without JavaScript, and for the API).
    if route in ("agent", "jlis") and docs:
        return _("選んだ本人確認の方法では「確認した書類」は使いません。その方法の書類だけを選択してください")
    if route != "agent" and evidence.get("agent_documents"):
        return _("代理人の書類は、本人確認の方法が「代理人からの提供」の場合だけ選択してください")
    if route == "preprinted" and docs - set(iv.number_documents):
        return _("個人識別事項を印字した書類の返送では、番号確認書類だけを選択してください")
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


def intake_problems(*, file: SpecificFile, values: dict[str, Any], fields: set[str], channel: str = "",
                    evidence: dict | None = None) -> dict[str, str]:
    """Every problem of an intake entry at once, field by field (``__all__`` for the verification), for the
    form to show beside its fields after :func:`intake_person` refused the first one. Checks only: nothing
    is logged here (the refusal already was), no value is repeated in a message."""
    profile = get_profile()
    problems: dict[str, str] = {}
    if profile.intake.channels and channel not in profile.intake.channels:
        problems["channel"] = "取得経路を選択してください"
    codec = PersonCodec.for_file(file.pk, profile=profile)
    mn_key = codec.index_fields.get("my_number", "my_number")
    _mn, mn_error = check_my_number(str(values.get(mn_key) or ""))
    if mn_error:
        problems[mn_key] = mn_error
    try:
        codec.clean(values, allowed=frozenset(fields | {mn_key}))
    except FieldErrors as exc:
        for key, message in exc.errors.items():
            problems.setdefault(key, message)
    problem = verification_problem(channel, evidence or {})
    if problem:
        problems["__all__"] = problem
    return problems


def intake_person(*, actor: Actor, file: SpecificFile, values: dict[str, Any],
                  channel: str = "", evidence: dict | None = None, retention_trigger_date: dt.date | None = None
                  ) -> IntakeResult:
    """個人番号の取得・入力 (004 §8, §14(1)(3); 002 §28): validated, verified, encrypted, logged.

    A manually entered number stays 確認待ち until a different person confirms it (E-24).
    """
    profile = get_profile()
    purpose = actor.purpose
    decision = require(actor, Action.VAULT_INTAKE, file, target=("file", file.pk))
    _check_storage(action=Action.VAULT_INTAKE, actor=actor)
    task = profile.tasks[purpose]
    if profile.intake.ground_required and not (task.ground or file.ground):
        raise _refuse(_("番号法上の根拠（個人番号利用事務等）がないため、個人番号の提供を求めることはできません"),
                      profile.intake.ground_article, action=Action.VAULT_INTAKE, code="no_ground",
                      target_type="file", target_id=file.pk, actor=actor)
    if profile.intake.channels and channel not in profile.intake.channels:
        raise FieldErrors({"channel": "取得経路を選択してください"}, profile.intake.article)
    codec = PersonCodec.for_file(file.pk, profile=profile)
    mn_key = codec.index_fields.get("my_number", "my_number")
    _mn, mn_error = check_my_number(str(values.get(mn_key) or ""))
    if mn_error == CHECK_DIGIT_MESSAGE:
        # E-23: refused and logged (only the field key, never the digits).
        raise _refuse(CHECK_DIGIT_MESSAGE, _digit_article(profile), action=Action.VAULT_INTAKE, code="check_digit",
                      target_type="file", target_id=file.pk, details={"fields": [mn_key]}, actor=actor)
    try:
        cleaned = codec.clean(values, allowed=decision.fields | {mn_key})
    except FieldErrors as exc:
        exc.article = exc.article or _digit_article(profile)
        raise
    problem = verification_problem(channel, evidence or {})
    if problem:
        iv = profile.intake.identity_verification
        raise _refuse(problem, iv.article, action=Action.VAULT_INTAKE, code="identity_verification",
                      target_type="file", target_id=file.pk, actor=actor)
    indexes = codec.indexes(cleaned)
    same = _find_same_number(lookup_digests("my_number", cleaned[mn_key]))
    if any(p.file_id == file.pk for p in same):
        raise _refuse(_("この個人番号は、このファイルに既に登録されています（重複登録はできません）"),
                      profile.intake.article if profile.intake.article != "—" else task.article,
                      action=Action.VAULT_INTAKE, code="duplicate", target_type="file", target_id=file.pk,
                      actor=actor)
    key_id, blob = codec.encrypt(cleaned)
    needs_second = profile.intake.second_person_confirmation
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            # A bulk import that is loading this file into its own partition (tokutei.bulk) attaches it
            # when it completes; a person added meanwhile would land beside it. The row lock orders this
            # intake against the import's start (which takes the same lock).
            if SpecificFile.objects.select_for_update(no_key=True).filter(pk=file.pk).values_list(
                    "bulk_loading", flat=True).first():
                raise _BulkLoading
            person = Person.objects.create(
                file=file, task=purpose, data=blob, key_id=key_id, **indexes,
                status=Person.Status.UNCONFIRMED if needs_second else Person.Status.CONFIRMED,
                entered_by=actor.user, entered_at=now, channel=channel, verification=_clean_evidence(evidence),
                retention_trigger_date=retention_trigger_date)
            others = sorted({p.file_id for p in same})
            record(action=Action.VAULT_INTAKE, target_type="person", target_id=person.pk,
                   details={"file_id": file.pk, "fields": sorted(cleaned), "channel": channel,
                            "route": (evidence or {}).get("route", ""), "status": person.status,
                            "duplicate_in_files": others}, **actor.log_fields())
    except _BulkLoading:
        raise _refuse(_("このファイルには一括取込（J-LIS 一括取得結果）の取込処理が完了していません。"
                        "取込が完了してから登録してください"),
                      profile.intake.article if profile.intake.article != "—" else task.article,
                      action=Action.VAULT_INTAKE, code="bulk_loading", target_type="file", target_id=file.pk,
                      actor=actor) from None
    except IntegrityError:
        # A concurrent intake of the same number into this file won the race.
        raise _refuse(_("この個人番号は、このファイルに既に登録されています（重複登録はできません）"),
                      profile.intake.article if profile.intake.article != "—" else task.article,
                      action=Action.VAULT_INTAKE, code="duplicate", target_type="file", target_id=file.pk,
                      actor=actor) from None
    return IntakeResult(person, others)


def _digit_article(profile) -> str:
    """The article for the 桁チェック (004 §14(3)①): the intake article, which covers the input stage."""
    for article in (profile.intake.article, profile.intake.confirmation_article):
        if article not in ("", "—"):
            return article
    return profile.fields["my_number"].article


# --- confirmation (004 §14(3)②, E-24) ------------------------------------------------------------------

CHECKS = (Person.Method.VISUAL, Person.Method.READ_BACK, Person.Method.RE_ENTRY)


def confirm_person(*, actor: Actor, person: Person, method: str = "", checks: list[str] | None = None,
                   my_number: str = "", matched: bool = False) -> Person:
    """入力者と別の者による確認: 再入力 (must match) and/or 目視・読合せ (the checker attests the match).

    ``checks`` are the checks made (``method``: one check, as before); the profile's ``confirmation_checks``
    are required (004 §14(3)②: 目視 and 読合せ, E-24); a missing one is refused, citing the profile's
    ``confirmation_article``, and logged. 再入力 must match the stored number (never shown, never echoed).
    The checks are kept on the record (``confirmation_checks``, shown on its page and in the API) and in the log
    entry, and so in the handling-status record's row of the confirmation (method, checker).
    """
    profile = get_profile()
    made = list(dict.fromkeys([*(checks or []), *([method] if method else [])]))
    require(actor, Action.VAULT_CONFIRM, person)
    article = profile.intake.confirmation_article
    if person.status == Person.Status.CONFIRMED:
        raise _refuse(_("この記録は既に確認済みです"), article, action=Action.VAULT_CONFIRM, code="already_confirmed",
                      target_type="person", target_id=person.pk, actor=actor)
    if person.entered_by_id == getattr(actor.user, "pk", None):
        raise _refuse(_("入力した本人は確認できません。入力者と別の職員が確認してください"), article,
                      action=Action.VAULT_CONFIRM, code="same_person", target_type="person", target_id=person.pk,
                      actor=actor)
    if not made or any(c not in CHECKS for c in made):
        raise FieldErrors({"method": "確認方法を選択してください"}, article)
    missing = [c for c in profile.intake.confirmation_checks if c not in made]
    if missing:
        raise _refuse(_("次の確認が記録されていません: %(checks)s")
                      % {"checks": "、".join(str(Person.Method(c).label) for c in missing)}, article,
                      action=Action.VAULT_CONFIRM, code="checks_missing", target_type="person", target_id=person.pk,
                      details={"checks": made, "missing": missing}, actor=actor)
    if Person.Method.RE_ENTRY in made:
        values = decrypt_person_fields(person.data, file_id=person.file_id)
        mn_key = PersonCodec.for_file(person.file_id, profile=profile).index_fields.get("my_number", "my_number")
        entered, _error = check_my_number(my_number)
        if entered != values.get(mn_key):
            raise _refuse(_("再入力された個人番号が一致しません。原票を確認してください"), article,
                          action=Action.VAULT_CONFIRM, code="mismatch", target_type="person", target_id=person.pk,
                          actor=actor)
    if (Person.Method.VISUAL in made or Person.Method.READ_BACK in made) and not matched:
        raise FieldErrors({"matched": "個人番号と個人情報が一致していることを確認してください"}, article)
    method = made[0]
    with transaction.atomic(durable=True):
        locked = Person.objects.select_for_update().get(pk=person.pk)
        locked.status = Person.Status.CONFIRMED
        locked.confirmed_by = actor.user
        locked.confirmed_at = timezone.now()
        locked.confirmation_method = method
        locked.confirmation_checks = ",".join(made)  # every check made, shown with the record (E-24)
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "confirmation_method",
                                   "confirmation_checks"])
        record(action=Action.VAULT_CONFIRM, target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "method": "・".join(str(Person.Method(c).label) for c in made),
                        "checks": made, "checker": actor.username}, **actor.log_fields())
    return locked
