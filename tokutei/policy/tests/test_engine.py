"""The one access decision: roles from the profile, tasks for personal data, channels, and refusals that
are logged once with the article as the profile cites it."""

from __future__ import annotations

import pytest

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.policy import Actor, Channel, Rule, decide, get_or_refuse, require, restrict
from tokutei.policy import rules as rulebook


@pytest.fixture
def book(monkeypatch):
    """Rules for this test only, on actions the test names (the real rule book is left as it was)."""

    def _add(rule: Rule) -> Rule:
        monkeypatch.setitem(rulebook._RULES, rule.action.value, rule)
        return rule

    return _add


@pytest.fixture
def org(activate):
    return activate("minimal")


def test_a_role_rule_allows_holders_and_refuses_others_naming_the_roles(org, book, make_user):
    book(Rule(Action.LEDGERS_EXPORT, roles=lambda p: {"manager", "auditor"}))
    manager, clerk = make_user("kanri", "manager"), make_user("tanto", "clerk", tasks=["payroll"])
    assert decide(Actor(user=manager), Action.LEDGERS_EXPORT)
    answer = decide(Actor(user=clerk), Action.LEDGERS_EXPORT)
    assert not answer and answer.code == "no_role"
    assert "保護管理者" in answer.reason and "監査責任者" in answer.reason
    assert answer.article == "T99 §3; T99 §6"


def test_an_action_without_a_rule_is_refused(org, make_user, monkeypatch):
    monkeypatch.delitem(rulebook._RULES, Action.LEDGERS_EXPORT.value, raising=False)
    answer = decide(Actor(user=make_user("kanri", "manager")), Action.LEDGERS_EXPORT)
    assert not answer and answer.code == "unknown_action"


def test_nobody_signed_in_is_refused_even_for_an_open_rule(org, book):
    book(Rule(Action.LEDGERS_EXPORT))
    assert decide(Actor(user=None), Action.LEDGERS_EXPORT).code == "not_signed_in"


def test_an_ended_designation_no_longer_allows(org, book, make_user):
    import datetime as dt

    from django.utils import timezone

    book(Rule(Action.LEDGERS_EXPORT, roles=lambda p: {"manager"}))
    past = timezone.localdate() - dt.timedelta(days=1)
    former = make_user("former", "manager", start=past - dt.timedelta(days=90), end=past)
    assert not decide(Actor(user=former), Action.LEDGERS_EXPORT)


def test_a_unit_scoped_role_reaches_its_own_unit_only(org, book, make_user, monkeypatch):
    from tokutei.staff.models import Unit

    scoped = org.roles["manager"].model_copy(update={"unit_scoped": True})
    monkeypatch.setattr("tokutei.profiles.selectors.get_profile",
                        lambda: org.model_copy(update={"roles": {**org.roles, "manager": scoped}}))
    book(Rule(Action.LEDGERS_EXPORT, roles=lambda p: {"manager"}))
    mine, other = Unit.objects.create(key="u1", name_ja="総務課"), Unit.objects.create(key="u2", name_ja="税務課")
    manager = make_user("kanri", "manager", unit=mine)
    units = decide(Actor(user=manager), Action.LEDGERS_EXPORT).units
    assert units == frozenset({mine.pk}) and other.pk not in units


# --- 特定個人情報等: designated handlers, for a task, from a registered terminal -------------------------

def test_personal_data_needs_a_designation_a_task_in_scope_and_a_registered_terminal(org, book, make_user,
                                                                                      make_terminal):
    book(Rule(Action.VAULT_EXPORT, task=True))
    clerk = make_user("tanto", "clerk", tasks=["payroll"])
    terminal, _ = make_terminal()
    ok = decide(Actor(user=clerk, terminal=terminal, purpose="payroll"), Action.VAULT_EXPORT)
    assert ok and ok.fields == frozenset({"my_number", "name", "address", "birth_date"})
    assert decide(Actor(user=clerk, terminal=terminal), Action.VAULT_EXPORT).code == "no_purpose"
    assert decide(Actor(user=clerk, terminal=terminal, purpose="insurance"), Action.VAULT_EXPORT
                  ).code == "out_of_scope"
    assert decide(Actor(user=clerk, terminal=None, purpose="payroll"), Action.VAULT_EXPORT).code == "terminal"
    manager = make_user("kanri", "manager")
    assert decide(Actor(user=manager, terminal=terminal, purpose="payroll"), Action.VAULT_EXPORT
                  ).code == "not_handler"


