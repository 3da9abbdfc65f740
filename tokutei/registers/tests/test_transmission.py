"""送信 (002 §11(2), §24; E-08, E-45): sending an export file is an operation of its own, on the 保護管理者's
recorded instruction, over a channel chosen from the profile's list; a channel without path encryption is
refused; the sending appears in the handling-status record like an export. Page and API alike."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tokutei.approvals import services
from tokutei.approvals.tests.conftest import a_unit
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.ledgers.models import HandlingRecord
from tokutei.policy import Actor
from tokutei.registers.models import Transmission
from tokutei.registers.services import exports, transmissions
from tokutei.registers.services.exports import Rows

ARTICLE = "002 §11(2), §24"


def _rows(**_kwargs):
    return Rows(True, ["name"], [(1, 7, {"name": "試験 太郎"}), (2, 7, {"name": "試験 花子"})])


@pytest.fixture
def sayama(activate, make_user, export_dir):
    activate("sayama")
    unit = a_unit()
    staff, pm = make_user("staff1", "staff", tasks=["local_tax"], unit=unit), make_user("kacho", "pm", unit=unit)
    req = services.create_request(actor=Actor.console(staff), operation="copy", particulars={"purpose": "local_tax"})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    copy, _passphrase = exports.export_people(actor=Actor.console(staff, purpose="local_tax"), recipient="税務課",
                                              approval_id=req.pk, source=_rows)
    return staff, pm, copy


def _instruction(staff, pm, purpose="local_tax"):
    req = services.create_request(actor=Actor.console(staff), operation="transmit", particulars={"purpose": purpose})
    services.decide(actor=Actor.console(pm), request_id=req.pk, approve=True)
    return req


def _send(staff, copy, **kwargs):
    return transmissions.transmit(actor=Actor.console(staff, purpose="local_tax"), copy_id=copy.pk,
                                  recipient="県税務課", **{"channel": "lgwan", **kwargs})


def test_it_refuses_a_transmission_without_the_protection_managers_instruction(sayama):
    staff, _pm, copy = sayama
    with pytest.raises(Refused) as exc:
        _send(staff, copy)
    assert "保護管理者 の承認がありません" in exc.value.message and exc.value.article == ARTICLE
    assert Entry.objects.filter(action="vault.transmit", result=Entry.Result.REFUSED).count() == 1
    assert not Transmission.objects.exists()


def test_it_refuses_a_channel_without_path_encryption_and_logs_it(sayama):
    staff, pm, copy = sayama
    req = _instruction(staff, pm)
    with pytest.raises(Refused) as exc:
        _send(staff, copy, channel="plain_mail", approval_id=req.pk)
    assert "暗号化されていない" in exc.value.message and exc.value.article == ARTICLE
    entry = Entry.objects.get(action="vault.transmit", result=Entry.Result.REFUSED)
    assert entry.details["code"] == "unencrypted_channel" and entry.article == ARTICLE
    with pytest.raises(Refused, match="一覧から選択"):
        _send(staff, copy, channel="USBで手渡し", approval_id=req.pk)  # not free text
    assert not Transmission.objects.exists()
    req.refresh_from_db()
    assert req.used_at is None  # the instruction is still there for a protected channel


def test_a_transmission_on_instruction_is_recorded_in_the_handling_record(sayama):
    staff, pm, copy = sayama
    req = _instruction(staff, pm)
    sent = _send(staff, copy, approval_id=req.pk)
    assert sent.channel == "lgwan" and sent.approval_id == req.pk and sent.recipient == "県税務課"
    entry = Entry.objects.get(action="vault.transmit", result=Entry.Result.OK)
    assert entry.details["channel"] == "lgwan" and entry.count == 2
    row = HandlingRecord.objects.get(action="vault.transmit")
    assert row.stage == "provision" and row.recipient == "県税務課" and "LGWAN" in row.method
    with pytest.raises(Refused, match="既に使用"):  # an instruction covers one sending
        _send(staff, copy, approval_id=req.pk)


def test_an_instruction_for_another_task_does_not_cover_the_file(sayama):
    staff, pm, copy = sayama
    req = _instruction(staff, pm, purpose="child_allowance")
    with pytest.raises(Refused, match="目的"):
        _send(staff, copy, approval_id=req.pk)


def test_someone_elses_export_file_cannot_be_sent(sayama, make_user):
    _staff, pm, copy = sayama
    other = make_user("staff2", "staff", tasks=["local_tax"], unit=a_unit())
    req = _instruction(other, pm)
    with pytest.raises(Refused) as exc:
        _send(other, copy, approval_id=req.pk)
    assert exc.value.code == "not_found"


def test_the_page_offers_only_the_profiles_channels_and_sends(sayama, make_terminal):
    staff, pm, copy = sayama
    terminal, credential = make_terminal("窓口端末1")
    c = Client()
    c.force_login(staff)
    c.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    page = c.get(f"/registers/exports/{copy.pk}/transmit/").content.decode()
    assert "LGWAN" in page and "暗号化なし・送信できません" in page
    req = _instruction(staff, pm)
    page = c.get(f"/registers/exports/{copy.pk}/transmit/").content.decode()
    assert '<select name="approval_id"' in page and f'<option value="{req.pk}">' in page  # chosen, not typed
    refused = c.post(f"/registers/exports/{copy.pk}/transmit/",
                     {"channel": "plain_mail", "recipient": "県税務課", "approval_id": req.pk})
    assert refused.status_code == 403 and "暗号化されていない" in refused.content.decode()
    done = c.post(f"/registers/exports/{copy.pk}/transmit/",
                  {"channel": "tls_transfer", "recipient": "県税務課", "approval_id": req.pk})
    assert done.status_code == 302
    assert Transmission.objects.get().channel == "tls_transfer"
    assert Entry.objects.get(action="vault.transmit", result=Entry.Result.OK).terminal_id == terminal.pk


def test_the_api_sends_and_refuses_like_the_page(sayama, make_terminal):
    staff, pm, copy = sayama
    _terminal, credential = make_terminal("窓口端末1")
    c = Client()
    c.force_login(staff)
    path = f"/api/v1/registers/exports/{copy.pk}/transmit"
    headers = {"X-Tokutei-Terminal": credential}
    r = c.post(path, {"channel": "lgwan", "recipient": "県税務課"}, content_type="application/json", headers=headers)
    assert r.status_code == 403 and r.json()["article"] == ARTICLE
    req = _instruction(staff, pm)
    r = c.post(path, {"channel": "plain_mail", "recipient": "県税務課", "approval_id": req.pk},
               content_type="application/json", headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "unencrypted_channel"
    r = c.post(path, {"channel": "lgwan", "recipient": "県税務課", "approval_id": req.pk},
               content_type="application/json", headers=headers)
    assert r.status_code == 200, r.content
    assert r.json()["channel"] == "lgwan" and r.json()["approval_id"] == req.pk


def test_an_organisation_without_the_rule_has_no_transmission_operation(activate, make_user, export_dir):
    profile = activate("inabe")
    handler = make_user("tanto", "handler", tasks=["health_insurance"])
    copy, _ = exports.export_people(actor=Actor.console(handler, purpose="health_insurance"), recipient="年金事務所",
                                    source=_rows)
    with pytest.raises(Refused) as exc:
        transmissions.transmit(actor=Actor.console(handler, purpose="health_insurance"), copy_id=copy.pk,
                               channel="lgwan", recipient="年金事務所")
    assert exc.value.code == "no_transmission" and exc.value.article == profile.organisation.article
