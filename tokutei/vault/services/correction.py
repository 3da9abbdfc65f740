"""訂正: corrections on instruction, old and new values kept encrypted."""

from __future__ import annotations

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
from ..keys import get_keyring
from ..models import Person, PersonCorrection
from .files import _check_storage
from .intake import _digit_article
from .refusals import _refuse

# --- correction (002 §12, 001 §4.2) --------------------------------------------------------------------

def correct_person(*, actor: Actor, person: Person, changes: dict[str, Any], instructed_by=None,
                   approval_id: int | str | None = None, reason: str = "") -> PersonCorrection:
    """訂正: on the instruction of ``instructed_by``; old and new values kept, encrypted.

    Where the profile names who instructs a correction (``approvals.correction``: 002 §12, the 保護管理者), the
    instruction is that recorded approval (``approval_id``), decided before the correction and used by it
    once; its approver is the instructor, whoever the caller names. Elsewhere ``instructed_by`` is recorded.
    """
    profile = get_profile()
    decision = require(actor, Action.VAULT_CORRECT, person)
    _check_storage(action=Action.VAULT_CORRECT, actor=actor)
    instruction, instructor = _recorded_instruction(actor=actor, person=person, approval_id=approval_id)
    if instruction is not None:
        instructed_by = instructor
    if instructed_by is None:
        raise _refuse(_("訂正には指示者（保護管理者等）の記録が必要です"), _correction_article(profile),
                      action=Action.VAULT_CORRECT, code="no_instruction", target_type="person",
                      target_id=person.pk, actor=actor)
    if instruction is None and not _may_instruct(instructed_by, profile):
        raise _refuse(_("訂正を指示できるのは、%(roles)s の職にある者です") % {
            "roles": "・".join(profile.roles[r].ja for r in profile.correction_instructor_roles() if r in profile.roles)},
            _correction_article(profile), action=Action.VAULT_CORRECT, code="instructor_role",
            target_type="person", target_id=person.pk, actor=actor)
    codec = PersonCodec.for_file(person.file_id, profile=profile)
    mn_key = codec.index_fields.get("my_number", "my_number")
    if mn_key in changes:
        _mn, err = check_my_number(str(changes[mn_key] or ""))
        if err == CHECK_DIGIT_MESSAGE:
            raise _refuse(CHECK_DIGIT_MESSAGE, _digit_article(profile), action=Action.VAULT_CORRECT,
                          code="check_digit", target_type="person", target_id=person.pk,
                          details={"fields": [mn_key]}, actor=actor)
    new_values = codec.clean(changes, allowed=decision.fields, require=False)
    removed = [k for k, v in changes.items() if k in decision.fields and (v is None or str(v).strip() == "")]
    duplicate = False
    if mn_key in new_values:
        clash = Person.objects.filter(bi_my_number__in=lookup_digests("my_number", new_values[mn_key]),
                                      file_id=person.file_id, deleted_at__isnull=True).exclude(pk=person.pk)
        duplicate = clash.exists()
    _refuse_args: dict[str, Any] = {"action": Action.VAULT_CORRECT, "code": "duplicate", "target_type": "person",
                    "target_id": person.pk, "actor": actor}
    if duplicate:
        raise _refuse(_("訂正後の個人番号は、このファイルの別の本人に登録されています"),
                      _correction_article(profile), **_refuse_args)
    try:
        return _apply_correction(person=person, codec=codec, profile=profile, mn_key=mn_key, new_values=new_values,
                                 removed=removed, instructed_by=instructed_by, reason=reason, actor=actor,
                                 instruction=instruction)
    except IntegrityError:
        raise _refuse(_("訂正後の個人番号は、このファイルの別の本人に登録されています"),
                      _correction_article(profile), **_refuse_args) from None


def _recorded_instruction(*, actor: Actor, person: Person, approval_id):
    """(approval, its approver) where the profile names who instructs a correction (002 §12); (None, None)
    elsewhere. The approval must be decided for this task (and this person, where it names one)."""
    from tokutei.approvals import services as approvals

    if approvals.rule_for(CORRECTION) is None:
        return None, None

    def scope(particulars: dict[str, Any]) -> str | None:
        if particulars.get("purpose") not in (None, actor.purpose):
            return _("事務（目的）が指示と異なります")
        if particulars.get("person_id") not in (None, person.pk):
            return _("訂正する本人が指示と異なります")
        return None

    req = approvals.require_approval(operation=CORRECTION, actor=actor, approval_id=approval_id,
                                     particulars_check=scope, action=Action.VAULT_CORRECT, target_type="person",
                                     target_id=person.pk)
    assert req is not None  # the profile requires the approval: require_approval refused otherwise
    last = req.decisions.filter(decision="approve").select_related("approver").order_by("-step_index").first()
    return req, (last.approver if last is not None else None)


CORRECTION = "correction"  # the approvals operation of a correction's instruction (002 §12)


def _apply_correction(*, person, codec, profile, mn_key, new_values, removed, instructed_by, reason,
                      actor: Actor, instruction=None) -> PersonCorrection:
    with transaction.atomic(durable=True):
        if instruction is not None:  # the recorded instruction is used by this correction, once
            from tokutei.approvals import services as approvals

            approvals.consume_approval(request_id=instruction.pk, operation=CORRECTION, actor=actor)
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
                          confirmation_method="", confirmation_checks="", entered_by=actor.user,
                          entered_at=timezone.now())
        for attr, value in update.items():
            setattr(locked, attr, value)
        locked.save(update_fields=list(update))
        hist_key, hist_blob = codec.encrypt({"old": {k: current.get(k) for k in changed},
                                             "new": {k: merged.get(k) for k in changed}})
        correction = PersonCorrection.objects.create(
            person=locked, actor=actor.user, instructed_by=instructed_by, field_keys=changed, reason=reason[:300],
            values=hist_blob, key_id=hist_key)
        record(action=Action.VAULT_CORRECT, target_type="person", target_id=person.pk,
               details={"file_id": person.file_id, "fields": changed, "instructed_by": instructed_by.pk,
                        "correction_id": correction.pk, "status": locked.status,
                        "instruction_id": instruction.pk if instruction is not None else None}, **actor.log_fields())
    person.refresh_from_db()
    return correction


def _correction_article(profile) -> str:
    rule = profile.approvals.get("correction")
    if rule:
        return rule.article
    return profile.correction.article if profile.correction.article != "—" else profile.fields["my_number"].article


def instructors(*, exclude=None) -> list:
    """The people who may instruct a correction: holders of the profile's ``correction.instructor_roles``
    in force (002 §12: the 保護管理者), active, by name — never the one correcting."""
    from tokutei.staff.models import User
    from tokutei.staff.selectors import holders_of

    ids: set[int] = set()
    for role in get_profile().correction_instructor_roles():
        ids.update(holders_of(role).values_list("pk", flat=True))
    people = User.objects.filter(pk__in=ids).order_by("username")
    return list(people.exclude(pk=exclude.pk) if exclude is not None else people)


def _may_instruct(user, profile) -> bool:
    from tokutei.staff.selectors import has_role

    return user is not None and getattr(user, "is_active", False) and has_role(
        user, profile.correction_instructor_roles())


def correction_values(correction: PersonCorrection) -> dict[str, dict]:
    """The encrypted before/after values of a correction (for an authorised view only)."""
    import json

    from ..codec import aad_for
    from ..crypto import header_key_id

    sealer = get_keyring().sealer(header_key_id(correction.values))
    return json.loads(sealer.open(correction.values, aad_for(correction.person.file_id)))
