"""End to end: what the vault does shows up in the handling-status record, and no personal data does."""

from __future__ import annotations

import pytest
from django.db import connection

from tokutei.core.errors import Refused
from tokutei.ledgers import services
from tokutei.ledgers.selectors import form_tables, handling_records
from tokutei.policy import Actor

vault_services = pytest.importorskip("tokutei.vault.services")

MY_NUMBER = "123456789018"
NAME = "山田 花子"


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield
    keys.reset_cache()


def test_intake_view_reveal_and_a_refusal_reach_the_record_without_personal_data(activate, make_user,
                                                                                   make_terminal):
    profile = activate("T99")
    terminal, _credential = make_terminal()
    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    file = vault_services.create_file(actor=Actor(user=clerk, terminal=terminal), name="給与ファイル", tasks=["payroll"])
    person = vault_services.intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=file,
                                          values={"my_number": MY_NUMBER, "name": NAME}).person
    vault_services.view_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=person)
    vault_services.view_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=person, reveal=True)
    with pytest.raises(Refused):
        vault_services.view_person(actor=Actor(user=clerk, terminal=terminal, purpose="insurance"), person=person, reveal=True)

    services.sign_off_file(actor=Actor.console(clerk), file_id=file.pk)  # the responsible person (create_file's actor)
    services.sync_from_log()
    rows = list(handling_records(profile, file_id=file.pk))
    assert [(r.action, r.result, r.purpose) for r in rows if r.action != "vault.view" or r.result == "ok"][:3] == [
        ("vault.intake", "ok", "payroll"), ("vault.view", "ok", "payroll"), ("vault.reveal", "ok", "payroll"),
    ]
    refused = [r for r in handling_records(profile) if r.result == "refused"]
    assert refused and refused[0].purpose == "insurance" and refused[0].stage == "use"
    assert form_tables(profile, rows)  # T99 has no form: one table per stage

    with connection.cursor() as cursor:
        for table in ("ledgers_handlingrecord", "ledgers_fileregistersignoff", "ledgers_registerentry"):
            cursor.execute(f"SELECT * FROM {table}")
            dump = repr(cursor.fetchall())
            assert MY_NUMBER not in dump and NAME not in dump and "山田" not in dump


def test_a_reveal_and_a_refusal_through_the_api_show_up_with_their_purpose(activate, make_user, make_terminal,
                                                                          client):
    activate("T99")
    terminal, credential = make_terminal()
    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    file = vault_services.create_file(actor=Actor(user=clerk, terminal=terminal), name="給与ファイル", tasks=["payroll"])
    person = vault_services.intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=file,
                                          values={"my_number": MY_NUMBER, "name": NAME}).person
    client.force_login(clerk)
    headers = {"HTTP_X_TOKUTEI_TERMINAL": credential}
    url = f"/api/v1/vault/people/{person.pk}"
    assert client.get(url, {"purpose": "payroll", "reveal": "true"}, **headers).status_code == 200
    assert client.get(url, {"purpose": "insurance", "reveal": "true"}, **headers).status_code in (403, 404)

    rows = client.get("/api/v1/ledgers/handling", **headers).json()
    reveals = [(r["purpose"], r["result"]) for r in rows if r["action"] == "vault.reveal"]
    assert ("payroll", "ok") in reveals and ("insurance", "refused") in reveals
    assert MY_NUMBER not in repr(rows) and NAME not in repr(rows)
