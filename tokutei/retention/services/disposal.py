"""Disposal as a workflow: the one way any record is disposed of or deleted (R-RET-2 – R-RET-8).

draft (from the worklist) → the second person's check with the captured access history (004 §14(6)①②,
E-25) → the 保護管理者's confirmation where a rule names ``confirmed_by`` (003 §14) → execution, which
writes a disposal record per item (date, item, method, who did it, who checked it, witness) → for a
vendor's disposal, its certificate before the list can close (002 §14.2, 004 §9.2, E-32).

Every step re-reads each item's schedule: nothing is disposed of before its due date or while on hold
(E-36). Refusals are logged and cite the article of the rule concerned, from the profile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.policy import Actor, decide, require
from tokutei.profiles.selectors import get_profile

from ..models import DisposalItem, DisposalList
from ..schedule import OPERATION_LOG, rule_for, today
from ..selectors import Item, find_item, kept_ids, person_ids, worklist
from . import kept

# Record classes disposed of through a disposal list: every class of the profile's schedule. The operation log
# alone is not: it has its own retention, purged by ``tokutei log purge`` (E-35), and its entries stay.
KEPT = {"handling_record", "register_entry", "approval"}  # kept records about handling (services/kept.py)
EXECUTABLE = {"person", "file", "medium", "document", "export", "temporary_copy", *KEPT}
# The medium class (profile ``retention.methods.*.media``) of each record class.
MEDIA_OF = {"person": "electronic", "file": "electronic", "export": "electronic", "temporary_copy": "electronic",
            "document": "paper", "handling_record": "electronic", "register_entry": "electronic",
            "approval": "electronic"}
MEDIUM_KIND_MEDIA = {"paper": "paper", "built_in": "computer"}  # other kinds of Medium: "media"


def _no(actor: Actor, message: str, article: str, *, action: Action, code: str, target: tuple[str, Any] = ("", ""),
        details: dict | None = None) -> Refused:
    return refuse(message, action=action, article=article, code=code, **actor.log_fields(),
                  target_type=target[0], target_id=target[1], details={"channel": actor.channel.value,
                                                                        **(details or {})})


def digest(record_class: str, record_id: str, content: bytes = b"") -> str:
    """A keyed digest naming a record on a certificate: it proves which record went, reveals nothing."""
    key = hashlib.sha256(b"tokutei-disposal-digest:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{record_class}:{record_id}:".encode() + hashlib.sha256(content).digest(),
                    hashlib.sha256).hexdigest()


def _content(record_class: str, record_id: str, ids: list[int] | None = None) -> bytes:
    if ids:
        return ",".join(str(i) for i in ids).encode()
    if record_class == "person":
        from tokutei.vault.models import Person

        return bytes(Person.objects.filter(pk=int(record_id)).values_list("data", flat=True).first() or b"")
    return b""


def media_of(item: DisposalItem | Item) -> str:
    if item.record_class == "medium":
        from tokutei.registers.models import Medium

        kind = Medium.objects.filter(pk=int(item.ids[0] if isinstance(item, Item) else item.record_id)
                                     ).values_list("kind", flat=True).first()
        return MEDIUM_KIND_MEDIA.get(kind or "", "media")
    return MEDIA_OF.get(item.record_class, "electronic")


def methods_for(item: DisposalItem) -> dict[str, Any]:
    """The methods the item's rule allows that suit its medium (R-RET-4)."""
    profile = get_profile()
    rule = profile.retention_rules.get(item.rule_key)
    keys = rule.methods if rule is not None else []
    medium = media_of(item)
    return {k: profile.retention.methods[k] for k in keys if medium in profile.retention.methods[k].media}


# --- draft ---------------------------------------------------------------------------------------------

