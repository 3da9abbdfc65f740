"""The registers' pages: media, carry-outs, documents, exports — and the old /approvals/ addresses."""

from __future__ import annotations

import re

import pytest

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.approvals.tests.conftest import a_unit
from tokutei.policy import Actor
from tokutei.registers.services import media


def test_a_carry_out_page_refuses_without_both_approvals(client, officers000):
    o = officers000
    co = media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="相手方", media_type="紙", quantity=1,
                                record_count=3, protections=["strict_packaging"])
    client.force_login(o["operator"])
    client.post(f"/registers/carry-outs/{co.pk}/", {"request_approval": "1"})
    req = ApprovalRequest.objects.get()
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    shown = client.get(f"/registers/carry-outs/{co.pk}/").content.decode()
    assert "未承認: 住基ネットシステム管理者" in shown and "承認を申請する" not in shown
    page = client.post(f"/registers/carry-outs/{co.pk}/", {"carry_out": "1", "c-approval_id": req.pk},
                       follow=True).content.decode()
    assert "住基ネットシステム管理者 の承認がありません" in page
    services.decide(actor=Actor.console(o["sys_admin"]), request_id=req.pk, approve=True)
    client.post(f"/registers/carry-outs/{co.pk}/", {"carry_out": "1", "c-approval_id": req.pk})
    co.refresh_from_db()
    assert co.status == "out"


@pytest.mark.parametrize("url", ["/registers/media/", "/registers/carry-outs/", "/registers/documents/",
                                 "/registers/exports/"])
def test_pages_render(client, officers000, url):
    client.force_login(officers000["sys_admin"])
    assert client.get(url).status_code == 200


def test_detail_pages_render_with_records(client, officers000):
    o = officers000
    m = media.register_medium(actor=Actor.console(o["operator"]), label="M-77", kind="usb", storage_place="保管庫")
    media.record_fault_check(actor=Actor.console(o["sys_admin"]), medium_id=m.pk, has_fault=True, description="読取不良")
    co = media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="相手方", media_type="USB", quantity=1,
                                record_count=3, protections=["locked_container"], medium_id=m.pk)
    doc = media.register_document(actor=Actor.console(o["sys_admin"]), title="設計書", kind="design", storage_place="書庫")
    client.force_login(o["sys_admin"])
    for url in (f"/registers/media/{m.pk}/", f"/registers/carry-outs/{co.pk}/", f"/registers/documents/{doc.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "障害あり" in client.get(f"/registers/media/{m.pk}/").content.decode()


def test_the_web_export_shows_the_passphrase_once_and_never_caches_it(client, activate, make_user, export_dir,
                                                                      monkeypatch):
    from tokutei.registers.services import exports
    from tokutei.registers.services.exports import Rows

    activate("sayama")
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"], unit=a_unit()), make_user("kacho", "pm", unit=a_unit())
    defaults = exports.export_people.__kwdefaults__
    assert defaults is not None
    monkeypatch.setattr(exports.export_people, "__kwdefaults__",
                        {**defaults,
                         "source": lambda **_: Rows(True, ["name"], [(1, 1, {"name": "試験 太郎"})])})
    req = services.create_request(actor=Actor.console(staff), operation="copy", particulars={"purpose": "local_tax"})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    client.force_login(staff)
    response = client.post("/registers/exports/", {"purpose": "local_tax", "recipient": "税務課",
                                                   "approval_id": req.pk})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    found = re.search(r"<code>([A-Z2-9-]{29})</code>", page)
    assert found is not None
    passphrase = found.group(1)
    listing = client.get("/registers/exports/").content.decode()
    assert "税務課" in listing and passphrase not in listing
    download = client.get(f"/registers/exports/{exports.TemporaryCopy.objects.get().pk}/download/")
    assert download.status_code == 200
    assert "試験".encode() not in b"".join(download.streaming_content)


@pytest.mark.parametrize("old", ["/approvals/media/", "/approvals/carry-outs/7/", "/approvals/documents/3/",
                                 "/approvals/exports/5/download/"])
def test_the_old_addresses_under_approvals_lead_to_the_registers(client, officers000, old):
    client.force_login(officers000["sys_admin"])
    response = client.get(old + "?x=1")
    assert response.status_code == 308
    assert response["Location"] == old.replace("/approvals/", "/registers/") + "?x=1"


def test_a_form_posted_to_an_old_address_keeps_its_method(client, officers000):
    client.force_login(officers000["operator"])
    response = client.post("/approvals/media/", {"label": "M-9"})
    assert response.status_code == 308  # a 308 is re-sent as the same POST with the same body
