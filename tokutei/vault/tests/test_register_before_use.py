"""E-43 (004 §10, 002 §18): a new 特定個人情報ファイル is used — intake, search, lists — only once its entry in the
file register has been confirmed by the responsible person; until then every use is refused with the register's
article and logged. Where the regulation does not ask it (003), a new file is used at once."""

from __future__ import annotations

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor, decide
from tokutei.vault.models import SpecificFile
from tokutei.vault.services import create_file, intake_person, set_installation_site

from .test_hyogo import _intake, number


@pytest.fixture
def hyogo_handler(activate, make_user):
    activate("hyogo-kyosai")
    set_installation_site(site="data_centre")
    return make_user("nenkin1", "handler", tasks=["p1_ha"])


def test_004_a_new_file_is_refused_until_its_register_entry_is_confirmed(hyogo_handler, terminal,
                                                                         confirm_in_register, client):
    file = create_file(actor=Actor(user=hyogo_handler, terminal=terminal), name="年金ファイル", tasks=["p1_ha"])
    assert file.status == SpecificFile.Status.PENDING
    evidence = {"route": "documents", "documents": ["my_number_card"], "presentation": "original"}
    with pytest.raises(Refused) as refused:
        _intake(hyogo_handler, terminal, file, number(1), evidence)
    assert "ファイル管理台帳" in refused.value.message and refused.value.article == "004 §10, 別紙2"
    assert Entry.objects.filter(action="vault.intake", result="refused", details__code="file_not_registered").exists()
    searcher = Actor(user=hyogo_handler, terminal=terminal, purpose="p1_ha")
    assert not decide(searcher, "vault.search", file).allowed

    confirm_in_register(file, hyogo_handler)
    assert file.status == SpecificFile.Status.ACTIVE
    assert _intake(hyogo_handler, terminal, file, number(1), evidence).person.pk
    # Confirming put the file into use: the register does not flag the change of status it made itself.
    from tokutei.ledgers.selectors import file_register
    from tokutei.profiles.selectors import get_profile

    (row,) = file_register(get_profile())
    assert not any("廃棄・削除状況" in f for f in row["flags"]) and not any("登録前に利用" in f for f in row["flags"])


def test_the_clerk_sees_which_files_wait_for_the_register(hyogo_handler, terminal, make_terminal, client, settings):
    file = create_file(actor=Actor(user=hyogo_handler, terminal=terminal), name="確認待ちファイル", tasks=["p1_ha"])
    _terminal, credential = make_terminal("窓口端末V")
    client.force_login(hyogo_handler)
    client.cookies[settings.TERMINAL_COOKIE_NAME] = credential
    client.post("/vault/purpose/", {"purpose": "p1_ha"})
    page = client.get("/vault/").content.decode()
    assert "台帳の確認待ちのファイル" in page and file.name in page
    assert f"/vault/files/{file.pk}/intake/" not in page


def test_003_a_new_file_is_used_at_once(activate, make_user, terminal):
    from tokutei.staff.models import Unit

    task = next(iter(activate("inabe").selectable_tasks()))
    unit = Unit.objects.create(key="hoken", name_ja="保険年金課")
    clerk = make_user("tanto", "handler", tasks=[task], unit=unit)
    file = create_file(actor=Actor(user=clerk, terminal=terminal), name="国保ファイル", tasks=[task], unit=unit)
    assert file.status == SpecificFile.Status.ACTIVE
    person = intake_person(actor=Actor(user=clerk, terminal=terminal, purpose=task), file=file,
                           values={"my_number": number(3), "name": "山田 太郎"})
    assert person.person.pk