def draft_from_worklist(*, actor: Actor, title: str = "", record_class: str | None = None,
                        file_id: int | None = None) -> DisposalList:
    """A disposal list of everything due or overdue today (optionally one class, one file)."""
    require(actor, Action.DISPOSAL_DRAFT)
    items = [i for i in worklist(get_profile(), statuses={"due", "overdue"}, record_class=record_class)
             if i.record_class in EXECUTABLE and (file_id is None or i.file_id == file_id)]
    refs: list[tuple[str, str]] = []
    listed = _open_kept_ids()
    for item in items:
        if item.record_class == "person":
            refs.extend(("person", str(pk)) for pk in person_ids(item))
        elif item.record_class in KEPT:  # a day's group whose records all stay (or are listed) is left out
            refs.extend((item.record_class, rid) for rid in item.ids
                        if set(kept.disposable_ids(item.record_class, kept_ids(item.record_class, rid)))
                        - listed.get(item.record_class, set()))
        else:
            refs.extend((item.record_class, rid) for rid in item.ids)
    return draft_list(actor=actor, refs=refs, title=title)


def draft_list(*, actor: Actor, refs: list[tuple[str, str]], title: str = "") -> DisposalList:
    """廃棄リストの作成: only records whose retention has ended and that are not on hold (E-36)."""
    decision = require(actor, Action.DISPOSAL_DRAFT)
    profile = get_profile()
    if not refs:
        raise _no(actor, _("廃棄できる記録がありません"), decision.article, action=Action.DISPOSAL_DRAFT, code="empty")
    day = today()
    open_refs = set(DisposalItem.objects.exclude(disposal__status__in=[DisposalList.Status.CLOSED,
                                                                       DisposalList.Status.CANCELLED])
                    .exclude(status=DisposalItem.Status.DONE).values_list("record_class", "record_id"))
    open_ids = _open_kept_ids()
    found: list[tuple[str, str, Item]] = []
    ids_of: dict[tuple[str, str], list[int]] = {}
    for record_class, record_id in dict.fromkeys(refs):
        target = (record_class, record_id)
        if record_class not in EXECUTABLE:
            article = profile.retention.article if record_class == OPERATION_LOG else decision.article
            raise _no(actor, _("この区分の記録は廃棄リストでは廃棄できません"), article,
                      action=Action.DISPOSAL_DRAFT, code="not_executable", target=target)
        item = find_item(profile, record_class, record_id, day)
        if item is None:
            raise _no(actor, _("該当する記録がありません"), decision.article, action=Action.DISPOSAL_DRAFT,
                      code="not_found", target=target)
        if not item.schedule.disposable_on(day):
            message = (_("法的保存中の記録は廃棄できません") if item.schedule.held
                       else _("保存期間が満了していない記録は廃棄できません"))
            raise _no(actor, message, item.schedule.rule.article, action=Action.DISPOSAL_DRAFT, code="retention",
                      target=target, details={"due": item.schedule.due.isoformat() if item.schedule.due else None})
        if record_class in KEPT:
            ids = kept.disposable_ids(record_class, kept_ids(record_class, record_id))
            if not ids:
                raise _no(actor, _("この記録は、訂正後の記録又はこの記録を参照する記録を保存している間は廃棄できません"),
                          item.schedule.rule.article, action=Action.DISPOSAL_DRAFT, code="kept_with", target=target)
            listed = set(ids) & open_ids.get(record_class, set())
            ids = [i for i in ids if i not in listed]
            if not ids:
                raise _no(actor, _("この記録は既に別の廃棄リストに載っています"), item.schedule.rule.article,
                          action=Action.DISPOSAL_DRAFT, code="listed", target=target)
            ids_of[(record_class, record_id)] = ids
        if (record_class, record_id) in open_refs:
            raise _no(actor, _("この記録は既に別の廃棄リストに載っています"), item.schedule.rule.article,
                      action=Action.DISPOSAL_DRAFT, code="listed", target=target)
        found.append((record_class, record_id, item))
    rules = [i.schedule.rule for _c, _r, i in found]
    with transaction.atomic(durable=True):
        disposal = DisposalList.objects.create(
            title=(title or _("廃棄リスト"))[:200], drafted_by=actor.user,
            needs_check=any(r.second_person_check for r in rules),
            confirm_roles=sorted({role for r in rules for role in r.confirmed_by}))
        DisposalItem.objects.bulk_create([
            DisposalItem(disposal=disposal, record_class=c, record_id=r, file_id=i.file_id, unit_name=i.unit_name[:100],
                         label=i.label[:200], digest=digest(c, r, _content(c, r, ids_of.get((c, r)))),
                         rule_key=i.schedule.rule_key, article=i.schedule.rule.article, due=i.schedule.due or day,
                         count=len(ids_of[(c, r)]) if (c, r) in ids_of else i.count,
                         record_ids=ids_of.get((c, r), []))
            for c, r, i in found])
        record(action=Action.DISPOSAL_DRAFT, target_type="disposal_list", target_id=disposal.pk, count=len(found),
               details={"items": len(found), "needs_check": disposal.needs_check,
                        "confirm_roles": disposal.confirm_roles}, **actor.log_fields())
    return disposal


