"""Typed registers (issue 17, R-REG-0): every shipped profile's registers with their typed fields; an entry is
validated against them and refused in Japanese naming the field; a reworded label keeps old entries readable;
old entries keep their form version; entries written under the label are re-keyed by the data migration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tokutei.ledgers import services
from tokutei.ledgers.layouts import register_table
from tokutei.ledgers.models import RegisterEntry
from tokutei.policy import Actor
from tokutei.profiles.schema import Register, RegisterField
from tokutei.registers import typed

PROFILES = ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"]


@pytest.mark.parametrize("name", PROFILES)
def test_each_shipped_profile_shows_its_registers_with_their_typed_fields(activate, make_user, client, name):
    profile = activate(name)
    everyone = make_user("everyone", *profile.roles, tasks=list(profile.selectable_tasks()))
    client.force_login(everyone)
    assert profile.registers
    for key, register in profile.registers.items():
        fields = register.current_fields()
        assert fields and all(f.key != f.ja for f in fields), key  # every field has a stable key
        assert len({f.key for f in fields}) == len(fields)
        page = client.get(reverse("ledgers:register", args=[key])).content.decode()
        for f in fields:
            assert f.ja in page, (key, f.ja)


def _hyogo(activate, make_user):
    profile = activate("hyogo-kyosai")
    return profile, make_user("kagi", "key_custodian"), make_user("hogo", "protection_officer")


def test_a_required_field_left_empty_is_refused_naming_the_field(activate, make_user):
    _profile, custodian, _officer = _hyogo(activate, make_user)
    with pytest.raises(ValidationError) as exc:
        services.add_register_entry(actor=Actor.console(custodian), register="key_custody",
                                    values={"key_name": "キャビネット鍵1"})
    messages = " ".join(exc.value.messages)
    assert "「保管場所」は必須です" in messages and "「管理者」は必須です" in messages
    assert not RegisterEntry.objects.exists()


def test_a_value_of_the_wrong_type_is_refused_naming_the_field(activate, make_user):
    _profile, custodian, _officer = _hyogo(activate, make_user)
    from tokutei.registers.models import Room

    room = Room.objects.create(name="事務室キャビネット", room_class="handling_area", created_by=custodian)
    good = {"key_name": "鍵1", "place": room.pk, "custodian": custodian.pk}
    for field, bad, label in [("lent_at", "きのう", "貸出日時"), ("custodian", 999_999, "管理者"),
                              ("place", "金庫", "保管場所")]:
        with pytest.raises(ValidationError) as exc:
            services.add_register_entry(actor=Actor.console(custodian), register="key_custody",
                                        values={**good, field: bad})
        assert f"「{label}」" in " ".join(exc.value.messages)
    entry = services.add_register_entry(actor=Actor.console(custodian), register="key_custody",
                                        values={**good, "lent_at": "2026-04-01 09:30"})
    assert entry.values == {"key_name": "鍵1", "place": room.pk, "custodian": custodian.pk,
                            "lent_at": "2026-04-01T09:30"}


def test_a_number_field_refuses_text_and_a_choice_field_refuses_what_is_not_a_choice(activate, make_user):
    profile = activate("hyogo-kyosai")
    officer = make_user("hogo", "protection_officer")
    values = {"made_on": "令和8年4月1日", "verdict": "適", "selection": "新規", "vendor": "株式会社委託",
              "work": "入力業務"}
    entry = services.add_register_entry(actor=Actor.console(officer), register="vendor_evaluations", values=values)
    assert entry.values["made_on"] == "2026-04-01" and entry.values["verdict"] == "fit"
    with pytest.raises(ValidationError) as exc:
        services.add_register_entry(actor=Actor.console(officer), register="vendor_evaluations",
                                    values={**values, "verdict": "たぶん"})
    assert "「最終判定」は次から選んでください" in " ".join(exc.value.messages)
    definition = Register(ja="数", article="x", fields=[RegisterField(key="n", ja="件数", type="number")])
    with pytest.raises(ValidationError, match="「件数」には数値を入力してください"):
        typed.validate(definition, {"n": "多数"}, profile=profile)


def test_a_linkage_id_is_activated_only_with_the_recorded_application_to_the_federation(activate, make_user):
    """E-44: 情報連携システムID の利用開始には連合会への申請と交付の記録が要る (004 §14(2), §14(7))."""
    activate("hyogo-kyosai")
    officer = make_user("hogo", "protection_officer")
    handler = make_user("tanto", "handler")
    base = {"handler": handler.pk, "linkage_id": "RK-0001"}
    with pytest.raises(ValidationError) as exc:
        services.add_register_entry(actor=Actor.console(officer), register="linkage_ids",
                                    values={**base, "activated_on": "2026-04-10"})
    assert "「利用開始日」を記録するには、先に「連合会への申請日、連合会の交付日」の記録が必要です" in exc.value.messages[0]
    entry = services.add_register_entry(actor=Actor.console(officer), register="linkage_ids",
                                        values={**base, "applied_on": "2026-04-01", "issued_on": "2026-04-08",
                                                "activated_on": "2026-04-10"})
    assert entry.form_version == 2


def test_a_reworded_label_keeps_old_entries_readable_and_their_form_version(activate, make_user, settings):
    """Old entries keyed by the old label (before typing) and by key (after) read the same after a rewording."""
    profile = activate("hyogo-kyosai")
    officer = make_user("hogo", "protection_officer")
    handler = make_user("tanto", "handler")
    # An entry made before the registers were typed: keyed by the old label 申請日, form version 1.
    RegisterEntry.objects.create(register="linkage_ids", entry_no=1, values={"申請日": "2025-04-01", "ID": "OLD-1"},
                                 created_by=officer, form_version=1)
    services.add_register_entry(actor=Actor.console(officer), register="linkage_ids",
                                values={"handler": handler.pk, "linkage_id": "NEW-2", "applied_on": "2026-04-01"})
    table = register_table(profile, "linkage_ids", list(RegisterEntry.objects.order_by("entry_no")))
    applied = table["columns"].index("連合会への申請日")
    assert table["rows"][0][applied] == "令和7年4月1日" and table["rows"][1][applied] == "令和8年4月1日"
    assert "様式第1版" in table["rows"][0][-1] and "様式" not in table["rows"][1][-1]
    # The organisation rewords the label once more: nothing is orphaned, both entries still show their date.
    reworded = profile.registers["linkage_ids"].model_copy(update={"fields": [
        f.model_copy(update={"ja": "申請年月日（連合会）", "formerly": [*f.formerly, f.ja]})
        if isinstance(f, RegisterField) and f.key == "applied_on" else f
        for f in profile.registers["linkage_ids"].fields]})
    changed = profile.model_copy(update={"registers": {**profile.registers, "linkage_ids": reworded}})
    table = register_table(changed, "linkage_ids", list(RegisterEntry.objects.order_by("entry_no")))
    applied = table["columns"].index("申請年月日（連合会）")
    assert [r[applied] for r in table["rows"]] == ["令和7年4月1日", "令和8年4月1日"]


def test_the_data_migration_moves_label_keyed_values_to_the_field_keys(activate, make_user):
    profile = activate("sendai-kyosai")
    admin = make_user("kanri", "sys_admin")
    old = {"入退室日時": "令和8年4月1日 9:00", "氏名": "保守 一郎", "用件": "定期保守", "備考欄": "旧様式の欄"}
    moved = typed.to_key_values(profile.registers["room_entry"], old)
    assert moved == {"entered_at": "令和8年4月1日 9:00", "name": "保守 一郎", "purpose": "定期保守",
                     "備考欄": "旧様式の欄"}
    entry = RegisterEntry.objects.create(register="room_entry", entry_no=1, values=old, created_by=admin)
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tokutei.ledgers.migrations.0004_typed_register_entries")
    migration.rekey(apps, None)
    entry.refresh_from_db()
    assert entry.values == moved
    # A typed value the old free text cannot be read as is shown as written.
    assert register_table(profile, "room_entry", [entry])["rows"][0][1] == "令和8年4月1日 9:00"


def test_a_profile_with_a_choice_field_without_choices_or_a_duplicate_key_is_refused():
    from tokutei.profiles.schema import typed_register_errors

    data = {"registers": {"r": {"fields": [{"key": "a", "ja": "A", "type": "choice"}, {"key": "a", "ja": "B"},
                                           {"key": "c", "ja": "C", "requires": ["zz"]}]}}}
    errors = typed_register_errors(data, lambda *a: None)
    assert {p for p, _m in errors} == {"registers.r.fields", "registers.r.fields.a", "registers.r.fields.c.requires"}


def test_the_api_refuses_an_entry_with_a_required_field_empty_naming_it(client, activate, make_user):
    activate("hyogo-kyosai")
    client.force_login(make_user("kagi", "key_custodian"))
    response = client.post("/api/v1/ledgers/registers/key_custody", {"values": {"key_name": "鍵1", "lent_at": "x"}},
                           content_type="application/json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "「保管場所」は必須です" in detail and "「貸出日時」には日時を入力してください" in detail
    book = client.get("/api/v1/ledgers/registers/key_custody").json()
    assert [f["key"] for f in book["fields"]] == ["key_name", "place", "custodian", "lent_at", "returned_at"]
    assert book["entries"] == []
