"""The five shipped organisation profiles: valid, faithful to their regulations, and loadable."""

from __future__ import annotations

import pytest

from .conftest import SHIPPED


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_profile_validates(name, shipped):
    profile = shipped[name]
    assert profile.organisation.code == SHIPPED[name]
    assert profile.handler_roles() and profile.admin_roles() and profile.auditor_roles()


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_rule_carries_its_article(name, shipped):
    profile = shipped[name]
    code = profile.organisation.code
    for key, rule in profile.approvals.items():
        assert rule.article.startswith(code), key
    for key, task in profile.tasks.items():
        assert task.article.startswith(code), key
    for key, role in profile.roles.items():
        assert code in role.article, key


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_profile_marks_what_the_regulation_leaves_open(name, shipped):
    opens = shipped[name].open_parameters()
    assert opens and all(p.note for _, p in opens)


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("sendai-kyosai", {"chief", "id_manager", "sys_admin", "sec_manager", "site_admin", "operator", "president"}),
        ("kokubunji", {"mayor", "general_head", "sec_officer", "operator"}),
        ("sayama", {"ciso", "general_pm", "pm", "sys_pm", "assistant", "staff", "auditor"}),
        ("inabe", {"general_head", "general_pm", "pm", "auditor", "handling_mgr", "handler", "system_admin"}),
        ("hyogo-kyosai", {"secretary_general", "protection_officer", "handler", "key_custodian", "audit_officer",
                          "system_admin"}),
    ],
)
def test_role_keys_are_the_agreed_ones(name, roles, shipped):
    assert set(shipped[name].roles) == roles


def test_000_keeps_the_log_seven_years_and_carry_out_needs_two_different_approvers(shipped):
    p = shipped["sendai-kyosai"]
    assert (p.retention.operation_log.years, p.retention.article) == (7, "000 §14.1, §17")
    rule = p.approvals["media_carry_out"]
    assert [s.roles for s in rule.steps] == [["id_manager"], ["sys_admin"]]
    assert rule.order == "all" and rule.distinct_approvers and rule.article == "000 §11.3"


def test_000_bulk_handling_needs_prior_approval_of_the_id_manager_above_an_open_threshold(shipped):
    p = shipped["sendai-kyosai"]
    assert p.bulk.threshold == 100 and p.bulk.approval == "bulk_handling"
    assert p.bulk.open is not None and p.bulk.open.decided_by == "organisation"
    assert p.approvals["bulk_handling"].steps[0].roles == ["id_manager"]


def test_000_site_admins_are_exactly_two_operators_designated_by_the_system_admin(shipped):
    site_admin = shipped["sendai-kyosai"].roles["site_admin"]
    assert site_admin.exact_holders == 2
    assert site_admin.eligible_roles == ["operator"] and site_admin.designated_by == ["sys_admin"]
    for op in ("biometric_register", "biometric_delete", "delegated_authority_add", "delegated_authority_return"):
        rule = shipped["sendai-kyosai"].approvals[op]
        assert rule.applicant_roles == ["site_admin"] and rule.steps[0].roles == ["sys_admin"]


def test_000_my_number_is_identity_data_only_from_2016(shipped):
    assert str(shipped["sendai-kyosai"].fields["my_number"].in_force_from) == "2016-01-01"
    assert set(shipped["sendai-kyosai"].tasks) == {"p1", "p2", "p3", "p4"}


def test_001_keeps_the_log_one_year_and_allows_password_only_by_recorded_exception(shipped):
    p = shipped["kokubunji"]
    assert p.retention.operation_log.years == 1 and p.retention.article == "001 §6"
    assert p.authentication.biometric_required
    exception = p.authentication.password_only_exception
    assert exception.allowed and exception.granted_by == ["sec_officer"] and len(exception.conditions) == 2
    assert exception.article == "001 §5.3"
    assert p.registers["operators"].layout_open


def test_004_handlers_are_pension_division_staff_designated_by_the_protection_officer(shipped):
    p = shipped["hyogo-kyosai"]
    handler = p.roles["handler"]
    assert handler.eligible_units == ["nenkin"] and p.units["nenkin"].ja == "年金課"
    assert handler.designated_by == ["protection_officer"]
    assert p.org_key_field == "pension_cert_no"


