"""Disposal of the kept records about handling: handling-status records (別紙1), register entries, approvals.

They are listed by creation day (``day:YYYY-MM-DD``) or one by one. What may go with its group:

* a handling record or register entry that was corrected goes only with its correction (the correction is
  newer, so it is due later — until then the original stays with it);
* an approval still pending, or approved and not yet expired, stays (it is still in use), and so does one
  that a record still kept refers to (a carry-out, a copy, a room entry …: the record keeps its approval).

Handling records and register entries are append-only (``tokutei.core.models.AppendOnly``): they are removed
through ``AppendOnlyQuerySet.dispose`` with a permit for the disposal item, the one path that may remove them.
The operation log is not touched: its entries stay (it has its own retention) and keep verifying.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from tokutei.core.models import DisposalPermit

from ..selectors import kept_model

# The self-reference that makes a row a correction of another (the correction refers to the original).
SUPERSEDES = {"handling_record": "corrects", "register_entry": "supersedes"}


def _kept_by_corrections(record_class: str, ids: set[int]) -> set[int]:
    """Rows of ``ids`` that a correction outside ``ids`` still refers to, directly or down the chain."""
    field = SUPERSEDES[record_class]
    model = kept_model(record_class)
    kept: set[int] = set()
    while True:
        going = ids - kept
        refs = set(model.objects.filter(**{f"{field}__in": going}).exclude(pk__in=going)
                   .values_list(f"{field}_id", flat=True))
        if not refs - kept:
            return kept
        kept |= refs


def _approvals_in_use(ids: set[int]) -> set[int]:
    from tokutei.approvals.models import ApprovalRequest, ApprovalStepDecision

    now = timezone.now()
    live = ApprovalRequest.objects.filter(pk__in=ids).filter(
        models.Q(status=ApprovalRequest.Status.PENDING)
        | models.Q(status=ApprovalRequest.Status.APPROVED)
        & (models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)))
    kept = set(live.values_list("pk", flat=True))
    for rel in ApprovalRequest._meta.related_objects:
        if rel.related_model is ApprovalStepDecision or not rel.field.concrete:
            continue
        name = rel.field.name
        kept |= set(rel.related_model._base_manager.filter(**{f"{name}__in": ids})
                    .values_list(f"{name}_id", flat=True))
    return kept


def disposable_ids(record_class: str, ids: list[int]) -> list[int]:
    """The ids of ``ids`` that may be disposed of now (see the module's rules)."""
    wanted = set(ids)
    if not wanted:
        return []
    kept = _approvals_in_use(wanted) if record_class == "approval" else _kept_by_corrections(record_class, wanted)
    return sorted(wanted - kept)


def dispose(record_class: str, ids: list[int], *, disposal_item_id: int) -> int:
    """Remove the records, inside the execution's transaction; returns how many went."""
    if record_class == "approval":
        from tokutei.approvals.models import ApprovalRequest, ApprovalStepDecision

        ApprovalStepDecision.objects.filter(request_id__in=ids).delete()
        deleted, _per_model = ApprovalRequest.objects.filter(pk__in=ids).delete()
        return deleted
    model: Any = kept_model(record_class)
    permit = DisposalPermit(disposal_item_id=disposal_item_id)
    field = SUPERSEDES[record_class]
    remaining = set(ids)
    total = 0
    while remaining:  # corrections first: a row goes once nothing left refers to it
        referred = set(model.objects.filter(**{f"{field}__in": remaining}).values_list(f"{field}_id", flat=True))
        leaves = remaining - referred
        if not leaves:  # cannot happen for a chain (it has a newest row); guard against a loop
            break
        total += model.objects.filter(pk__in=leaves).dispose(permit=permit)
        remaining -= leaves
    return total
