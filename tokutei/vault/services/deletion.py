"""削除: 保存年限, the deletion request and the second person's check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record
from tokutei.core.jdates import fiscal_year, fiscal_year_start
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from ..models import Person, PersonDeletion
from .refusals import _refuse

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


def request_deletion(*, actor: Actor, person: Person, reason: str = "") -> PersonDeletion:
    """削除: after the 保存年限 (E-36); final at once, or after a second person's check (E-25)."""
    profile = get_profile()
    require(actor, Action.VAULT_DELETE, person)
    rule_key, rule = _retention_rule(profile, person)
    due = retention_due(profile, rule, person.retention_trigger_date)
    if due is not None and timezone.localdate() < due:
        raise _refuse(_("保存年限が満了していないため削除できません"), rule.article, action=Action.VAULT_DELETE,
                      code="retention", target_type="person", target_id=person.pk, actor=actor)
    if PersonDeletion.objects.filter(person=person, status=PersonDeletion.Status.PENDING).exists():
        raise _refuse(_("この記録には確認待ちの削除があります"), rule.article if rule else "", action=Action.VAULT_DELETE,
                      code="pending", target_type="person", target_id=person.pk, actor=actor)
    second = rule.second_person_check if rule is not None else any(
        r.second_person_check for r in profile.retention_rules.values())
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
    article = rule.article if rule else next(
        (r.article for r in profile.retention_rules.values() if r.second_person_check), "")
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
    Person.objects.filter(pk=deletion.person_id).update(
        deleted_at=now, data=b"", key_id=0, bi_my_number=None, bi_resident_code=None, bi_kana_birth=None, bi_org_key=None)
