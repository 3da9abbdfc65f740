"""Every register prints on A4 with its columns whole and exports to Excel; the JSON API serves the same
tables, and a vendor entry without an escort is refused there too (E-20)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tokutei.auditlog.models import Entry
from tokutei.policy import Actor
from tokutei.registers import tables
from tokutei.registers.services import assets, media, rooms


@pytest.fixture
def filled000(officers000):
    admin = officers000["sys_admin"]
    room = rooms.register_room(actor=Actor.console(admin), name="端末室A", room_class="l1")
    rooms.record_entry(actor=Actor.console(admin), room_id=room.pk, kind="vendor", visitor_name="保守 一郎",
                       purpose="保守", identification="社員証", name_tag="V-1", escort=officers000["operator"])
    assets.register_asset(actor=Actor.console(admin), tag="PC-1", name="業務端末1", kind="terminal", room_id=room.pk)
    media.register_medium(actor=Actor.console(admin), label="M-1", kind="usb", storage_place="保管庫")
    return officers000


def _app_css() -> str:
    from django.contrib.staticfiles import finders

    path = finders.find("css/app.css")
    assert path, "css/app.css"
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@pytest.mark.parametrize("name", [n for n, t in tables.TABLES.items() if not t.optional])
def test_every_register_prints_on_a4_and_exports_to_excel(client, filled000, name):
    client.force_login(filled000["sys_admin"])
    page = client.get(reverse("registers:print", args=[name]))
    assert page.status_code == 200, name
    html = page.content.decode()
    # The A4 rules live in the style sheet the page links (the CSP blocks an inline <style>).
    assert 'class="register-print"' in html and "css/app.css" in html and "<style" not in html
    assert "size: A4" in _app_css() and ".register-print table, .print-sheet table { width: 100%; table-layout: auto;" in _app_css()
    assert "counter(page)" in _app_css()
    assert "onclick" not in html and "data-print" in html
    title = tables.title_of(name)
    assert title in html
    response = client.get(reverse("registers:export", args=[name]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == title
    columns, _rows = tables.TABLES[name].build(Actor.console(filled000["sys_admin"]))
    assert [c.value for c in ws[4]] == columns
    assert Entry.objects.filter(action="registers.export", target_id=name).count() == 1


def _static(path: str) -> str:
    from django.contrib.staticfiles import finders

    found = finders.find(path)
    assert found, path
    return open(found, encoding="utf-8").read()


def test_the_print_form_is_a4_with_whole_columns_repeated_headers_and_page_numbers():
    """In a static file: the Content-Security-Policy (style-src 'self') would block an inline style."""
    css = _static("css/app.css")
    for rule in ("size: A4 portrait", "size: A4 landscape", "table-layout: auto", "overflow-wrap: anywhere",
                 "display: table-header-group", "counter(page)", "data-orientation=landscape"):
        assert rule in css, rule
    assert "window.print()" in _static("js/app.js")


def test_a_wide_register_prints_landscape(client, filled000):
    client.force_login(filled000["sys_admin"])
    html = client.get(reverse("registers:print", args=["media"])).content.decode()  # ten columns
    assert 'data-orientation="landscape"' in html
    assert "style-src 'self'" in client.get(reverse("registers:print", args=["media"]))["Content-Security-Policy"]


def test_the_entry_book_prints_its_rows_in_wareki_with_the_seal_box(client, filled000):
    client.force_login(filled000["sys_admin"])
    html = client.get(reverse("registers:print", args=["room_entries"])).content.decode()
    assert "保守 一郎" in html and "令和" in html and "確認印" in html
    media_html = client.get(reverse("registers:print", args=["media"])).content.decode()
    assert "確認印" not in media_html  # the media register's form has no seal box


def test_the_api_serves_every_register_and_refuses_an_unescorted_vendor(client, filled000):
    client.force_login(filled000["sys_admin"])
    data = client.get("/api/v1/registers/tables/room-entries").json()
    assert data["title"] == "入退室管理簿" and data["rows"][0][4] == "保守 一郎"
    room_id = rooms.Room.objects.get().pk
    response = client.post(f"/api/v1/registers/rooms/{room_id}/entries", {
        "kind": "vendor", "purpose": "保守", "visitor_name": "保守 二郎", "identification": "社員証", "name_tag": "V-2"},
        content_type="application/json")
    assert response.status_code == 403 and "立会者" in response.json()["detail"]
    assert response.json()["article"] == "000 §13.4"


def test_an_auditor_reads_the_registers_but_an_operator_records_no_entry(client, filled000):
    client.force_login(filled000["operator"])
    response = client.post(reverse("registers:room", args=[rooms.Room.objects.get().pk]),
                           {"e-kind": "vendor", "e-purpose": "保守", "e-visitor_name": "X"})
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("url", ["registers:rooms", "registers:assets", "registers:ids", "registers:print_index"])
def test_the_pages_render(client, filled000, url):
    client.force_login(filled000["sys_admin"])
    assert client.get(reverse(url)).status_code == 200


def test_a_record_book_whose_form_has_a_seal_box_prints_it(client, activate, make_user):
    activate("hyogo-kyosai")
    client.force_login(make_user("kagi", "key_custodian"))
    assert "確認印" in client.get(reverse("ledgers:register_print", args=["key_custody"])).content.decode()
    assert "確認印" not in client.get(reverse("ledgers:register_print", args=["number_system_ids"])).content.decode()
