"""The holes of issue 11 in the registers, each closed by the policy (tokutei/registers/rules.py):

* a carry-out is seen only by the one who planned it and by its overseers (in their own unit when their role is
  unit-scoped) — for anyone else its page is not found, exactly like a carry-out that does not exist, and the
  refusal is logged once;
* registering or moving a medium and planning a carry-out need a role the profile gives for it (000 §11,
  R-MED-1): without it the request is refused (403), logged with the article as the profile cites it.
"""

from __future__ import annotations

import re

import pytest

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.profiles.citations import cite
from tokutei.registers import rules
from tokutei.registers.models import CarryOut, Medium
from tokutei.registers.services import media

NO_SUCH_ID = 987_654_321


def _body(response, pk) -> str:
    """The page without what differs between two renderings (the CSRF token, the address asked for)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return text.replace(f"/{pk}/", "/<id>/")


def _refusals(**lookup) -> int:
    return Entry.objects.filter(result=Entry.Result.REFUSED, **lookup).count()


# --- 1. a carry-out's page: its planner and its overseers only; anyone else: not found --------------------


@pytest.fixture
def planned(officers000):
    o = officers000
    return media.create_carry_out(actor=Actor.console(o["operator"]), counterparty="仙台市 市民局", media_type="光ディスク",
                                  quantity=1, record_count=40, protections=["locked_container"])


def test_another_operator_finds_no_carry_out_exactly_as_if_it_did_not_exist(client, officers000, planned):
    client.force_login(officers000["operator2"])  # a handler who did not plan it and oversees nothing
    before = _refusals(target_id=str(planned.pk))
    theirs = client.get(f"/registers/carry-outs/{planned.pk}/")
    missing = client.get(f"/registers/carry-outs/{NO_SUCH_ID}/")
    assert theirs.status_code == missing.status_code == 404
    assert _body(theirs, planned.pk) == _body(missing, NO_SUCH_ID)
    assert "仙台市 市民局" not in theirs.content.decode()
    assert _refusals(target_id=str(planned.pk)) == before + 1  # logged, once
    assert _refusals(target_id=str(NO_SUCH_ID)) == 1


def test_the_planner_and_an_overseer_open_the_carry_out(client, officers000, planned):
    for who in ("operator", "sys_admin"):
        client.force_login(officers000[who])
        page = client.get(f"/registers/carry-outs/{planned.pk}/")
        assert page.status_code == 200, who
        assert "仙台市 市民局" in page.content.decode()


def test_a_carry_out_nobody_may_see_is_not_in_the_list_either(client, officers000, planned):
    client.force_login(officers000["operator2"])
    assert "仙台市 市民局" not in client.get("/registers/carry-outs/").content.decode()


def test_a_unit_scoped_manager_finds_no_carry_out_of_another_unit(client, activate, make_user):
    """保護管理者 (unit_scoped in 003) oversee the carry-outs of their own unit only (R-ORG-6)."""
    from tokutei.staff.models import Unit

    activate("inabe")
    shokuin, kaikei = Unit.objects.create(key="shokuin", name_ja="職員課"), Unit.objects.create(key="kaikei",
                                                                                                 name_ja="会計課")
    pm = make_user("kacho", "pm", unit=shokuin)
    ours = CarryOut.objects.create(counterparty="年金機構", media_type="紙", quantity=1, record_count=3,
                                   requested_by=make_user("tanto1", "handler", unit=shokuin))
    theirs = CarryOut.objects.create(counterparty="税務署", media_type="紙", quantity=1, record_count=3,
                                     requested_by=make_user("tanto2", "handler", unit=kaikei))
    client.force_login(pm)
    assert client.get(f"/registers/carry-outs/{ours.pk}/").status_code == 200
    other = client.get(f"/registers/carry-outs/{theirs.pk}/")
    missing = client.get(f"/registers/carry-outs/{NO_SUCH_ID}/")
    assert other.status_code == missing.status_code == 404
    assert _body(other, theirs.pk) == _body(missing, NO_SUCH_ID)
    assert _refusals(target_id=str(theirs.pk), actor_id=pm.pk) == 1


# --- 2. media and carry-outs need a role the profile gives -----------------------------------------------
# 004 (兵庫): the 監査責任者 reads the registers but neither keeps media nor carries them out.


@pytest.fixture
def hyogo(activate):
    return activate("hyogo-kyosai")


@pytest.fixture
def audit_officer(hyogo, make_user):
    return make_user("kansa", "audit_officer")


@pytest.fixture
def handler(hyogo, make_user):
    return make_user("tanto", "handler", tasks=list(hyogo.selectable_tasks()))


@pytest.fixture
def stored(handler):
    return media.register_medium(actor=Actor.console(handler), label="M-100", kind="usb", storage_place="金庫A")


def _refused_with_the_profiles_article(response, action: str, article: str, user) -> None:
    assert response.status_code == 403
    assert cite(article) in response.content.decode()  # as people read it (「…第N条…」)
    entry = Entry.objects.filter(action=action, result=Entry.Result.REFUSED, actor_id=user.pk).get()  # once
    assert entry.article == article


def test_registering_a_medium_without_a_keepers_role_is_refused_and_logged(client, hyogo, audit_officer):
    client.force_login(audit_officer)
    assert client.get("/registers/media/").status_code == 200  # may read the register
    response = client.post("/registers/media/", {"label": "M-1", "kind": "usb", "storage_place": "金庫A",
                                                 "record_count": 0})
    _refused_with_the_profiles_article(response, "media.register", rules.media_article(hyogo), audit_officer)
    assert not Medium.objects.exists()


def test_a_handler_registers_a_medium(client, hyogo, handler):
    client.force_login(handler)
    response = client.post("/registers/media/", {"label": "M-1", "kind": "usb", "storage_place": "金庫A",
                                                 "record_count": 0})
    assert response.status_code == 302
    assert Medium.objects.get().label == "M-1"
    assert Entry.objects.filter(action="media.register", result="ok", actor_id=handler.pk).exists()


def test_moving_a_medium_without_a_keepers_role_is_refused_and_logged(client, hyogo, audit_officer, stored):
    client.force_login(audit_officer)
    response = client.post(f"/registers/media/{stored.pk}/", {"move": "1", "storage_place": "金庫B"})
    _refused_with_the_profiles_article(response, "media.move", rules.media_article(hyogo), audit_officer)
    stored.refresh_from_db()
    assert stored.storage_place == "金庫A"


def test_a_handler_moves_a_medium(client, hyogo, handler, stored):
    client.force_login(handler)
    assert client.post(f"/registers/media/{stored.pk}/", {"move": "1", "storage_place": "金庫B"}).status_code == 302
    stored.refresh_from_db()
    assert stored.storage_place == "金庫B"


CARRY_OUT_FORM = {"counterparty": "地方公務員共済組合連合会", "media_type": "紙", "quantity": 1, "record_count": 2,
                  "protections": ["sealed_traceable_mail"]}


def test_planning_a_carry_out_without_a_role_for_it_is_refused_and_logged(client, hyogo, audit_officer):
    client.force_login(audit_officer)
    response = client.post("/registers/carry-outs/", CARRY_OUT_FORM)
    _refused_with_the_profiles_article(response, "media.carry_out", rules.carry_out_article(hyogo),
                                       audit_officer)
    assert not CarryOut.objects.exists()


def test_a_handler_plans_a_carry_out(client, hyogo, handler):
    client.force_login(handler)
    response = client.post("/registers/carry-outs/", CARRY_OUT_FORM)
    assert response.status_code == 302
    assert CarryOut.objects.get().requested_by == handler


@pytest.mark.parametrize("operation", ["register", "move", "carry_out"])
def test_the_services_refuse_a_staff_member_without_the_role_whatever_calls_them(hyogo, audit_officer, stored,
                                                                                operation):
    calls = {
        "register": lambda: media.register_medium(actor=Actor.console(audit_officer), label="M-2", kind="usb", storage_place="棚"),
        "move": lambda: media.move_medium(actor=Actor.console(audit_officer), medium_id=stored.pk, storage_place="棚"),
        "carry_out": lambda: media.create_carry_out(actor=Actor.console(audit_officer), counterparty="連合会", media_type="紙",
                                                    quantity=1, record_count=2,
                                                    protections=["sealed_traceable_mail"]),
    }
    with pytest.raises(Refused) as refused:
        calls[operation]()
    assert refused.value.status == 403 and refused.value.code == "no_role"
    assert refused.value.article
    assert _refusals(actor_id=audit_officer.pk) == 1


# --- 4. a log write that fails (a full disk) leaves the copy as it was -------------------------------------
# The copy's record is marked deleted and logged in one transaction; the file is shredded only once that has
# committed (002 §26; effects after commit).


@pytest.fixture
def full_disk(monkeypatch):
    """Every append to the operation log fails, as it would on a full disk."""
    import errno

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def fill():
        monkeypatch.setattr("tokutei.auditlog.services._write", no_space)

    return fill


@pytest.fixture
def a_copy(officers000, export_dir):
    """An encrypted export file of the operator's, and its passphrase."""
    import datetime as dt
    import hashlib

    from django.utils import timezone

    from tokutei.registers.models import TemporaryCopy
    from tokutei.registers.services import exports

    passphrase = exports.new_passphrase()
    blob = exports.encrypt_export("氏名\r\n試験 太郎\r\n".encode(), passphrase)
    export_dir.mkdir(parents=True, exist_ok=True)
    (export_dir / "export-test.tkx").write_bytes(blob)
    copy = TemporaryCopy.objects.create(file_name="export-test.tkx", purpose="p1", field_keys=["name"],
                                        record_count=1, recipient="年金課", sha256=hashlib.sha256(blob).hexdigest(),
                                        created_by=officers000["operator"],
                                        expires_at=timezone.now() + dt.timedelta(days=1))
    return copy, passphrase


