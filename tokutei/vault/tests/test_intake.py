"""Intake: check digit (E-23), identity verification (E-21, E-22), duplicates, second person (E-24),
storage site (E-34), corrections with history (002 §12), deletion with a second person (E-25)."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.jp import in_

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.vault.codec import FieldErrors, decrypt_person_fields
from tokutei.vault.models import Person, PersonCorrection
from tokutei.vault.services import (
    confirm_deletion,
    confirm_person,
    correct_person,
    correction_values,
    intake_person,
    request_deletion,
    set_installation_site,
)

from .conftest import CARD


def number(seed: int) -> str:
    base = f"{seed:011d}"
    return base + in_.calc_check_digit(base)


def wrong(seed: int) -> str:
    good = number(seed)
    return good[:11] + str((int(good[11]) + 1) % 10)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def intake(actor, terminal, file, mn, purpose="pension", evidence=CARD, channel="from_person", **extra):
    values = {"my_number": mn, "name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": "1960-05-01", **extra}
    return intake_person(actor=Actor(user=actor, terminal=terminal, purpose=purpose), file=file, values=values,
                         channel=channel, evidence=evidence)


def test_it_accepts_a_full_width_number_and_stores_it_normalised(clerk, terminal, payroll_file):
    result = intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=payroll_file,
                           values={"my_number": full_width("1234 5678 9018"), "name": "山田 太郎"})
    values = decrypt_person_fields(result.person.data, file_id=payroll_file.pk)
    assert values["my_number"] == "123456789018"
    assert result.person.status == Person.Status.CONFIRMED  # T99 has no second-person rule


def test_it_refuses_a_wrong_check_digit_in_japanese_and_logs_it(handler, terminal, pension_file):
    with pytest.raises(Refused) as info:
        intake(handler, terminal, pension_file, wrong(12345))
    assert "個人番号のチェックデジットが正しくありません" in str(info.value)
    assert info.value.article == "T98 §8, §14(1), §14(3)"
    assert Person.objects.count() == 0
    entry = Entry.objects.filter(action="vault.intake", result="refused").get()
    assert wrong(12345) not in str(entry.details) + entry.reason


def test_it_refuses_a_number_of_the_wrong_length(handler, terminal, pension_file):
    with pytest.raises(FieldErrors) as info:
        intake(handler, terminal, pension_file, "12345")
    assert "12桁" in info.value.errors["my_number"]


def test_it_refuses_a_kana_name_of_dots_alone(handler, terminal, pension_file):
    with pytest.raises(FieldErrors) as info:
        intake(handler, terminal, pension_file, number(77), name_kana="・")
    assert "カナで入力してください" in info.value.errors["name_kana"]
    assert Person.objects.count() == 0


@pytest.mark.parametrize("evidence", [
    {"route": "documents", "documents": ["notification_card"], "presentation": "original"},
    {"route": "documents", "documents": ["identity_document"], "presentation": "original"},
    {"route": "preprinted", "documents": ["notification_card"], "presentation": "copy_by_post"},
    {"route": "jlis"},
    {"route": "agent", "agent_documents": ["authority", "agent_identity"]},
    {},
])
def test_it_refuses_intake_without_a_valid_verification(handler, terminal, pension_file, evidence):
    with pytest.raises(Refused) as info:
        intake(handler, terminal, pension_file, number(1), evidence=evidence)
    assert info.value.article == "T98 §8"
    assert Person.objects.count() == 0


@pytest.mark.parametrize(("evidence", "channel"), [
    ({"route": "documents", "documents": ["notification_card", "identity_document"], "presentation": "copy_by_post"},
     "from_person"),
    ({"route": "preprinted", "documents": ["resident_record_copy"], "preprinted_match": True}, "from_person"),
    ({"route": "jlis"}, "jlis_individual"),
    ({"route": "agent", "agent_documents": ["authority", "agent_identity", "principal_number"]}, "from_person"),
])
def test_it_accepts_each_route_of_article_8(handler, terminal, pension_file, evidence, channel):
    result = intake(handler, terminal, pension_file, number(2), evidence=evidence, channel=channel)
    assert result.person.verification["route"] == evidence["route"]


def test_it_refuses_a_duplicate_number_in_the_same_file(handler, terminal, pension_file):
    intake(handler, terminal, pension_file, number(3))
    with pytest.raises(Refused, match="既に登録"):
        intake(handler, terminal, pension_file, full_width(number(3)))


def test_the_enterer_cannot_confirm_but_a_different_handler_can(handler, checker, terminal, pension_file):
    person = intake(handler, terminal, pension_file, number(4)).person
    assert person.status == Person.Status.UNCONFIRMED
    with pytest.raises(Refused, match="入力した本人は確認できません"):
        confirm_person(actor=Actor(user=handler, terminal=terminal, purpose="pension"), person=person, method="re_entry",
                       my_number=number(4))
    with pytest.raises(Refused, match="一致しません"):
        confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=person, method="re_entry",
                       my_number=number(5))
    confirmed = confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=person,
                               method="re_entry", my_number=full_width(number(4)))
    assert confirmed.status == Person.Status.CONFIRMED
    assert confirmed.confirmed_by == checker


def test_read_back_confirmation_needs_the_checker_to_attest_the_match(handler, checker, terminal, pension_file):
    person = intake(handler, terminal, pension_file, number(6)).person
    with pytest.raises(FieldErrors):
        confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=person, method="read_back")
    done = confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=person, method="read_back",
                          matched=True)
    assert done.confirmation_method == "read_back"


def test_it_refuses_writes_on_own_servers_when_the_profile_forbids_them(handler, terminal, pension_file):
    set_installation_site(site="own_server")
    with pytest.raises(Refused) as info:
        intake(handler, terminal, pension_file, number(7))
    assert info.value.article == "T98 §14(4)"


def test_a_correction_keeps_the_old_and_new_values_and_who_instructed_it(handler, checker, terminal,
                                                                        pension_file):
    person = intake(handler, terminal, pension_file, number(8)).person
    confirm_person(actor=Actor(user=checker, terminal=terminal, purpose="pension"), person=person, method="visual",
                   matched=True)
    correction = correct_person(actor=Actor(user=handler, terminal=terminal, purpose="pension"), person=person,
                                changes={"address": "兵庫県神戸市中央区1-1", "my_number": number(9)},
                                instructed_by=checker, reason="転居届による")
    assert correction.field_keys == ["address", "my_number"]
    assert correction_values(correction)["old"]["my_number"] == number(8)
    person.refresh_from_db()
    assert person.status == Person.Status.UNCONFIRMED  # a changed number is checked again
    entry = Entry.objects.filter(action="vault.correct").get()
    assert entry.details["fields"] == ["address", "my_number"]
    assert number(9) not in str(entry.details)
    assert PersonCorrection.objects.count() == 1


def test_deletion_waits_for_a_second_person_and_captures_the_access_history(handler, checker, terminal,
                                                                           pension_file):
    person = intake(handler, terminal, pension_file, number(10)).person
    Person.objects.filter(pk=person.pk).update(retention_trigger_date=dt.date(2000, 1, 1))
    person.refresh_from_db()
    deletion = request_deletion(actor=Actor(user=handler, terminal=terminal, purpose="pension"), person=person)
    person.refresh_from_db()
    assert person.deleted_at is None
    with pytest.raises(Refused, match="削除した本人は確認できません"):
        confirm_deletion(actor=Actor(user=handler, terminal=terminal, purpose="pension"), deletion=deletion)
    deletion = confirm_deletion(actor=Actor(user=checker, terminal=terminal, purpose="pension"), deletion=deletion)
    person.refresh_from_db()
    assert person.deleted_at is not None and person.bi_my_number is None and person.data == b""
    assert [h["action"] for h in deletion.access_history][:2] == ["vault.intake", "vault.delete"]


def test_deletion_is_refused_before_the_retention_period_ends(handler, terminal, pension_file):
    person = intake(handler, terminal, pension_file, number(11)).person
    Person.objects.filter(pk=person.pk).update(retention_trigger_date=dt.date.today())
    person.refresh_from_db()
    with pytest.raises(Refused, match="保存年限"):
        request_deletion(actor=Actor(user=handler, terminal=terminal, purpose="pension"), person=person)


def test_a_file_is_disposed_of_only_through_the_disposal_workflow():
    # The one path is tokutei.retention's execution (tests: retention/tests/test_disposal.py).
    from tokutei.vault import services

    assert not hasattr(services, "dispose_file")


def test_a_file_needs_a_ground_where_the_profile_requires_one(clerk, terminal, t99, monkeypatch):
    from tokutei.vault import services

    strict = t99.model_copy(update={"intake": t99.intake.model_copy(
        update={"ground_required": True, "ground_article": "002 §17–§19"})})
    monkeypatch.setattr(services.files, "get_profile", lambda: strict)
    with pytest.raises(Refused) as info:
        services.create_file(actor=Actor(user=clerk, terminal=terminal), name="根拠なし", tasks=["payroll"])
    assert info.value.article == "002 §17–§19"
    assert services.create_file(actor=Actor(user=clerk, terminal=terminal), name="根拠あり", tasks=["payroll"],
                                ground="番号法 §9④").pk


def test_the_database_itself_refuses_a_second_row_for_a_number_in_a_file(clerk, terminal, payroll_file):
    from django.db import IntegrityError, transaction

    first = intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=payroll_file,
                          values={"my_number": number(13), "name": "山田 太郎"}).person
    twin = Person.objects.get(pk=first.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_correction_cannot_give_a_person_another_persons_number(clerk, clerk2, terminal, payroll_file):
    a = intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=payroll_file,
                      values={"my_number": number(14), "name": "甲"}).person
    intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=payroll_file,
                  values={"my_number": number(15), "name": "乙"})
    with pytest.raises(Refused, match="別の本人"):
        correct_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), person=a,
                       changes={"my_number": full_width(number(15))}, instructed_by=clerk2)
    assert decrypt_person_fields(Person.objects.get(pk=a.pk).data, file_id=payroll_file.pk)["my_number"] == number(14)