def _open_kept_ids() -> dict[str, set[int]]:
    """The kept records already on an open disposal list, per class."""
    listed: dict[str, set[int]] = {}
    rows = (DisposalItem.objects.filter(record_class__in=KEPT).exclude(status=DisposalItem.Status.DONE)
            .exclude(disposal__status__in=[DisposalList.Status.CLOSED, DisposalList.Status.CANCELLED])
            .values_list("record_class", "record_ids"))
    for record_class, ids in rows:
        listed.setdefault(record_class, set()).update(int(i) for i in ids)
    return listed


def _list(actor: Actor, action: Action, disposal_id: int) -> DisposalList:
    disposal = DisposalList.objects.filter(pk=disposal_id).first()
    if disposal is None:
        raise _no(actor, _("該当する廃棄リストがありません"), "", action=action, code="not_found",
                  target=("disposal_list", disposal_id))
    return disposal


def _article(disposal: DisposalList, *, want: str) -> str:
    """The article of the items' rule that asks for this step (the second person, the confirmation)."""
    profile = get_profile()
    for item in disposal.items.all():
        rule = profile.retention_rules.get(item.rule_key)
        if rule is None:
            continue
        if (want == "check" and rule.second_person_check) or (want == "confirm" and rule.confirmed_by):
            return rule.article
    return disposal.items.values_list("article", flat=True).first() or profile.retention.article


# --- the second person's check (004 §14(6)①②, E-25) ------------------------------------------------------

def access_history(record_class: str, record_id: str, ids: list[int] | None = None) -> list[dict]:
    """The operation-log entries about a record, or about each of ``ids`` (they hold no personal data)."""
    targets = [str(i) for i in ids] if ids else [str(record_id)]
    return [{"seq": e.seq, "at": e.at.isoformat(), "action": e.action, "actor": e.actor_username,
             "terminal": e.terminal_name, "purpose": e.purpose, "result": e.result,
             **({"target_id": e.target_id} if ids else {})}
            for e in Entry.objects.filter(target_type=record_class, target_id__in=targets).order_by("seq")]


def check_list(*, actor: Actor, disposal_id: int, note: str = "") -> DisposalList:
    """The visual check by someone other than the drafter; the access history of each item is captured."""
    require(actor, Action.DISPOSAL_CHECK, target=("disposal_list", disposal_id))
    disposal = _list(actor, Action.DISPOSAL_CHECK, disposal_id)
    article = _article(disposal, want="check")
    target = ("disposal_list", disposal.pk)
    if disposal.status != DisposalList.Status.DRAFT:
        raise _no(actor, _("この廃棄リストは確認できる状態ではありません"), article, action=Action.DISPOSAL_CHECK,
                  code="state", target=target)
    if disposal.drafted_by_id == actor.user.pk:
        raise _no(actor, _("廃棄リストを作成した本人は確認できません。別の職員が目視で確認してください"), article,
                  action=Action.DISPOSAL_CHECK, code="same_person", target=target)
    with transaction.atomic(durable=True):
        locked = DisposalList.objects.select_for_update().get(pk=disposal.pk)
        if locked.status != DisposalList.Status.DRAFT:
            raise Refused(_("この廃棄リストは確認できる状態ではありません"), article=article, code="state")
        for item in locked.items.all():
            item.access_history = access_history(item.record_class, item.record_id, item.record_ids)
            item.save(update_fields=["access_history"])
        locked.status = DisposalList.Status.CHECKED
        locked.checked_by = actor.user
        locked.checked_at = timezone.now()
        locked.check_note = note[:300]
        locked.save(update_fields=["status", "checked_by", "checked_at", "check_note"])
        record(action=Action.DISPOSAL_CHECK, target_type="disposal_list", target_id=locked.pk,
               count=locked.items.count(), article=article, **actor.log_fields())
    return locked


