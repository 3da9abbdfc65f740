"""Writes of the pia app: recording a しきい値判断 (an assessment snapshot) and issuing a disclosure report.

Every write: keyword-only, ``actor: Actor``, the policy decided first (a refusal logged), one durable
transaction, its log entry last. The disclosure report's own module is ``disclosure.py``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.ledgers import files as register
from tokutei.policy import Actor, get_or_refuse, require

from . import selectors
from .models import Assessment

Trigger = Assessment.Trigger
PERIODIC = {Trigger.SCHEDULED, Trigger.MANUAL}


def assess_file(*, actor: Actor, file_id: int, trigger: str, trigger_seq: int | None = None,
                trigger_at: dt.datetime | None = None, incidents: list[int] | None = None) -> Assessment | None:
    """しきい値判断 of one file from live data (指針 第5の2). A snapshot is kept when the file has none yet,
    when its level changed, and on every scheduled or manual run; ``raised`` when the level went up.
    Returns the snapshot written, or None when nothing changed."""
    from tokutei.vault.models import SpecificFile

    file = get_or_refuse(actor, Action.PIA_ASSESS, SpecificFile.objects.all(), pk=file_id)
    computed = selectors.compute(register.describe(file), incidents=incidents)
    latest = computed.latest
    if latest is not None and not computed.changed and trigger not in PERIODIC:
        return None
    rules = computed.rules
    raised = latest is not None and rules.level_order(computed.result.level) > rules.level_order(latest.level)
    if latest is None and rules.level_order(computed.result.level) > 0 and trigger not in PERIODIC:
        raised = True  # a file that first needs an assessment because of this event
    with transaction.atomic(durable=True):
        snapshot = Assessment.objects.create(
            file_id=file.pk, file_name=file.name[:200], trigger=trigger, trigger_seq=trigger_seq,
            trigger_at=trigger_at or timezone.now(), people=computed.people, handlers=computed.handlers,
            handler_breakdown=[g.as_dict() for g in computed.groups], serious_incidents=computed.incidents,
            level=computed.result.level, rule_id=computed.result.rule_id,
            reasons=[r.as_dict() for r in computed.result.reasons], rules_version=rules.version,
            previous_level=latest.level if latest is not None else "", raised=raised)
        entry = record(action=Action.PIA_ASSESS, **actor.log_fields(), target_type="file", target_id=file.pk,
                       details={"assessment": snapshot.pk, "level": snapshot.level, "previous": snapshot.previous_level,
                                "rule": snapshot.rule_id, "people": snapshot.people, "handlers": snapshot.handlers,
                                "incidents": snapshot.serious_incidents, "trigger": trigger,
                                "trigger_seq": trigger_seq, "rules_version": rules.version, "raised": raised})
        snapshot.log_seq = entry.seq
        snapshot.save(update_fields=["log_seq"])
    return snapshot


def assess_all(*, actor: Actor, trigger: str, trigger_seq: int | None = None,
               trigger_at: dt.datetime | None = None) -> list[Assessment]:
    """Every active file the actor may assess (the scheduled job, a designation, an incident)."""
    require(actor, Action.PIA_ASSESS)
    incidents = selectors.serious_incidents()
    written = []
    for info in selectors.visible_files(actor, Action.PIA_ASSESS):
        if info.status and info.status != "active":
            continue
        snapshot = assess_file(actor=actor, file_id=info.id, trigger=trigger, trigger_seq=trigger_seq,
                               trigger_at=trigger_at, incidents=incidents)
        if snapshot is not None:
            written.append(snapshot)
    return written
