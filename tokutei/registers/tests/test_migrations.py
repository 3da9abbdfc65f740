"""Upgrading an installation whose media, documents, carry-outs and copies were approvals' keeps every row.

The registers app took over the approvals app's tables without copying them (state-only migrations on
both sides): a database migrated to the old layout, with rows in it, reads the same rows afterwards.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("approvals", "0001_initial"), ("registers", None)]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _leaves() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_rows_written_under_approvals_are_the_registers_rows_after_the_upgrade(make_user):
    from django.contrib.contenttypes.models import ContentType

    clerk = make_user("clerk_m", "clerk")
    now = timezone.now()
    _migrate(BEFORE)
    try:
        from django.db.migrations.loader import MigrationLoader

        old = MigrationLoader(connection).project_state(("approvals", "0001_initial")).apps
        medium = old.get_model("approvals", "Medium").objects.create(
            label="M-OLD-1", kind="optical", storage_place="金庫A", record_count=40, created_by_id=clerk.pk,
            created_at=now)
        carry_out = old.get_model("approvals", "CarryOut").objects.create(
            medium_id=medium.pk, counterparty="年金事務所", media_type="光ディスク", quantity=1, record_count=40,
            requested_by_id=clerk.pk, created_at=now)
        document = old.get_model("approvals", "Document").objects.create(
            title="設計書", kind="design", storage_place="書庫", created_by_id=clerk.pk, created_at=now)
        # An installation that ran before the move has the old content types (the tests' empty one not).
        ContentType.objects.filter(app_label="registers", model="medium").delete()
        old_type = ContentType.objects.get_or_create(app_label="approvals", model="medium")[0]
    finally:
        _migrate(_leaves())
    from tokutei.registers.models import CarryOut, Document, Medium

    assert Medium.objects.get(pk=medium.pk).label == "M-OLD-1"
    moved = CarryOut.objects.select_related("medium").get(pk=carry_out.pk)
    assert moved.medium is not None
    assert (moved.counterparty, moved.medium.label, moved.status) == ("年金事務所", "M-OLD-1", "planned")
    assert Document.objects.get(pk=document.pk).title == "設計書"
    assert Medium._meta.db_table == "approvals_medium"
    relabelled = ContentType.objects.get(pk=old_type.pk)
    assert (relabelled.app_label, relabelled.model) == ("registers", "medium")