# --- the 保護管理者's confirmation (003 §14) ---------------------------------------------------------------

def confirm_list(*, actor: Actor, disposal_id: int) -> DisposalList:
    decision = require(actor, Action.DISPOSAL_CONFIRM, target=("disposal_list", disposal_id))
    disposal = _list(actor, Action.DISPOSAL_CONFIRM, disposal_id)
    article = _article(disposal, want="confirm")
    target = ("disposal_list", disposal.pk)
    ready = DisposalList.Status.CHECKED if disposal.needs_check else DisposalList.Status.DRAFT
    if disposal.status not in (ready, DisposalList.Status.CHECKED):
        message = (_("別の者による確認が済んでいません") if disposal.status == DisposalList.Status.DRAFT
                   else _("この廃棄リストは承認できる状態ではありません"))
        raise _no(actor, message, article, action=Action.DISPOSAL_CONFIRM, code="state", target=target)
    wanted = set(disposal.confirm_roles)
    if wanted and not (decision.roles & wanted):
        raise _no(actor, _("この廃棄の確認は、プロファイルが定める管理者が行います"), article,
                  action=Action.DISPOSAL_CONFIRM, code="role", target=target)
    if decision.units is not None:  # a unit-scoped 保護管理者 confirms the records of their own unit only
        from tokutei.vault.models import SpecificFile

        file_ids = {i for i in disposal.items.values_list("file_id", flat=True) if i is not None}
        outside = SpecificFile.objects.filter(pk__in=file_ids).exclude(unit_id__in=decision.units).exists()
        if outside:
            raise _no(actor, _("他の課の記録を含む廃棄リストは確認できません"), article,
                      action=Action.DISPOSAL_CONFIRM, code="unit", target=target)
    with transaction.atomic(durable=True):
        locked = DisposalList.objects.select_for_update().get(pk=disposal.pk)
        locked.status = DisposalList.Status.CONFIRMED
        locked.confirmed_by = actor.user
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record(action=Action.DISPOSAL_CONFIRM, target_type="disposal_list", target_id=locked.pk, article=article,
               **actor.log_fields())
    return locked


# --- execution --------------------------------------------------------------------------------------------

