"""Used once, even when two requests race for the same approval (SELECT … FOR UPDATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_uses_of_one_approval_succeed_exactly_once(officers000):
    if connection.vendor == "sqlite":
        # The test database is shared-cache in-memory SQLite, which raises "table is locked" instead of
        # waiting; production SQLite (a WAL file, BEGIN IMMEDIATE) serialises writers. Proven on PostgreSQL.
        pytest.skip("concurrency is exercised on PostgreSQL")
    o = officers000
    req = services.create_request(actor=Actor.console(o["operator"]), operation="media_carry_out")
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def use() -> None:
        try:
            barrier.wait()
            services.use_approval_now(operation="media_carry_out", actor=Actor.console(o["operator"]), approval_id=req.pk)
            results.append("ok")
        except Refused:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ok", "refused", "refused", "refused"]
    assert ApprovalRequest.objects.get(pk=req.pk).status == ApprovalRequest.Status.USED
    assert Entry.objects.filter(action="approvals.use", result="ok").count() == 1