def test_004_vendor_evaluation_items_per_pattern_match_the_form(shipped):
    ve = shipped["hyogo-kyosai"].outsourcing.vendor_evaluation
    counts = {pat: sum(1 for item in ve.items if pat in item.patterns) for pat in ("I", "II", "III", "IV")}
    assert counts == {"I": 16, "II": 20, "III": 6, "IV": 5}
    assert [i.no for i in ve.items if "IV" in i.patterns] == ["1", "2", "3", "5", "6"]
    assert ve.shortcut_patterns == ["I"] and len(ve.shortcut_items) == 2
    assert ve.reevaluate_every.months == 12


def test_004_purpose_tree_groups_are_not_selectable(shipped):
    tasks = shipped["hyogo-kyosai"].tasks
    assert [k for k, t in tasks.items() if not t.selectable] == ["p1", "p2", "p3", "p4"]
    assert tasks["p4_i"].parent == "p4" and tasks["p1_i"].article == "004 §3(1)イ"
    assert len(shipped["hyogo-kyosai"].task_types) == 7


def test_004_intake_and_storage_rules(shipped):
    p = shipped["hyogo-kyosai"]
    iv = p.intake.identity_verification
    assert iv.required and iv.jlis_exempt and iv.preprinted_route
    assert ["my_number_card"] in iv.document_sets and len(iv.document_sets) == 3
    assert p.intake.second_person_confirmation and p.intake.confirmation_article == "004 §14(3)②"
    assert not p.storage.own_servers_allowed and p.storage.article.startswith("004 §14(4)")
    assert p.retention.business_year_start_month == 4 and p.retention.business_year_open is not None
    rule = p.retention_rules["number_system_data"]
    assert (rule.trigger, rule.event, rule.count_from) == ("fixed_period", "right_lost", "next_business_year")
    assert rule.period.years == 10 and rule.second_person_check


def test_003_health_insurance_task_uses_insured_number_and_remuneration_but_not_address(shipped):
    p = shipped["inabe"]
    for key in ("health_insurance_48", "health_insurance_197"):
        labels = {p.fields[f].ja for f in p.tasks[key].fields}
        assert {"個人番号", "被保険者整理番号", "報酬月額"} <= labels
        assert "住所" not in labels
    assert "賃金月額" in {p.fields[f].ja for f in p.tasks["employment_insurance_7"].fields}
    assert "第155号" in p.tasks["pension_insurance"].law  # the regulation's citation, kept as data


def test_003_carry_out_is_limited_to_two_purposes_and_includes_moves_in_the_office(shipped):
    co = shipped["inabe"].carry_out
    assert co.approval is None and co.includes_internal_moves
    assert set(co.allowed_purposes) == {"statutory_returns", "submission_to_user"}
    assert shipped["inabe"].authentication.password_max_age.days == 90


def test_002_requires_a_legal_ground_and_protection_manager_instructions(shipped):
    p = shipped["sayama"]
    assert p.intake.ground_required and p.intake.ground_article == "002 §17–§19"
    for op in ("copy", "transmit", "media_carry_out", "correction", "disposal", "terminal_carry_out",
               "terminal_bring_in", "subcontracting"):
        assert p.approvals[op].steps[0].roles == ["pm"], op
    assert all(t.ground and t.open for t in p.tasks.values())
    assert p.retention.operation_log_open is not None


@pytest.mark.parametrize(("name", "clauses"), [("sendai-kyosai", 13), ("kokubunji", 6), ("sayama", 10),
                                                ("hyogo-kyosai", 7)])
def test_contract_clause_checklists_have_the_regulation_count(name, clauses, shipped):
    assert len(shipped[name].outsourcing.contract_clauses) == clauses


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_init_initialises_a_fresh_database_with_each_profile(name, capsys):
    from django.core.management import call_command

    from tokutei.profiles.models import ActiveProfile
    from tokutei.profiles.selectors import get_profile
    from tokutei.staff.models import User

    call_command("init", profile=name, admin="kanri", admin_password="correct horse 42")
    assert "初期化しました" in capsys.readouterr().out
    assert ActiveProfile.objects.get().org_code == SHIPPED[name]
    profile = get_profile()
    roles = set(User.objects.get(username="kanri").assignments.values_list("role_key", flat=True))
    assert roles == profile.admin_roles()