def execute_list(*, actor: Actor, disposal_id: int, method: str, witness=None, vendor: str = "",
                 partial: bool = False) -> DisposalList:
    """廃棄・削除の実施: each item by ``method``, recorded item by item; a vendor's awaits its certificate.

    ``partial``: only the 個人番号 of each person is erased and the rest of the record kept — where every
    item's rule allows it (``partial: true``, the PPC guideline's masking of the number)."""
    require(actor, Action.DISPOSAL_EXECUTE, target=("disposal_list", disposal_id))
    profile = get_profile()
    disposal = _list(actor, Action.DISPOSAL_EXECUTE, disposal_id)
    target = ("disposal_list", disposal.pk)

    def no(message: str, article: str, code: str) -> Refused:
        return _no(actor, message, article, action=Action.DISPOSAL_EXECUTE, code=code, target=target)

    if disposal.needs_check and disposal.checked_by_id is None:
        raise no(_("別の者による目視確認とアクセス履歴の取得が済んでいないため、削除できません"),
                 _article(disposal, want="check"), "no_check")
    if disposal.needs_check and disposal.checked_by_id == actor.user.pk:
        raise no(_("確認した本人は削除を実施できません。確認者以外の職員が実施してください"),
                 _article(disposal, want="check"), "same_person")
    if disposal.confirm_roles and disposal.confirmed_by_id is None:
        raise no(_("管理者による確認が済んでいないため、廃棄できません"), _article(disposal, want="confirm"),
                 "no_confirmation")
    ready = {DisposalList.Status.CONFIRMED} if disposal.confirm_roles else {
        DisposalList.Status.CHECKED if disposal.needs_check else DisposalList.Status.DRAFT,
        DisposalList.Status.CONFIRMED}
    if disposal.status not in ready:
        raise no(_("この廃棄リストは実施できる状態ではありません"), profile.retention.article, "state")
    chosen = profile.retention.methods.get(method)
    if chosen is None:
        raise no(_("廃棄・削除の方法を選んでください"), profile.retention.article, "method")
    items = list(disposal.items.filter(status=DisposalItem.Status.PENDING))
    day = today()
    if partial:
        for item in items:
            rule = profile.retention_rules.get(item.rule_key)
            if item.record_class != "person" or rule is None or not rule.partial:
                raise no(_("この記録は個人番号のみの消去（一部の廃棄）ができません"), item.article, "partial")
    for item in items:
        if method not in methods_for(item):
            raise no(_("この方法はこの記録の廃棄には使えません"), item.article or chosen.article, "method")
        current = find_item(profile, item.record_class, item.record_id, day)
        if current is None or not current.schedule.disposable_on(day):
            raise no(_("保存期間が満了していない記録、又は法的保存中の記録が含まれています"), item.article, "retention")
        if item.record_class in KEPT:  # a correction or a referring record added since the draft keeps its row
            going = kept.disposable_ids(item.record_class, [int(i) for i in item.record_ids])
            if going != item.record_ids:
                item.record_ids, item.count = going, len(going)
                item.digest = digest(item.record_class, item.record_id, _content(item.record_class, "", going))
    if chosen.witness and (witness is None or witness.pk == actor.user.pk):
        raise no(_("この方法では、実施者以外の立会者を記録してください"), chosen.article, "witness")
    if chosen.vendor and not vendor.strip():
        raise no(_("委託先の名称を記録してください"), chosen.article, "vendor")
    now = timezone.now()
    with transaction.atomic(durable=True):
        locked = DisposalList.objects.select_for_update().get(pk=disposal.pk)
        if locked.status not in ready:
            raise Refused(_("この廃棄リストは実施できる状態ではありません"), code="state")
        for item in items:
            _dispose(item, actor=actor, method_label=chosen.ja, witness=witness, partial=partial)
            item.status = DisposalItem.Status.AWAITING_CERTIFICATE if chosen.vendor else DisposalItem.Status.DONE
            label = chosen.ja + (_("（個人番号のみ消去）") if partial else "")
            item.method, item.method_label, item.vendor = method, label[:200], vendor.strip()[:200]
            item.witness, item.executed_by, item.executed_at = witness, actor.user, now
            item.save(update_fields=["status", "method", "method_label", "vendor", "witness", "executed_by",
                                     "executed_at", "record_ids", "count", "digest"])
            record(action=Action.DISPOSAL_EXECUTE, target_type=item.record_class, target_id=item.record_id,
                   count=item.count, article=item.article,
                   details={"disposal_id": locked.pk, "item_id": item.pk, "method_key": method, "digest": item.digest,
                            # what the handling-status record (別紙1) shows: the method, the list, who checked
                            "method": item.method_label, "item": _("廃棄リスト No.%(n)s") % {"n": locked.pk},
                            "checker": locked.checked_by.username if locked.checked_by else "",
                            "partial": partial, **_id_span(item),
                            "witness_id": getattr(witness, "pk", None), "vendor": bool(chosen.vendor)},
                   **actor.log_fields())
        # People erased: a rotation that destroys the files' previous data keys and the previous index key
        # (docs/keys.md §4) — asked for in this transaction, run after the commit by `tokutei keys rotate`.
        erased_files = sorted({i.file_id for i in items if i.record_class in ("person", "file") and i.file_id})
        rotation_id = None
        if erased_files:
            from tokutei.vault.rotation import request_shredding

            rotation_id = request_shredding(file_ids=erased_files, reason=f"disposal:{locked.pk}").pk
        locked.status = DisposalList.Status.EXECUTED if chosen.vendor else DisposalList.Status.CLOSED
        locked.executed_by, locked.executed_at = actor.user, now
        locked.closed_at = None if chosen.vendor else now
        locked.save(update_fields=["status", "executed_by", "executed_at", "closed_at"])
        record(action=Action.DISPOSAL_EXECUTE, target_type="disposal_list", target_id=locked.pk, count=len(items),
               details={"method": method, "items": len(items), "awaiting_certificate": chosen.vendor,
                        "key_rotation": rotation_id},
               **actor.log_fields())
    return locked