def test_the_console_is_a_channel_the_profile_allows_or_refuses(org, book, make_user, monkeypatch):
    book(Rule(Action.VAULT_EXPORT, task=True))
    clerk = make_user("tanto", "clerk", tasks=["payroll"])
    at_console = Actor.console(clerk, purpose="payroll")
    assert decide(at_console, Action.VAULT_EXPORT)  # no terminal, and no check skipped: the console rule

    auth = org.authentication.model_copy(
        update={"console": org.authentication.console.model_copy(update={"personal_data": False})})
    monkeypatch.setattr("tokutei.profiles.selectors.get_profile",
                        lambda: org.model_copy(update={"authentication": auth}))
    answer = decide(at_console, Action.VAULT_EXPORT)
    assert not answer and answer.code == "console" and answer.article == "T99 §15"


def test_an_api_client_reaches_only_its_own_tasks(org, book, make_user, make_terminal):
    book(Rule(Action.VAULT_EXPORT, task=True))
    clerk = make_user("tanto", "clerk", tasks=["payroll", "insurance"])
    terminal, _ = make_terminal()
    client = Actor(user=clerk, terminal=terminal, purpose="insurance", channel=Channel.API,
                   limit_tasks=frozenset({"payroll"}))
    assert decide(client, Action.VAULT_EXPORT).code == "token_scope"
    assert decide(client.for_purpose("payroll"), Action.VAULT_EXPORT)


def test_the_system_channel_runs_only_what_a_rule_allows_it(org, book):
    book(Rule(Action.LEDGERS_SYNC, channels=frozenset({Channel.SYSTEM})))
    book(Rule(Action.LEDGERS_EXPORT))
    assert decide(Actor.system(), Action.LEDGERS_SYNC)
    assert decide(Actor.system(), Action.LEDGERS_EXPORT).code == "channel"


# --- refusals: logged once, with the article; out of scope looks missing ----------------------------------

def test_require_logs_the_refusal_once_with_the_article(org, book, make_user):
    book(Rule(Action.LEDGERS_EXPORT, roles=lambda p: {"manager"}))
    clerk = make_user("tanto", "clerk", tasks=["payroll"])
    with pytest.raises(Refused) as exc:
        require(Actor(user=clerk), Action.LEDGERS_EXPORT)
    assert exc.value.logged and exc.value.status == 403
    assert "テスト規程第3条" in str(exc.value)
    entry = Entry.objects.get(result=Entry.Result.REFUSED)
    assert entry.action == "ledgers.export" and entry.article == "T99 §3" and entry.actor_id == clerk.pk
    assert entry.details["code"] == "no_role" and entry.details["channel"] == "web"


def test_a_record_out_of_scope_is_refused_exactly_like_a_missing_one(org, book, make_user):
    from tokutei.policy import Deny
    from tokutei.staff.models import Unit

    mine, other = Unit.objects.create(key="u1", name_ja="総務課"), Unit.objects.create(key="u2", name_ja="税務課")
    book(Rule(Action.LEDGERS_EXPORT, roles=lambda p: {"manager"},
              scope=lambda qs, actor, d, p: qs.filter(pk=mine.pk),
              check=lambda actor, obj, d, p: None if obj.pk == mine.pk else Deny("見つかりません")))
    manager = make_user("kanri", "manager")
    actor = Actor(user=manager)
    assert list(restrict(Unit.objects.all(), actor, Action.LEDGERS_EXPORT)) == [mine]
    assert get_or_refuse(actor, Action.LEDGERS_EXPORT, Unit.objects.all(), pk=mine.pk) == mine
    with pytest.raises(NotFoundOrForbidden) as out_of_scope:
        get_or_refuse(actor, Action.LEDGERS_EXPORT, Unit.objects.all(), pk=other.pk)
    with pytest.raises(NotFoundOrForbidden) as missing:
        get_or_refuse(actor, Action.LEDGERS_EXPORT, Unit.objects.all(), pk=999_999)
    assert str(out_of_scope.value) == str(missing.value) and out_of_scope.value.status == missing.value.status == 404
    refused = Entry.objects.filter(result=Entry.Result.REFUSED).order_by("seq")
    assert [e.target_id for e in refused] == [str(other.pk), "999999"]


def test_restrict_is_empty_when_the_answer_is_no(org, book, make_user):
    from tokutei.staff.models import Unit

    Unit.objects.create(key="u1", name_ja="総務課")
    book(Rule(Action.LEDGERS_EXPORT, roles=lambda p: {"manager"}))
    clerk = make_user("tanto", "clerk", tasks=["payroll"])
    assert restrict(Unit.objects.all(), Actor(user=clerk), Action.LEDGERS_EXPORT).count() == 0


def test_the_log_takes_only_registered_actions(db):
    from tokutei.auditlog.services import record

    with pytest.raises(ValueError, match="not a registered action"):
        record(action="vault.peek")
    assert not Entry.objects.exists()
