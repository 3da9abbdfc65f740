"""削除: 保存年限, the deletion request and the second person's check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from ..models import Person, PersonDeletion
from .refusals import _refuse

# --- deletion (004 §14(6), §15; E-25, E-36) -------------------------------------------------------------

def _retention_rule(profile, person: Person) -> tuple[str, Any]:
    """The rule of the person's file, else of their task, else of the class (tokutei.retention.schedule)."""
    from tokutei.retention.schedule import rule_for

    return rule_for(profile, "person", file_rule=person.file.retention_rule, task=person.task)


def retention_due(profile, rule, trigger: dt.date | None, *, rule_key: str = "", entered: dt.date | None = None
                  ) -> dt.date | None:
    """保存年限の満了日 (the first day it may be deleted), counted by the one schedule of the retention app.

    None: not determined (no start date, no payment date, not recorded as no longer needed) — never "at once".
    """
    from tokutei.retention.schedule import compute

    if rule is None:
        return None
    event = entered if rule.event in ("acquired", "created") else trigger
    return compute(profile, rule_key, rule, event=event).due

def access_history(person: Person) -> list[dict]:
    """The operation-log entries about this person (they contain no personal data)."""
    return [
        {"seq": e.seq, "at": e.at.isoformat(), "action": e.action, "actor": e.actor_username,
         "terminal": e.terminal_name, "purpose": e.purpose, "result": e.result}
        for e in Entry.objects.filter(target_type="person", target_id=str(person.pk)).order_by("seq")
    ]


def request_deletion(*, actor: Actor, person: Person, reason: str = "") -> PersonDeletion:
    """削除: after the 保存年限 (E-36); final at once, or after a second person's check (E-25)."""
    profile = get_profile()
    require(actor, Action.VAULT_DELETE, person)
    rule_key, rule = _retention_rule(profile, person)
    due = retention_due(profile, rule, person.retention_trigger_date, rule_key=rule_key,
                        entered=timezone.localtime(person.entered_at).date())
    if due is None or timezone.localdate() < due:
        # E-36: before the 保存年限 ends — and never "at once" when the end is not determined.
        raise _refuse(_("保存年限が満了していないため削除できません"), rule.article, action=Action.VAULT_DELETE,
                      code="retention", target_type="person", target_id=person.pk, actor=actor)
    if rule.confirmed_by:
        # 003 §14: the manager confirms the deletion — only the disposal list (tokutei.retention) has that step.
        raise _refuse(_("この記録の削除には管理者の確認が必要です。廃棄リスト（保存期間・廃棄）から削除してください"),
                      rule.article, action=Action.VAULT_DELETE, code="needs_confirmation", target_type="person",
                      target_id=person.pk, actor=actor)
    from tokutei.retention.models import LegalHold

    if LegalHold.objects.filter(released_at__isnull=True).filter(
            models.Q(record_class="person", record_id=str(person.pk)) | models.Q(record_class="person", record_id="",
                                                                               file_id=person.file_id)).exists():
        raise _refuse(_("法的保存中の記録は削除できません"), rule.article, action=Action.VAULT_DELETE, code="held",
                      target_type="person", target_id=person.pk, actor=actor)
    if PersonDeletion.objects.filter(person=person, status=PersonDeletion.Status.PENDING).exists():
        raise _refuse(_("この記録には確認待ちの削除があります"), rule.article, action=Action.VAULT_DELETE,
                      code="pending", target_type="person", target_id=person.pk, actor=actor)
    second = rule.second_person_check
    with transaction.atomic(durable=True):
        deletion = PersonDeletion.objects.create(person=person, requested_by=actor.user, reason=reason[:300],
                                                 retention_rule=rule_key)
        if not second:
            _finalise_deletion(deletion)
        record(action=Action.VAULT_DELETE, target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "stage": "requested",
                        "deletion_id": deletion.pk, "second_person_check": second}, **actor.log_fields())
    return deletion