def _id_span(item: DisposalItem) -> dict[str, Any]:
    """For the log entry of a group of kept records: how many, the first and last id (the ids themselves are
    in the disposal record; the entry's digest covers them)."""
    if not item.record_ids:
        return {}
    return {"ids_count": len(item.record_ids), "first_id": min(item.record_ids), "last_id": max(item.record_ids)}


def _dispose(item: DisposalItem, *, actor: Actor, method_label: str, witness, partial: bool = False) -> None:
    """The effect on the record itself, inside the execution's transaction."""
    if item.record_class in KEPT:
        kept.dispose(item.record_class, [int(i) for i in item.record_ids], disposal_item_id=item.pk)
        return
    pk = int(item.record_id)
    if item.record_class == "person" and partial:
        from tokutei.vault.services import erase_my_numbers

        erase_my_numbers(person_ids=[pk])
    elif item.record_class == "person":
        from tokutei.vault.services import erase_people

        erase_people(person_ids=[pk])
    elif item.record_class == "file":
        from tokutei.vault.models import SpecificFile
        from tokutei.vault.services import shred_file

        shred_file(file=SpecificFile.objects.get(pk=pk))
    elif item.record_class == "medium":
        from tokutei.registers.models import Medium

        Medium.objects.filter(pk=pk).update(status=Medium.Status.DISPOSED, disposed_at=timezone.now(),
                                            disposal_method=method_label[:100], disposed_by=actor.user,
                                            disposal_witness=witness)
    elif item.record_class == "document":
        from tokutei.registers.models import Document, DocumentEvent

        Document.objects.filter(pk=pk).update(status=Document.Status.DISPOSED)
        DocumentEvent.objects.create(document_id=pk, kind=DocumentEvent.Kind.DISPOSE, note=method_label[:300],
                                     by=actor.user)
    elif item.record_class in ("export", "temporary_copy"):
        from tokutei.registers.models import TemporaryCopy
        from tokutei.registers.services.exports import _shred, copy_path

        copy = TemporaryCopy.objects.get(pk=pk)
        path = copy_path(copy)
        TemporaryCopy.objects.filter(pk=pk).update(deleted_at=timezone.now(), deleted_by=actor.user,
                                                   deletion_reason="disposal")
        transaction.on_commit(lambda: _shred(path))


# --- certificates and closing (E-32) ------------------------------------------------------------------

def record_certificate(*, actor: Actor, disposal_id: int, reference: str, date: dt.date,
                       item_ids: list[int] | None = None) -> DisposalList:
    """The vendor's 廃棄証明書 for the items it disposed of; the list closes when none is missing."""
    require(actor, Action.DISPOSAL_CERTIFICATE, target=("disposal_list", disposal_id))
    disposal = _list(actor, Action.DISPOSAL_CERTIFICATE, disposal_id)
    awaiting = disposal.items.filter(status=DisposalItem.Status.AWAITING_CERTIFICATE)
    if item_ids is not None:
        awaiting = awaiting.filter(pk__in=item_ids)
    article = get_profile().retention.methods.get(awaiting.values_list("method", flat=True).first() or "")
    cited = article.article if article is not None else get_profile().retention.article
    if not reference.strip():
        raise _no(actor, _("証明書の番号・名称を記録してください"), cited, action=Action.DISPOSAL_CERTIFICATE,
                  code="certificate", target=("disposal_list", disposal.pk))
    if not awaiting.exists():
        raise _no(actor, _("証明書を待っている記録がありません"), cited, action=Action.DISPOSAL_CERTIFICATE,
                  code="state", target=("disposal_list", disposal.pk))
    with transaction.atomic(durable=True):
        count = awaiting.update(status=DisposalItem.Status.DONE, certificate_ref=reference.strip()[:200],
                                certificate_date=date, certificate_by=actor.user)
        locked = DisposalList.objects.select_for_update().get(pk=disposal.pk)
        if not locked.items.filter(status=DisposalItem.Status.AWAITING_CERTIFICATE).exists():
            locked.status, locked.closed_at = DisposalList.Status.CLOSED, timezone.now()
            locked.save(update_fields=["status", "closed_at"])
        record(action=Action.DISPOSAL_CERTIFICATE, target_type="disposal_list", target_id=locked.pk, count=count,
               article=cited, details={"items": count, "closed": locked.status == DisposalList.Status.CLOSED},
               **actor.log_fields())
    return locked