def _still_readable(copy, passphrase) -> bool:
    from tokutei.registers.services import exports

    path = exports.copy_path(copy)
    return path.exists() and "試験 太郎" in exports.decrypt_export(path.read_bytes(), passphrase).decode()


def test_deleting_a_copy_when_the_log_cannot_be_written_leaves_the_file_readable(
        officers000, a_copy, full_disk, django_capture_on_commit_callbacks):
    from tokutei.policy import Actor
    from tokutei.registers.services import exports

    copy, passphrase = a_copy
    full_disk()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        exports.delete_copy(copy=copy, actor=Actor(user=officers000["operator"]), reason="manual")
    copy.refresh_from_db()
    assert copy.deleted_at is None
    assert _still_readable(copy, passphrase)


def test_the_delete_button_with_a_full_disk_fails_and_the_copy_stays(client, officers000, a_copy, full_disk,
                                                                     django_capture_on_commit_callbacks):
    copy, passphrase = a_copy
    client.force_login(officers000["operator"])
    client.raise_request_exception = False
    full_disk()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/registers/exports/{copy.pk}/delete/")
    assert response.status_code == 500
    copy.refresh_from_db()
    assert copy.deleted_at is None and _still_readable(copy, passphrase)


def test_with_the_log_written_the_copy_is_shredded_once_the_deletion_commits(officers000, a_copy,
                                                                             django_capture_on_commit_callbacks):
    from tokutei.policy import Actor
    from tokutei.registers.services import exports

    copy, passphrase = a_copy
    with django_capture_on_commit_callbacks(execute=False) as effects:
        exports.delete_copy(copy=copy, actor=Actor(user=officers000["operator"]), reason="manual")
        assert _still_readable(copy, passphrase)  # nothing irreversible before the commit
    for effect in effects:
        effect()
    assert not exports.copy_path(copy).exists()
    assert Entry.objects.filter(action="vault.delete", target_type="copy", target_id=str(copy.pk)).count() == 1