def confirm_deletion(*, actor: Actor, deletion: PersonDeletion) -> PersonDeletion:
    """削除の目視チェック by someone other than the person who deleted (004 §14(6)①, E-25)."""
    profile = get_profile()
    person = deletion.person
    require(actor, Action.VAULT_DELETE, person)
    _key, rule = _retention_rule(profile, person)
    article = rule.article
    if deletion.status != PersonDeletion.Status.PENDING:
        raise _refuse(_("この削除は既に完了しています"), article, action=Action.VAULT_DELETE, code="done",
                      target_type="person", target_id=person.pk, actor=actor)
    if deletion.requested_by_id == getattr(actor.user, "pk", None):
        raise _refuse(_("削除した本人は確認できません。別の職員が目視チェックを行ってください"), article,
                      action=Action.VAULT_DELETE, code="same_person", target_type="person", target_id=person.pk,
                      actor=actor)
    with transaction.atomic(durable=True):
        deletion = PersonDeletion.objects.select_for_update().get(pk=deletion.pk)
        deletion.checked_by = actor.user
        _finalise_deletion(deletion)
        record(action=Action.VAULT_DELETE, target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "stage": "checked", "deletion_id": deletion.pk},
               **actor.log_fields())
    return deletion


def _finalise_deletion(deletion: PersonDeletion) -> None:
    """Capture the access history, then erase the record's content (the row stays as a tombstone)."""
    now = timezone.now()
    deletion.access_history = access_history(deletion.person)
    deletion.checked_at = now if deletion.checked_by_id else None
    deletion.status = PersonDeletion.Status.DONE
    deletion.save(update_fields=["access_history", "checked_by", "checked_at", "status"])
    from ..tombstones import record_after_commit

    record_after_commit(person_ids=[deletion.person_id])  # replayed by every restore (docs/keys.md §4)
    from ..rotation import request_shredding

    # The old keys go too, once `tokutei keys rotate` has run (docs/keys.md §4): asked for in this transaction.
    request_shredding(file_ids=[deletion.person.file_id], reason=f"deletion:{deletion.pk}")
    Person.objects.filter(pk=deletion.person_id).update(
        deleted_at=now, data=b"", key_id=0, bi_my_number=None, bi_resident_code=None, bi_kana_birth=None, bi_org_key=None)


def erase_people(*, person_ids: list[int]) -> int:
    """Erase the content of these people (the rows stay as tombstones, without blind indexes).

    Called only by the disposal workflow (tokutei.retention) inside its transaction, after its checks.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("erase_people runs inside the disposal workflow's transaction")
    from ..tombstones import record_after_commit

    record_after_commit(person_ids=list(person_ids))  # replayed by every restore (docs/keys.md §4)
    return Person.objects.filter(pk__in=person_ids, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), data=b"", key_id=0, bi_my_number=None, bi_resident_code=None,
        bi_kana_birth=None, bi_org_key=None)


def erase_my_numbers(*, person_ids: list[int], tombstone: bool = True) -> int:
    """Partial disposal (PPC guideline: masking the number): the 個人番号 is erased from these people's
    ciphertext and its blind index dropped; the rest of the record is kept, sealed again under the file's key.

    Called only by the disposal workflow (tokutei.retention, where the rule says ``partial: true``) inside its
    transaction. A tombstone is written too, so a restore of an older backup erases the number again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("erase_my_numbers runs inside the disposal workflow's transaction")
    from ..codec import PersonCodec, decrypt_person_fields
    from ..tombstones import record_after_commit

    profile = get_profile()
    number_keys = [k for k, f in profile.fields.items() if f.kind == "my_number"]
    done = 0
    codecs: dict[int, PersonCodec] = {}
    for person in Person.objects.select_for_update().filter(pk__in=person_ids, deleted_at__isnull=True):
        values = decrypt_person_fields(bytes(person.data), file_id=person.file_id)
        kept = {k: v for k, v in values.items() if k not in number_keys}
        codec = codecs.setdefault(person.file_id, PersonCodec.for_file(person.file_id, profile=profile))
        key_id, blob = codec.encrypt(kept)
        indexes = codec.indexes(kept)
        Person.objects.filter(pk=person.pk).update(data=blob, key_id=key_id, **indexes)
        done += 1
    if tombstone:
        record_after_commit(numbers=list(person_ids))
    return done