def close_list(*, actor: Actor, disposal_id: int) -> DisposalList:
    """Close an executed list — refused while a vendor's certificate is missing (E-32)."""
    require(actor, Action.DISPOSAL_CERTIFICATE, target=("disposal_list", disposal_id))
    disposal = _list(actor, Action.DISPOSAL_CERTIFICATE, disposal_id)
    missing = disposal.items.filter(status=DisposalItem.Status.AWAITING_CERTIFICATE).first()
    if missing is not None:
        method = get_profile().retention.methods.get(missing.method)
        raise _no(actor, _("委託先の廃棄証明書が登録されていないため、完了できません"),
                  method.article if method is not None else missing.article, action=Action.DISPOSAL_CERTIFICATE,
                  code="no_certificate", target=("disposal_list", disposal.pk))
    if disposal.status != DisposalList.Status.CLOSED:
        raise _no(actor, _("この廃棄リストは完了できる状態ではありません"), get_profile().retention.article,
                  action=Action.DISPOSAL_CERTIFICATE, code="state", target=("disposal_list", disposal.pk))
    return disposal


def cancel_list(*, actor: Actor, disposal_id: int, reason: str = "") -> DisposalList:
    require(actor, Action.DISPOSAL_CANCEL, target=("disposal_list", disposal_id))
    disposal = _list(actor, Action.DISPOSAL_CANCEL, disposal_id)
    if disposal.status in (DisposalList.Status.EXECUTED, DisposalList.Status.CLOSED, DisposalList.Status.CANCELLED):
        raise _no(actor, _("実施済みの廃棄リストは取り消せません"), get_profile().retention.article,
                  action=Action.DISPOSAL_CANCEL, code="state", target=("disposal_list", disposal.pk))
    with transaction.atomic(durable=True):
        DisposalList.objects.filter(pk=disposal.pk).update(status=DisposalList.Status.CANCELLED, closed_at=timezone.now())
        record(action=Action.DISPOSAL_CANCEL, target_type="disposal_list", target_id=disposal.pk, reason=reason[:300],
               **actor.log_fields())
    disposal.refresh_from_db()
    return disposal


def may(actor: Actor, action: Action) -> bool:
    return decide(actor, action).allowed


def assert_disposable(*, actor: Actor, record_class: str, record_id: Any, action: Action) -> None:
    """For a register's own disposal record (a medium, a document, a carried-out medium): refused — and
    logged, citing the rule — unless the record's retention has ended and it is not on hold (E-36), and
    unless its rule asks for no second person and no confirmation (those steps are the disposal list's)."""
    profile = get_profile()
    item = find_item(profile, record_class, str(record_id), today())
    target = (record_class, str(record_id))
    if item is None:
        _key, rule = rule_for(profile, record_class)
        raise _no(actor, _("該当する記録がありません"), rule.article, action=action, code="not_found", target=target)
    rule = item.schedule.rule
    if not item.schedule.disposable_on(today()):
        message = (_("法的保存中の記録は廃棄できません") if item.schedule.held
                   else _("保存期間が満了していない記録は廃棄できません"))
        raise _no(actor, message, rule.article, action=action, code="retention", target=target)
    if rule.second_person_check or rule.confirmed_by:
        raise _no(actor, _("この記録の廃棄には別の者の確認又は管理者の確認が必要です。廃棄リストから廃棄してください"),
                  rule.article, action=action, code="use_disposal_list", target=target)
