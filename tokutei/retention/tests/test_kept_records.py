"""Handling records (別紙1), register entries and approvals are disposed of through the disposal list when due.

On 004 (10 years from the next 事業年度, no second person for records) and 003 (3 years from the next 年度,
the 保護管理者 confirms). The operation log keeps its entries and verifies; the certificate names the records
by id; an ordinary delete of an append-only row is still refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.core.models import AppendOnlyError, DisposalPermit
from tokutei.policy import Actor
from tokutei.retention.models import DisposalItem, DisposalList
from tokutei.retention.services import confirm_list, draft_from_worklist, draft_list, execute_list

D = dt.date


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10))


@pytest.fixture
def records_made_on(monkeypatch):
    """records_made_on(day, user) → the handling record (and its correction the next day), the register entry
    and the used approval made on ``day``."""
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.ledgers.models import HandlingRecord, RegisterEntry

    def _make(day: dt.date, user, *, entry_no: int):
        with monkeypatch.context() as m:
            m.setattr("django.utils.timezone.now", lambda: _at(day))
            handling = HandlingRecord.objects.create(source="manual", occurred_at=_at(day), stage="storage",
                                                     action="ledgers.manual_entry", actor_id=user.pk,
                                                     created_by=user, note="書庫の点検")
            entry = RegisterEntry.objects.create(register="media", entry_no=entry_no, values={"place": "書庫A"},
                                                 created_by=user)
        approval = ApprovalRequest.objects.create(operation="carry_out", requester=user, created_at=_at(day),
                                                  status=ApprovalRequest.Status.USED, used_at=_at(day))
        return handling, entry, approval

    return _make


def _exists(handling, entry, approval) -> tuple[bool, bool, bool]:
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.ledgers.models import HandlingRecord, RegisterEntry

    return (HandlingRecord.objects.filter(pk=handling.pk).exists(), RegisterEntry.objects.filter(pk=entry.pk).exists(),
            ApprovalRequest.objects.filter(pk=approval.pk).exists())


def test_004_disposes_of_due_handling_records_register_entries_and_approvals_and_certifies_them(
        activate, make_user, make_terminal, clock, records_made_on, client):
    from tokutei.auditlog.verify import verify_database

    activate("hyogo-kyosai")
    terminal = make_terminal("窓口端末1")[0]
    tanto = make_user("tanto", "handler", tasks=["p1"])
    made = D(2015, 6, 1)  # 平成27年度 → from 2016-04-01, 10 years → disposable from 2026-04-01
    due = D(2026, 4, 1)
    old = records_made_on(made, tanto, entry_no=1)
    young = records_made_on(D(2016, 4, 1), tanto, entry_no=2)  # 平成28年度: due a year later
    about_old = Entry.objects.filter(target_type="handling_record", target_id=str(old[0].pk)).count()
    as_tanto = Actor(user=tanto, terminal=terminal)

    clock(due - dt.timedelta(days=1))
    with pytest.raises(Refused, match="保存期間が満了していない") as early:
        draft_list(actor=as_tanto, refs=[("handling_record", f"day:{made}")])
    assert early.value.article == "004 §9, §15"
    with pytest.raises(Refused, match="廃棄できる記録がありません"):
        draft_from_worklist(actor=as_tanto)

    clock(due)
    disposal = draft_from_worklist(actor=as_tanto)
    items = {i.record_class: i for i in disposal.items.all()}
    assert set(items) == {"handling_record", "register_entry", "approval"}
    assert items["handling_record"].record_ids == [old[0].pk]  # not the young ones
    with pytest.raises(Refused, match="保存期間が満了していない"):
        draft_list(actor=as_tanto, refs=[("approval", str(young[2].pk))])

    clock(due - dt.timedelta(days=1))  # executing it one day early is refused too
    with pytest.raises(Refused, match="保存期間が満了していない"):
        execute_list(actor=as_tanto, disposal_id=disposal.pk, method="deletion")
    assert _exists(*old) == (True, True, True)

    clock(due)
    done = execute_list(actor=as_tanto, disposal_id=disposal.pk, method="deletion")
    assert done.status == DisposalList.Status.CLOSED
    assert _exists(*old) == (False, False, False)
    assert _exists(*young) == (True, True, True)
    executed = Entry.objects.get(action="disposal.execute", target_type="handling_record")
    assert executed.target_id == f"day:{made}" and executed.details["first_id"] == old[0].pk
    assert Entry.objects.filter(target_type="handling_record", target_id=str(old[0].pk)).count() == about_old
    assert verify_database(make_checkpoint=False).ok

    client.force_login(tanto)
    certificate = client.get(f"/retention/disposals/{disposal.pk}/certificate/").content.decode()
    for row in old:
        assert f"記録番号: {row.pk}" in certificate
    assert DisposalItem.objects.get(disposal=disposal, record_class="approval").digest in certificate


def test_003_records_wait_for_the_protection_managers_confirmation(activate, make_user, make_terminal, clock,
                                                                    records_made_on):
    from tokutei.staff.models import Unit

    activate("inabe")
    unit = Unit.objects.create(key="shokuin", name_ja="総務部職員課")
    terminal = make_terminal("窓口端末1")[0]
    tanto = make_user("tanto", "handler", tasks=["health_insurance_48"], unit=unit)
    pm = make_user("pm1", "pm", unit=unit)
    made, due = D(2022, 6, 1), D(2026, 4, 1)  # 令和4年度 → from 2023-04-01, 3 years
    old = records_made_on(made, tanto, entry_no=1)
    as_tanto = Actor(user=tanto, terminal=terminal)
    clock(due - dt.timedelta(days=1))
    with pytest.raises(Refused, match="保存期間が満了していない") as early:
        draft_list(actor=as_tanto, refs=[("register_entry", str(old[1].pk))])
    assert early.value.citation == "取扱規程第7条、第14条"
    clock(due)
    disposal = draft_list(actor=as_tanto, refs=[("register_entry", str(old[1].pk)),
                                                ("handling_record", f"day:{made}"), ("approval", f"day:{made}")])
    assert disposal.confirm_roles == ["pm"]
    with pytest.raises(Refused, match="管理者による確認が済んでいない"):
        execute_list(actor=as_tanto, disposal_id=disposal.pk, method="deletion")
    assert _exists(*old) == (True, True, True)
    confirm_list(actor=Actor(user=pm, terminal=terminal), disposal_id=disposal.pk)
    execute_list(actor=as_tanto, disposal_id=disposal.pk, method="deletion")
    assert _exists(*old) == (False, False, False)


def test_a_corrected_record_stays_with_its_correction_and_an_approval_in_use_stays(
        activate, make_user, make_terminal, clock, records_made_on, monkeypatch):
    from tokutei.approvals.models import ApprovalRequest
    from tokutei.ledgers.models import HandlingRecord

    activate("hyogo-kyosai")
    terminal = make_terminal("窓口端末1")[0]
    tanto = make_user("tanto", "handler", tasks=["p1"])
    made = D(2015, 6, 1)
    handling, _entry, _approval = records_made_on(made, tanto, entry_no=1)
    pending = ApprovalRequest.objects.create(operation="carry_out", requester=tanto, created_at=_at(made))
    with monkeypatch.context() as m:  # corrected in the next 事業年度: the correction is due a year later
        m.setattr("django.utils.timezone.now", lambda: _at(D(2016, 5, 1)))
        HandlingRecord.objects.create(source="manual", occurred_at=_at(made), stage="storage", created_by=tanto,
                                      corrects=handling, note="訂正")
    clock(D(2026, 4, 1))
    with pytest.raises(Refused, match="訂正後の記録又はこの記録を参照する記録"):
        draft_list(actor=Actor(user=tanto, terminal=terminal), refs=[("handling_record", str(handling.pk))])
    disposal = draft_from_worklist(actor=Actor(user=tanto, terminal=terminal))
    assert {i.record_class for i in disposal.items.all()} == {"register_entry", "approval"}
    assert pending.pk not in disposal.items.get(record_class="approval").record_ids
    execute_list(actor=Actor(user=tanto, terminal=terminal), disposal_id=disposal.pk, method="deletion")
    assert HandlingRecord.objects.filter(pk=handling.pk).exists()
    assert ApprovalRequest.objects.filter(pk=pending.pk).exists()


def test_it_refuses_an_ordinary_delete_of_an_append_only_record(activate, make_user):
    from tokutei.ledgers.models import HandlingRecord

    activate("hyogo-kyosai")
    user = make_user("tanto", "handler", tasks=["p1"])
    row = HandlingRecord.objects.create(source="manual", occurred_at=timezone.now(), stage="storage", created_by=user)
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        HandlingRecord.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):  # the disposal path asks for a permit
        HandlingRecord.objects.filter(pk=row.pk).dispose(permit=None)  # type: ignore[arg-type]
    assert HandlingRecord.objects.filter(pk=row.pk).exists()
    with transaction.atomic():
        assert HandlingRecord.objects.filter(pk=row.pk).dispose(permit=DisposalPermit(disposal_item_id=1)) == 1


def test_a_due_day_of_handling_records_goes_on_a_list_from_the_worklist_page(activate, make_user, clock,
                                                                            records_made_on, client):
    activate("hyogo-kyosai")
    tanto = make_user("tanto", "handler", tasks=["p1"])
    made = D(2015, 6, 1)
    handling, _entry, _approval = records_made_on(made, tanto, entry_no=1)
    clock(D(2026, 4, 1))
    client.force_login(tanto)
    page = client.get("/retention/?on=2026-04-01").content.decode()
    assert f'value="handling_record:day:{made}"' in page  # the row's 「廃棄リストに載せる」
    response = client.post("/retention/disposals/new/", {"ref": f"handling_record:day:{made}"})
    disposal = DisposalList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/retention/disposals/{disposal.pk}/"
    assert disposal.items.get().record_ids == [handling.pk]
    assert f"記録番号: {handling.pk}" in client.get(f"/retention/disposals/{disposal.pk}/").content.decode()
