"""A broken profile never loads, and every mistake is reported with its key path."""

from __future__ import annotations

import pytest

from tokutei.profiles.loader import ProfileError, parse_profile

from .conftest import BROKEN_PATHS, MINIMAL


def minimal(**replacements: str) -> str:
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def errors_of(text: str) -> dict[str, str]:
    with pytest.raises(ProfileError) as excinfo:
        parse_profile(text, source="test")
    return dict(excinfo.value.errors)


def test_the_minimal_profile_is_valid():
    assert parse_profile(minimal()).organisation.code == "T99"


def test_cross_reference_errors_name_their_key_paths():
    text = minimal(**{
        "designated_by: [manager]": "designated_by: [manger]",
        "fields: [my_number, name, address, birth_date]": "fields: [my_number, nmae]",
        "posts: [somu_kacho]": "posts: [bucho]",
        "unit: somu}": "unit: jinji}",
    })
    errors = errors_of(text)
    assert set(errors) == {"roles.clerk.designated_by", "tasks.payroll.fields", "roles.manager.posts",
                           "posts.somu_kacho.unit"}
    assert "manger" in errors["roles.clerk.designated_by"] and "もしかして 'manager'" in errors[
        "roles.clerk.designated_by"]
    assert "nmae" in errors["tasks.payroll.fields"]


def test_structural_and_reference_errors_are_reported_together():
    text = minimal(**{
        "designated_by: [manager]": "designated_by: [manager], desgnated_by: [manager]",
        "  idle_logoff_minutes: 15": "  idle_logoff_minutes: fifteen",
    }) + 'approvals:\n  copy: {ja: 複製, steps: [{roles: [boss]}], article: "T99 §9"}\n'
    assert set(errors_of(text)) == BROKEN_PATHS


def test_a_typo_key_is_refused_with_a_suggestion():
    errors = errors_of(minimal(**{"  article: \"T99 §15\"": "  artcle: \"T99 §15\""}))
    assert "もしかして 'article'" in errors["authentication.artcle"]
    assert "authentication.article" in errors  # and the real key is now missing


def test_a_duplicate_key_is_refused():
    text = minimal(**{"  idle_logoff_minutes: 15": "  idle_logoff_minutes: 15\n  idle_logoff_minutes: 1"})
    [(where, message)] = errors_of(text).items()
    assert where.startswith("line ") and "重複" in message


def test_a_yaml_syntax_error_gives_the_line():
    [(where, message)] = errors_of(minimal(**{"roles:": "roles: ["})).items()
    assert where.startswith("line ") and "YAML" in message


def test_a_profile_without_my_number_is_refused():
    errors = errors_of(minimal(**{"kind: my_number": "kind: text"}))
    assert "fields.my_number" in errors


def test_a_bulk_approval_needs_a_threshold_and_a_known_approval():
    errors = errors_of(minimal() + "bulk: {approval: bulk_handling}\n")
    assert {"bulk.approval", "bulk.threshold"} <= set(errors)


@pytest.mark.django_db
def test_activate_profile_refuses_a_broken_profile_and_loads_nothing(broken_profile):
    from tokutei.profiles.models import ActiveProfile
    from tokutei.profiles.services import activate_profile

    with pytest.raises(ProfileError) as excinfo:
        activate_profile(name="broken")
    assert {path for path, _ in excinfo.value.errors} == BROKEN_PATHS
    assert not ActiveProfile.objects.exists()


@pytest.mark.django_db
def test_init_refuses_a_broken_profile_with_key_paths(broken_profile):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tokutei.profiles.models import ActiveProfile

    with pytest.raises(CommandError) as excinfo:
        call_command("init", profile="B01")
    for path in BROKEN_PATHS:
        assert path in str(excinfo.value)
    assert not ActiveProfile.objects.exists()


def test_a_misspelt_approval_operation_is_refused_rather_than_silently_unenforced():
    errors = errors_of(minimal() + 'approvals:\n  media_cary_out: {ja: 持出し, steps: [{roles: [manager]}], article: "T99 §9"}\n')
    assert "もしかして 'media_carry_out'" in errors["approvals.media_cary_out"]


def test_a_room_entry_approval_needs_a_room_of_that_level():
    errors = errors_of(minimal() + 'approvals:\n  room_entry_l2: {ja: 入室, steps: [{roles: [manager]}], article: "T99 §9"}\n')
    assert "approvals.room_entry_l2" in errors


def test_a_task_may_not_use_a_field_its_group_does_not_allow():
    text = minimal(**{
        "  insurance: {ja: 健康保険届出事務,": "  insurance: {parent: payroll, ja: 健康保険届出事務,",
    })
    errors = errors_of(text)
    assert "sex" in errors["tasks.insurance.fields"]


def test_a_correction_instructor_must_be_a_role_of_the_profile():
    text = minimal() + "\ncorrection:\n  instructor_roles: [manger]\n"
    errors = errors_of(text)
    assert "manger" in errors["correction.instructor_roles"] and "もしかして 'manager'" in errors[
        "correction.instructor_roles"]


def test_002_names_the_protection_manager_as_the_instructor_of_a_correction():
    from tokutei.profiles.loader import find_profile, load_profile_file

    profile = load_profile_file(find_profile("sayama").path)
    assert profile.correction_instructor_roles() == ["pm"] and profile.roles["pm"].ja == "保護管理者"
