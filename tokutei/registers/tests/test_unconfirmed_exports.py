"""E-24 (004 §14(3)②): a record still awaiting the second person's check, in an export.

The profile decides (``intake.unconfirmed_in_exports``, docs/registers.md): ``refuse`` — the whole export is
refused and logged, citing the profile's confirmation article — or ``flag`` — it is exported, and the file says
which records are unconfirmed (a column 「入力内容の確認」 holding 「未確認」). Every shipped profile refuses; the
flag mode is tried here with the test profile changed accordingly.
"""

from __future__ import annotations

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.profiles.citations import cite
from tokutei.registers.models import TemporaryCopy
from tokutei.registers.services import exports
from tokutei.vault.models import Person
from tokutei.vault.services import confirm_person
from tokutei.vault.tests import conftest as vault
from tokutei.vault.tests.test_intake import intake, number

# The vault's T98 organisation (a second-person check at intake, 004 §14(3)②), its handlers and key store.
key_dir, t98, terminal, handler, checker, pension_file = (vault.key_dir, vault.t98, vault.terminal, vault.handler,
                                                          vault.checker, vault.pension_file)


@pytest.fixture
def entered(handler, checker, terminal, pension_file, export_dir):
    """Two people entered by the handler: the first confirmed by a second handler, the second still waiting."""
    first = intake(handler, terminal, pension_file, number(21)).person
    confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=first, method="re_entry",
                   my_number=number(21))
    waiting = intake(handler, terminal, pension_file, number(22), name="佐藤 花子").person
    assert Person.objects.get(pk=waiting.pk).status == Person.Status.UNCONFIRMED
    return {"confirmed": first, "waiting": waiting}


@pytest.fixture
def flag_mode(t98, monkeypatch):
    """The organisation's profile with ``unconfirmed_in_exports: flag`` (no shipped profile chooses it)."""
    flagged = t98.model_copy(update={"intake": t98.intake.model_copy(update={"unconfirmed_in_exports": "flag"})})
    monkeypatch.setattr("tokutei.profiles.selectors._profile_in_force", lambda: flagged)
    return flagged


def _export(user, terminal, **kwargs):
    return exports.export_people(actor=Actor(user=user, terminal=terminal, purpose="pension"), recipient="年金課",
                                 **kwargs)


def _rows(copy, passphrase) -> list[list[str]]:
    import csv
    import io

    text = exports.decrypt_export(exports.copy_path(copy).read_bytes(), passphrase).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- refuse (the shipped default) ---------------------------------------------------------------------------


def test_an_export_holding_an_unconfirmed_record_is_refused_and_logged(t98, handler, terminal, entered):
    assert t98.intake.unconfirmed_in_exports == "refuse"
    with pytest.raises(Refused) as refused:
        _export(handler, terminal)
    assert "確認" in refused.value.message and refused.value.article == t98.intake.confirmation_article
    entry = Entry.objects.get(action="vault.export", result=Entry.Result.REFUSED)
    assert entry.article == t98.intake.confirmation_article and entry.details["unconfirmed"] == 1
    assert not TemporaryCopy.objects.exists()


def test_the_export_page_refuses_it_with_the_profiles_article(client, settings, t98, handler, terminal, entered,
                                                              make_terminal):
    _web_terminal, credential = make_terminal("窓口端末2")
    client.force_login(handler)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    response = client.post("/registers/exports/", {"purpose": "pension", "recipient": "年金課"})
    assert response.status_code == 403
    assert cite(t98.intake.confirmation_article) in response.content.decode()
    assert Entry.objects.filter(action="vault.export", result=Entry.Result.REFUSED, actor_id=handler.pk).count() == 1
    assert not TemporaryCopy.objects.exists()


def test_an_export_of_confirmed_records_only_goes_ahead(t98, handler, terminal, entered):
    copy, passphrase = _export(handler, terminal, person_ids=[entered["confirmed"].pk])
    rows = _rows(copy, passphrase)
    assert len(rows) == 2 and exports.CONFIRMATION_COLUMN not in rows[0]


def test_the_clerk_can_export_everyone_already_confirmed_without_naming_anyone(client, settings, t98, handler,
                                                                            terminal, entered, make_terminal):
    """「入力内容の確認が済んだ本人のみ」: the records awaiting their check are left out, not the whole export
    refused — and the clerk types no record number; the log entry says how many were left out."""
    _web_terminal, credential = make_terminal("窓口端末3")
    client.force_login(handler)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    page = client.get("/registers/exports/").content.decode()
    assert "入力内容の確認が済んだ本人のみ" in page and "内部ID" not in page
    response = client.post("/registers/exports/", {"purpose": "pension", "recipient": "年金課", "people": "confirmed"})
    assert response.status_code == 200, response.content.decode()[:500]
    copy = TemporaryCopy.objects.get()
    assert copy.record_count == 1
    entry = Entry.objects.get(action="vault.export", result=Entry.Result.OK)
    assert entry.details["person_ids"] == [entered["confirmed"].pk] and entry.details["unconfirmed_left_out"] == 1


def test_choosing_people_by_number_needs_the_numbers(client, settings, t98, handler, terminal, entered,
                                                    make_terminal):
    _web_terminal, credential = make_terminal("窓口端末4")
    client.force_login(handler)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    response = client.post("/registers/exports/", {"purpose": "pension", "recipient": "年金課", "people": "chosen"})
    assert "出力する本人の整理番号を入力してください" in response.content.decode()
    assert not TemporaryCopy.objects.exists()
    response = client.post("/registers/exports/", {"purpose": "pension", "recipient": "年金課", "people": "chosen",
                                                   "person_ids": f"#{entered['confirmed'].pk}"})
    assert response.status_code == 200 and TemporaryCopy.objects.get().record_count == 1


# --- flag (a profile override) ------------------------------------------------------------------------------


def test_in_flag_mode_the_unconfirmed_record_is_exported_with_its_mark(flag_mode, handler, terminal, entered):
    copy, passphrase = _export(handler, terminal)
    header, *people = _rows(copy, passphrase)
    assert header[-1] == "入力内容の確認"
    name = header.index(flag_mode.fields["name"].ja)
    marks = {row[name]: row[-1] for row in people}
    assert marks == {"山田 太郎": "", "佐藤 花子": "未確認"}
    logged = Entry.objects.get(action="vault.export", result=Entry.Result.OK)
    assert logged.details["unconfirmed_flagged"] == 1


def test_in_flag_mode_an_export_without_unconfirmed_records_has_the_same_columns(flag_mode, handler, terminal,
                                                                                 entered):
    copy, passphrase = _export(handler, terminal, person_ids=[entered["confirmed"].pk])
    header, row = _rows(copy, passphrase)
    assert header[-1] == "入力内容の確認" and row[-1] == ""
