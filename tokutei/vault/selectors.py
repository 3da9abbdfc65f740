"""Reads of the vault that the policy's scope uses: the files that serve a task within the actor's units.

The rule itself — designated handler (E-01), task in scope (E-02), the task's fields (E-03), files of the
task within the units (E-04), registered terminal (E-16) — is ``tokutei.policy`` with ``vault/rules.py``;
these only list what a decision already allows.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tokutei.core.sql import select_models
from tokutei.policy import Decision

from .models import SpecificFile


def usable_files(decision: Decision, purpose: str) -> list[SpecificFile]:
    """Active files that serve ``purpose`` within the decision's unit scope and 取扱いの範囲, in id order
    (whole rows). The records within those files: ``tokutei.policy.within_records`` / ``records_sql``."""
    if not decision.allowed or not purpose:
        return []
    # JSON containment is not portable to SQLite; the file register is small, so filter here. One fixed
    # statement (tokutei.core.sql): every search asks it.
    files = select_models(SpecificFile, '"status" = %s', [SpecificFile.Status.ACTIVE.value], order_by='"id"')
    return [f for f in files if purpose in (f.tasks or [])
            and (decision.units is None or f.unit_id in decision.units)
            and (decision.records is None or decision.records.holds_file(f.pk))]  # 取扱いの範囲 (E-04)


def files_for(decision: Decision, purpose: str) -> QuerySet[SpecificFile]:
    """Active files that serve ``purpose`` within the decision's unit scope."""
    return SpecificFile.objects.filter(pk__in=[f.pk for f in usable_files(decision, purpose)])
