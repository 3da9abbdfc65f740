"""Who reads whose operation log, in a unit-scoped organisation (003, いなべ市: 保護管理者 and 事務取扱担当者 act
for their own unit) — the rule of tokutei/auditlog/rules.py, on every way in:

* a handling clerk (事務取扱担当者) has no log: the search, a colleague's entry, the CSV/Excel download and the
  API are refused (403) and each refusal is logged — a colleague's entry gets exactly the answer a missing one
  gets, so its existence is not revealed;
* a 保護管理者 (unit-scoped, supervising) reads the entries of their own unit's staff only; an entry of another
  unit's is not found, exactly like a missing one, and the attempt is logged;
* the 監査責任者 reads the whole log.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record

NO_SUCH_SEQ = 987_654_321


@pytest.fixture
def inabe(activate, signing_key):
    return activate("inabe")


@pytest.fixture
def staff(inabe, make_user):
    """職員課 (shokuin): two handlers and their 保護管理者; 会計課 (kaikei): one handler; the 監査責任者."""
    from tokutei.staff.models import Unit

    shokuin = Unit.objects.create(key="shokuin", name_ja="職員課")
    kaikei = Unit.objects.create(key="kaikei", name_ja="会計課")
    tasks = list(inabe.selectable_tasks())[:1]
    people = {
        "me": make_user("tanto_a1", "handler", tasks=tasks, unit=shokuin),
        "colleague": make_user("tanto_a2", "handler", tasks=tasks, unit=shokuin),
        "elsewhere": make_user("tanto_b1", "handler", tasks=tasks, unit=kaikei),
        "pm": make_user("kacho_a", "pm", unit=shokuin),
        "auditor": make_user("kansa", "auditor"),
    }
    people["entries"] = {
        who: record(action="vault.reveal", actor=people[who], purpose=tasks[0], target_type="person",
                    target_id=i + 1)
        for i, who in enumerate(("me", "colleague", "elsewhere"))
    }
    return people


def _refusals(user, action: str) -> int:
    return Entry.objects.filter(actor_id=user.pk, action=action, result=Entry.Result.REFUSED).count()


def _page(response) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r"/log/entries/\d+/", "/log/entries/<seq>/", text)


def _usernames_in_csv(content: bytes) -> set[str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    column = rows[0].index("ユーザID")
    return {row[column] for row in rows[1:]}


# --- a handling clerk ---------------------------------------------------------------------------------------


def test_a_handling_clerk_cannot_search_a_colleagues_entries(client, inabe, staff):
    client.force_login(staff["me"])
    for query in ({"user": staff["colleague"].username}, {"user": str(staff["colleague"].pk)}, {}):
        response = client.get("/log/", query)
        assert response.status_code == 403, query
        assert "entries" not in (response.context or {})
    assert _refusals(staff["me"], "log.search") == 3  # each one logged
    assert {e.article for e in Entry.objects.filter(actor_id=staff["me"].pk, action="log.search")} == {
        inabe.retention.article}


def test_a_colleagues_entry_answers_the_clerk_exactly_like_a_missing_one(client, inabe, staff):
    client.force_login(staff["me"])
    colleagues = client.get(f"/log/entries/{staff['entries']['colleague'].seq}/")
    missing = client.get(f"/log/entries/{NO_SUCH_SEQ}/")
    assert colleagues.status_code == missing.status_code
    assert colleagues.status_code in (403, 404)
    assert _page(colleagues) == _page(missing)
    assert "tanto_a2" not in colleagues.content.decode()
    assert _refusals(staff["me"], "log.view") == 2


def test_a_handling_clerk_cannot_download_the_log(client, inabe, staff):
    client.force_login(staff["me"])
    for fmt in ("csv", "xlsx"):
        response = client.get("/log/", {"user": staff["colleague"].username, "format": fmt})
        assert response.status_code == 403 and "attachment" not in response.get("Content-Disposition", "")
    assert not Entry.objects.filter(action="log.export", result=Entry.Result.OK).exists()
    assert _refusals(staff["me"], "log.search") == 2


def test_a_handling_clerk_cannot_read_the_log_through_the_api(client, inabe, staff):
    client.force_login(staff["me"])
    response = client.get("/api/v1/log/entries", {"user": staff["colleague"].username})
    assert response.status_code == 403
    assert response.json()["article"] == inabe.retention.article
    assert "tanto_a2" not in response.content.decode()
    assert client.get("/api/v1/log/status").status_code == 403
    assert _refusals(staff["me"], "log.search") == 1 and _refusals(staff["me"], "log.verify") == 1


# --- the 保護管理者 of 職員課: their own unit's staff ------------------------------------------------------------


def test_a_unit_manager_searches_their_own_units_staff_only(client, inabe, staff):
    client.force_login(staff["pm"])
    response = client.get("/log/", {"action": "vault.reveal"})
    assert response.status_code == 200
    assert {e.actor_username for e in response.context["entries"]} == {"tanto_a1", "tanto_a2"}
    asked = client.get("/log/", {"user": "tanto_b1"})
    assert asked.status_code == 200 and not list(asked.context["entries"])


def test_another_units_entry_is_not_found_by_the_unit_manager_like_a_missing_one(client, inabe, staff):
    client.force_login(staff["pm"])
    assert client.get(f"/log/entries/{staff['entries']['colleague'].seq}/").status_code == 200
    theirs = client.get(f"/log/entries/{staff['entries']['elsewhere'].seq}/")
    missing = client.get(f"/log/entries/{NO_SUCH_SEQ}/")
    assert theirs.status_code == missing.status_code == 404
    assert _page(theirs) == _page(missing)
    refused = Entry.objects.filter(actor_id=staff["pm"].pk, action="log.view", result=Entry.Result.REFUSED)
    assert sorted(refused.values_list("target_id", flat=True)) == sorted(
        [str(staff["entries"]["elsewhere"].seq), str(NO_SUCH_SEQ)])
    assert {e.article for e in refused} == {inabe.retention.article}


def test_the_unit_managers_downloads_hold_their_own_units_staff_only(client, inabe, staff):
    client.force_login(staff["pm"])
    rows = client.get("/log/", {"action": "vault.reveal", "format": "csv"})
    assert _usernames_in_csv(rows.content) == {"tanto_a1", "tanto_a2"}
    book = client.get("/log/", {"action": "vault.reveal", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"tanto_a1", "tanto_a2"}


def test_the_unit_managers_api_answers_hold_their_own_units_staff_only(client, inabe, staff):
    client.force_login(staff["pm"])
    response = client.get("/api/v1/log/entries", {"action": "vault.reveal"})
    assert response.status_code == 200
    assert {e["actor_username"] for e in response.json()} == {"tanto_a1", "tanto_a2"}
    assert client.get("/api/v1/log/entries", {"user": "tanto_b1"}).json() == []


# --- the 監査責任者: everyone -----------------------------------------------------------------------------------


def test_the_auditor_reads_every_units_entries_on_every_way_in(client, inabe, staff):
    everyone = {"tanto_a1", "tanto_a2", "tanto_b1"}
    client.force_login(staff["auditor"])
    page = client.get("/log/", {"action": "vault.reveal"})
    assert {e.actor_username for e in page.context["entries"]} == everyone
    assert client.get(f"/log/entries/{staff['entries']['elsewhere'].seq}/").status_code == 200
    assert _usernames_in_csv(client.get("/log/", {"action": "vault.reveal", "format": "csv"}).content) == everyone
    api = client.get("/api/v1/log/entries", {"action": "vault.reveal"}).json()
    assert {e["actor_username"] for e in api} == everyone
