"""The file register (ファイル管理台帳 / 別紙2) shows a file's disposal status with the disposal list's number,
linked to the list; the handling-status record (別紙1) of the execution names the list and who checked it."""

from __future__ import annotations

import datetime as dt

from tokutei.ledgers.models import HandlingRecord
from tokutei.policy import Actor
from tokutei.retention.services import check_list, confirm_list, draft_list, execute_list

LOST = dt.date(2015, 7, 1)
DUE = dt.date(2026, 4, 1)


def _page(client, user) -> str:
    client.force_login(user)
    return client.get("/ledgers/files/").content.decode()


def test_the_file_register_shows_the_disposal_list_of_a_file_and_links_it(
        client, clerk, clerk2, manager, terminal, pension_file, person_in, clock):
    person = person_in(pension_file, 1, lost=LOST)
    person_in(pension_file, 2, lost=LOST)
    clock(DUE)
    assert "廃棄リスト No." not in _page(client, manager)
    disposal = draft_list(actor=Actor(user=clerk, terminal=terminal), refs=[("person", str(person.pk))])
    page = _page(client, manager)
    assert f'<a href="/retention/disposals/{disposal.pk}/">廃棄リスト No.{disposal.pk}（本人の記録 1件・廃棄リストに掲載・未実施）</a>' in page
    check_list(actor=Actor(user=clerk2, terminal=terminal), disposal_id=disposal.pk)
    confirm_list(actor=Actor(user=manager, terminal=terminal), disposal_id=disposal.pk)
    execute_list(actor=Actor(user=clerk, terminal=terminal), disposal_id=disposal.pk, method="deletion")
    page = _page(client, manager)
    assert f'<a href="/retention/disposals/{disposal.pk}/">廃棄リスト No.{disposal.pk}（本人の記録 1件・廃棄・削除済）</a>' in page
    whole = draft_list(actor=Actor(user=clerk, terminal=terminal), refs=[("file", str(pension_file.pk))])
    printed = client.get("/ledgers/files/print/").content.decode()
    assert f"廃棄リスト No.{whole.pk}（ファイル全体・廃棄リストに掲載・未実施）" in printed
    assert f"廃棄リスト No.{disposal.pk}（本人の記録 1件・廃棄・削除済）" in printed

    row = HandlingRecord.objects.get(action="disposal.execute", target_type="person", target_id=str(person.pk))
    assert (row.item, row.checker, row.method) == (f"廃棄リスト No.{disposal.pk}", clerk2.username, "電子データの削除")
