"""出力 (002 §11, §26; 000 §9.2): encrypted files, bulk approval, fields by purpose, temporary copies (E-40)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.policy import Actor
from tokutei.registers.models import TemporaryCopy
from tokutei.registers.services import exports


def my_number(seed: int) -> str:
    body = f"{seed:011d}"
    weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    r = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return body + str(0 if r <= 1 else 11 - r)


def _web(user, entered):
    """``user`` on the registered terminal of ``entered``, for its declared task (the fixture's purpose)."""
    return Actor(user=user, terminal=entered["terminal"], purpose=entered["purpose"])


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    from tokutei.vault import keys

    settings.KEY_DIR = tmp_path / "keys"
    keys.reset_cache()
    keys.ensure_keys()
    yield settings.KEY_DIR
    keys.reset_cache()


@pytest.fixture
def purpose(org000):
    return next(iter(org000.selectable_tasks()))


def _enter(org000, officers000, make_terminal, purpose, n):
    from tokutei.vault.services import create_file, intake_person

    terminal = make_terminal("業務端末1")[0]
    operator = officers000["operator"]
    f = create_file(actor=Actor(user=operator, terminal=terminal), name="年金受給者ファイル", tasks=[purpose])
    for i in range(n):
        intake_person(actor=Actor(user=operator, terminal=terminal, purpose=purpose), file=f,
                      values={"my_number": my_number(10_000_000_000 + i), "name": f"試験 花子{i}",
                              "birth_date": "1950-04-01", "sex": "女", "address": "仙台市青葉区一番町"})
    return {"terminal": terminal, "operator": operator, "file": f, "count": n, "purpose": purpose}


@pytest.fixture
def people(org000, officers000, make_terminal, purpose, export_dir):
    """One person over the 000 bulk threshold (100 + 1), entered by an operator on a registered terminal."""
    return _enter(org000, officers000, make_terminal, purpose, org000.bulk.threshold + 1)


@pytest.fixture
def few(org000, officers000, make_terminal, purpose, export_dir):
    return _enter(org000, officers000, make_terminal, purpose, 3)


def test_an_export_above_the_bulk_threshold_without_prior_approval_is_refused(people, purpose, export_dir):
    with pytest.raises(Refused) as exc:
        exports.export_people(actor=_web(people["operator"], people),
                              recipient="年金課 審査係")
    assert "本人確認情報管理責任者" in exc.value.message and exc.value.article == "000 §9.2"
    assert not TemporaryCopy.objects.exists()
    assert not list(export_dir.glob("*")) if export_dir.exists() else True
    assert Entry.objects.filter(action="vault.export", result="refused").exists()


def test_with_the_bulk_approval_it_works_once_and_the_file_is_encrypted(people, purpose, officers000, export_dir):
    o = officers000
    req = services.create_request(actor=Actor.console(people["operator"]), operation="bulk_handling",
                                  particulars={"purpose": purpose, "count_limit": people["count"]})
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    copy, passphrase = exports.export_people(actor=_web(people["operator"], people), recipient="年金課 審査係",
                                             bulk_approval_id=req.pk)
    assert copy.record_count == people["count"]
    blob = exports.copy_path(copy).read_bytes()
    for plain in ("試験".encode(), "花子".encode(), my_number(10_000_000_000).encode(), "仙台市".encode(),
                  "試験".encode("utf-16-le"), b"1950-04-01"):
        assert plain not in blob
    text = exports.decrypt_export(blob, passphrase).decode("utf-8-sig")
    assert "試験 花子0" in text and my_number(10_000_000_000) in text
    assert ApprovalRequest.objects.get(pk=req.pk).status == ApprovalRequest.Status.USED
    with pytest.raises(Refused, match="既に使用"):
        exports.export_people(actor=_web(people["operator"], people),
                              recipient="年金課 審査係", bulk_approval_id=req.pk)
    assert TemporaryCopy.objects.count() == 1
    entry = Entry.objects.get(action="vault.export", result="ok")
    assert entry.count == people["count"] and "試験" not in str(entry.details)


def test_a_bulk_approval_smaller_than_the_export_is_refused(people, purpose, officers000):
    o = officers000
    req = services.create_request(actor=Actor.console(people["operator"]), operation="bulk_handling",
                                  particulars={"purpose": purpose, "count_limit": 101 - 1})
    services.decide(actor=Actor.console(o["id_manager"]), request_id=req.pk, approve=True)
    with pytest.raises(Refused, match="上限"):
        exports.export_people(actor=_web(people["operator"], people),
                              recipient="年金課", bulk_approval_id=req.pk)
    assert ApprovalRequest.objects.get(pk=req.pk).status == ApprovalRequest.Status.APPROVED


def test_a_small_export_needs_no_bulk_approval_and_holds_only_allowed_fields(few, purpose, org000):
    ids = list(few["file"].people.values_list("pk", flat=True)[:3])
    copy, passphrase = exports.export_people(actor=_web(few["operator"], few), recipient="年金課",
                                             person_ids=ids)
    assert copy.record_count == 3
    assert set(copy.field_keys) <= set(org000.tasks[purpose].fields)
    header = exports.decrypt_export(exports.copy_path(copy).read_bytes(), passphrase).decode("utf-8-sig")
    assert header.splitlines()[0].split(",") == [org000.fields[k].ja for k in copy.field_keys]


def test_a_wrong_passphrase_does_not_open_the_file(few, purpose):
    ids = list(few["file"].people.values_list("pk", flat=True)[:1])
    copy, _ = exports.export_people(actor=_web(few["operator"], few),
                                    recipient="年金課", person_ids=ids)
    with pytest.raises(exports.ExportFormatError):
        exports.decrypt_export(exports.copy_path(copy).read_bytes(), "WRONG-PASS")


def test_a_non_handler_cannot_export(few, purpose, officers000):
    with pytest.raises(Refused):
        exports.export_people(actor=_web(officers000["sys_admin"], few),
                              recipient="年金課")
    assert not TemporaryCopy.objects.exists()


def test_expired_copies_are_deleted_and_the_deletion_recorded(few, purpose, django_capture_on_commit_callbacks):
    ids = list(few["file"].people.values_list("pk", flat=True)[:2])
    copy, _ = exports.export_people(actor=_web(few["operator"], few),
                                    recipient="年金課", person_ids=ids, ttl=dt.timedelta(hours=1))
    path = exports.copy_path(copy)
    assert path.exists()
    call_command("purge_copies")
    assert path.exists()  # not yet expired
    TemporaryCopy.objects.filter(pk=copy.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):  # the file is shredded once the deletion commits
        call_command("purge_copies")
    assert not path.exists()
    copy.refresh_from_db()
    assert copy.deleted_at is not None and copy.deletion_reason == "expired"
    assert Entry.objects.filter(action="vault.delete", target_type="copy", target_id=str(copy.pk)).exists()
