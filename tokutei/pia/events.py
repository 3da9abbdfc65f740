"""Re-assessing when the data that decides the level changes: a bulk import or an intake into a file, a
deletion, a designation, an incident judged serious. The operation log is the one place every such event
is written, so the pia app follows its appends (``auditlog.services.follow``) instead of asking the other
apps to call it; the re-assessment runs after the event's transaction commits, as the system."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from tokutei.auditlog.actions import Action

log = logging.getLogger(__name__)

FILE_EVENTS = {
    Action.BULK_IMPORT.value: "import",
    Action.BULK_ABANDON.value: "import",
    Action.VAULT_INTAKE.value: "intake",
    Action.VAULT_DELETE.value: "deletion",
    Action.DISPOSAL_EXECUTE.value: "deletion",
}
ALL_FILE_EVENTS = {
    Action.STAFF_DESIGNATE.value: "designation",
    Action.STAFF_REVOKE.value: "designation",
    Action.STAFF_TRANSFER.value: "designation",
    Action.INCIDENTS_PPC_ASSESS.value: "incident",
    Action.INCIDENTS_SERIOUS.value: "incident",
}


def _file_of(entry: Any) -> int | None:
    details = entry.details or {}
    value = details.get("file_id")
    if value is None and entry.target_type == "file":
        value = entry.target_id
    if value is None and entry.target_type == "person" and str(entry.target_id).isdigit():
        from tokutei.vault.models import Person

        value = Person.objects.filter(pk=int(entry.target_id)).values_list("file_id", flat=True).first()
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _passing(entry: Any) -> bool:
    """A bulk import is one event that ends once: completed, or abandoned (on SQLite, and into a file that
    already had people, the rows of its committed batches stay). The entries of its batches are steps: the
    count between them is passing — on PostgreSQL a new file's people are not even visible before the
    completion — and one assessment per batch (a hundred for a million rows) would only slow the import."""
    details = entry.details or {}
    if entry.action == Action.BULK_IMPORT.value:
        return details.get("phase") != "completed"
    if entry.action == Action.BULK_ABANDON.value:
        return not details.get("kept")
    return False


def on_entry(entry: Any) -> None:
    """Called in the transaction of every log append: schedule a re-assessment after commit."""
    if entry.result != "ok" or (entry.action not in FILE_EVENTS and entry.action not in ALL_FILE_EVENTS):
        return
    if _passing(entry):
        return
    seq, at = entry.seq, entry.at
    if entry.action in FILE_EVENTS:
        file_id = _file_of(entry)
        if file_id is None:
            return
        trigger = FILE_EVENTS[entry.action]
        transaction.on_commit(lambda: _run(lambda actor, s: s.assess_file(
            actor=actor, file_id=file_id, trigger=trigger, trigger_seq=seq, trigger_at=at)))
    else:
        trigger = ALL_FILE_EVENTS[entry.action]
        transaction.on_commit(lambda: _run(lambda actor, s: s.assess_all(
            actor=actor, trigger=trigger, trigger_seq=seq, trigger_at=at)))


def _run(job) -> None:
    from tokutei.core.errors import Refused
    from tokutei.policy import Actor
    from tokutei.profiles.selectors import NoProfile

    from . import services

    try:
        job(Actor.system(), services)
    except (Refused, NoProfile):  # no profile yet, or the system may not assess: nothing to record
        return
    except Exception:  # the event itself has committed; a failed re-assessment must not undo or hide it
        log.exception("しきい値判断の再計算に失敗しました（tokutei pia assess で再実行できます）")
