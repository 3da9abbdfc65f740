"""大量 search (000 §9.2, E-05): above the bulk threshold a search needs a prior approval, used once."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_PROFILE
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.vault.services import create_file, intake_person, search_people

from .test_intake import number


@pytest.fixture
def bulk_profile(activate, settings, tmp_path):
    """T99 with a bulk threshold of 2 records and a prior approval by the manager (as 000 §9.2 does)."""
    text = MINIMAL_PROFILE.read_text(encoding="utf-8").replace('code: "T99"', 'code: "T97"')
    text += """
approvals:
  bulk_handling:
    ja: 大量の取扱い
    steps: [{roles: [manager]}]
    article: "T97 §9.2"
bulk: {threshold: 2, approval: bulk_handling, article: "T97 §9.2"}
"""
    (tmp_path / "bulk-test.yaml").write_text(text, encoding="utf-8")
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, tmp_path]
    return activate("bulk-test")


def test_a_search_above_the_threshold_needs_a_prior_approval_used_once(bulk_profile, make_user, make_terminal):
    from tokutei.approvals.services import create_request, decide

    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    manager = make_user("kacho", "manager")
    terminal, _credential = make_terminal()
    for i in range(3):  # the same person held in three files: three matches for one number
        file = create_file(actor=Actor(user=clerk, terminal=terminal), name=f"給与ファイル{i}", tasks=["payroll"])
        intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=file,
                      values={"my_number": number(7), "name": "山田 太郎"})

    with pytest.raises(Refused) as refused:
        search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(7))
    assert "承認" in refused.value.message and refused.value.article == "T97 §9.2"
    assert Entry.objects.filter(action="vault.search", result="refused").count() == 1

    request = create_request(actor=Actor.console(clerk), operation="bulk_handling",
                             particulars={"purpose": "payroll", "count_limit": 3})
    decide(actor=Actor.console(manager), request_id=request.pk, approve=True)
    found = search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(7),
                          bulk_approval_id=request.pk)
    assert len(found) == 3
    with pytest.raises(Refused):  # an approval is used once
        search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(7),
                      bulk_approval_id=request.pk)


def test_a_search_within_the_threshold_needs_no_approval(bulk_profile, make_user, make_terminal):
    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    terminal, _credential = make_terminal()
    file = create_file(actor=Actor(user=clerk, terminal=terminal), name="給与ファイル", tasks=["payroll"])
    intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=file,
                  values={"my_number": number(8), "name": "山田 花子"})
    assert len(search_people(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), by="my_number", value=number(8))) == 1


def test_a_lookup_refused_by_the_bulk_rule_keeps_its_refusal_in_the_log(bulk_profile, make_user, make_terminal):
    """検索と照会を一度に (``look_up``) runs in one transaction: a refusal inside it is still logged."""
    from tokutei.vault.services import look_up

    clerk = make_user("clerk", "clerk", tasks=["payroll"])
    terminal, _credential = make_terminal()
    for i in range(3):
        file = create_file(actor=Actor(user=clerk, terminal=terminal), name=f"給与ファイル{i}", tasks=["payroll"])
        intake_person(actor=Actor(user=clerk, terminal=terminal, purpose="payroll"), file=file,
                      values={"my_number": number(9), "name": "山田 次郎"})
    actor = Actor(user=clerk, terminal=terminal, purpose="payroll")
    with pytest.raises(Refused) as refused:
        look_up(searcher=actor, viewer=actor, by="my_number", value=number(9), reveal=True)
    assert refused.value.article == "T97 §9.2"
    assert Entry.objects.filter(action="vault.search", result="refused").count() == 1
    assert not Entry.objects.filter(action="vault.reveal").exists()
