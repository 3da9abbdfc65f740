"""A register's page leads to the approval request form of the right kind with its object already chosen
(a picker, not a typed number): a terminal's take-out or bring-in from its asset page (002 §32.2, E-18), a
person's 照合情報 registration or deletion from the ID registers (000 §7.3, E-10); submitted, the request is
for that object."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from tokutei.approvals.models import ApprovalRequest
from tokutei.approvals.services import decide
from tokutei.policy import Actor
from tokutei.registers.services import assets

from .test_assets import _terminal_asset, sayama  # noqa: F401 (fixture)
from .test_ids import _approved, _enrol, webauthn  # noqa: F401 (fixture)


def _link(page: str, text: str) -> str:
    found = re.search(r'<a href="([^"]+)">' + re.escape(text) + "</a>", page)
    assert found, text
    return html.unescape(found.group(1))


def _operation(page: str) -> str:
    """The kind of request the form is for (chosen before the form opens: a hidden field)."""
    found = re.search(r'name="operation" value="([^"]*)"', page)
    assert found, "operation"
    return found.group(1)


def _selected(page: str, name: str) -> str:
    select = re.search(r'<select name="' + name + r'".*?</select>', page, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else ""


def test_the_take_out_link_of_a_terminal_opens_the_request_form_with_that_terminal_chosen(client, sayama):  # noqa: F811
    asset = _terminal_asset(sayama)
    client.force_login(sayama["staff"])
    url = _link(client.get(reverse("registers:asset", args=[asset.pk])).content.decode(), "持出しの承認を申請")
    form = client.get(url).content.decode()
    assert _operation(form) == "terminal_carry_out" and _selected(form, "terminal") == str(asset.pk)
    assert 'name="terminal_id"' not in form and 'name="asset_id"' not in form  # no number to type
    response = client.post(url, {"operation": "terminal_carry_out", "terminal": str(asset.pk), "destination": "研修会場",
                                 "note": "研修で使う"})
    req = ApprovalRequest.objects.get()
    assert response.status_code == 302 and req.operation == "terminal_carry_out"
    assert req.particulars["asset_id"] == asset.pk and req.requester == sayama["staff"]
    assert asset.tag in client.get(reverse("approvals:detail", args=[req.pk])).content.decode()
    decide(actor=Actor.console(sayama["pm"]), request_id=req.pk, approve=True)
    movement = assets.move_terminal(actor=Actor.console(sayama["staff"]), asset_id=asset.pk, direction="out",
                                    reason="研修会場", approval_id=req.pk)
    assert movement.approval == req


def test_the_bring_in_link_chooses_the_bring_in_approval(client, sayama):  # noqa: F811
    asset = _terminal_asset(sayama)
    client.force_login(sayama["staff"])
    url = _link(client.get(reverse("registers:asset", args=[asset.pk])).content.decode(), "持込みの承認を申請")
    assert _operation(client.get(url).content.decode()) == "terminal_bring_in"


def test_the_id_registers_link_to_the_registration_and_deletion_applications_of_that_person(
        client, officers000, webauthn):  # noqa: F811
    operator, site_admin = officers000["operator"], officers000["site_admin"]
    client.force_login(site_admin)
    page = client.get(reverse("registers:ids")).content.decode()
    links = [html.unescape(u) for u in re.findall(r'<a href="([^"]+)">登録を申請</a>', page)]
    url = next(u for u in links if u.endswith(f"subject={operator.pk}"))
    form = client.get(url).content.decode()
    assert _operation(form) == "biometric_register" and _selected(form, "subject") == str(operator.pk)
    client.post(url, {"operation": "biometric_register", "subject": str(operator.pk), "note": "生体認証の登録"})
    req = ApprovalRequest.objects.get()
    assert req.operation == "biometric_register" and req.subject == operator and req.requester == site_admin
    decide(actor=Actor.console(officers000["sys_admin"]), request_id=req.pk, approve=True)
    _enrol(operator)  # the approved application lets the operator enrol
    url = _link(client.get(reverse("registers:ids")).content.decode(), "削除を申請")
    assert _selected(client.get(url).content.decode(), "subject") == str(operator.pk)
    client.post(url, {"operation": "biometric_delete", "subject": str(operator.pk), "note": "生体認証の削除"})
    assert ApprovalRequest.objects.filter(operation="biometric_delete", subject=operator).exists()


def test_who_may_not_apply_is_offered_no_application_link(client, officers000):
    client.force_login(officers000["operator2"])  # not a 拠点管理者
    response = client.get(reverse("registers:ids"))
    page = response.content.decode()
    assert response.status_code == 200 and "照合情報管理簿" in page
    assert "登録を申請" not in page and "削除を申請" not in page
