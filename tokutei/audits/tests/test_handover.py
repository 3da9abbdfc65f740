"""003 §5 (E-38): a change of 事務取扱責任者 completes only when the outgoing holder's 業務引継簿 has been
confirmed by the 保護管理者 after reviewing it and interviewing; elsewhere a change needs no book."""

from __future__ import annotations

import datetime as dt

import pytest

from tokutei.auditlog.models import Entry
from tokutei.audits import services
from tokutei.audits.models import Handover
from tokutei.core.errors import Refused
from tokutei.staff import services as staff
from tokutei.staff.models import Post
from tokutei.staff.selectors import has_role

from .conftest import today, web

BOOK = {"work": "年末調整の準備中", "files": "職員課キャビネットA（施錠）", "handlers": "担当者2名（給与・社会保険）",
        "pending": "法定調書の提出（1月末）", "keys": "キャビネットの鍵は課長が保管"}


@pytest.fixture
def inabe(shipped, person):
    profile = shipped("inabe")
    admin = person("kanri", "system_admin")
    pm = person("kacho", "pm", unit="shokuin")
    post = Post.objects.get(key="shokuin_shumusha")
    outgoing = person("maeda", unit="shokuin")
    successor = person("ushiro", unit="shokuin")
    staff.assign_post(actor=web(admin), user=outgoing, post=post, start_date=today())
    return profile, admin, pm, post, outgoing, successor


def test_003_a_change_of_handling_manager_waits_for_the_book_and_the_managers_confirmation(inabe):
    _profile, admin, pm, post, outgoing, successor = inabe
    tomorrow = today() + dt.timedelta(days=1)
    assert has_role(outgoing, ["handling_mgr"])
    # without a book, the change is refused and the refusal cites 003 §5
    with pytest.raises(Refused) as exc:
        staff.assign_post(actor=web(admin), user=successor, post=post, start_date=today())
    assert exc.value.code == "handover_not_confirmed" and exc.value.article == "003 §5"
    assert not has_role(successor, ["handling_mgr"]) and has_role(outgoing, ["handling_mgr"])
    # the outgoing holder writes and submits the book: still not enough
    book = services.write_handover(actor=web(outgoing), successor=successor, book=BOOK, submit=True)
    with pytest.raises(Refused):
        staff.assign_post(actor=web(admin), user=successor, post=post, start_date=today())
    # the 保護管理者 confirms after the interview: now the change completes
    services.confirm_handover(actor=web(pm), handover_id=book.pk, interview_note="鍵と書類の所在を本人と確認した")
    staff.assign_post(actor=web(admin), user=successor, post=post, start_date=tomorrow)
    assert has_role(successor, ["handling_mgr"], on=tomorrow) and not has_role(outgoing, ["handling_mgr"], on=tomorrow)
    actions = list(Entry.objects.filter(target_type="handover").values_list("action", flat=True))
    assert actions == ["audits.handover", "audits.handover_confirm"]


def test_003_the_book_is_submitted_only_with_every_section_filled(inabe):
    _p, _a, _pm, _post, outgoing, successor = inabe
    with pytest.raises(Refused, match="すべての事項"):
        services.write_handover(actor=web(outgoing), successor=successor, book={**BOOK, "keys": ""}, submit=True)
    draft = services.write_handover(actor=web(outgoing), successor=successor, book={**BOOK, "keys": ""})
    assert draft.status == Handover.Status.DRAFT


def test_003_the_outgoing_holder_cannot_confirm_their_own_book_and_the_interview_is_required(inabe):
    _p, _a, pm, _post, outgoing, successor = inabe
    book = services.write_handover(actor=web(outgoing), successor=successor, book=BOOK, submit=True)
    with pytest.raises(Refused):
        services.confirm_handover(actor=web(outgoing), handover_id=book.pk, interview_note="確認した")
    with pytest.raises(Refused, match="聞き取り"):
        services.confirm_handover(actor=web(pm), handover_id=book.pk, interview_note=" ")
    assert Handover.objects.get().status == Handover.Status.SUBMITTED


def test_003_a_manager_of_another_unit_cannot_confirm(inabe, person):
    _p, _a, _pm, _post, outgoing, successor = inabe
    other_pm = person("kaikei_kacho", "pm", unit="kaikei")
    book = services.write_handover(actor=web(outgoing), successor=successor, book=BOOK, submit=True)
    with pytest.raises(Refused):
        services.confirm_handover(actor=web(other_pm), handover_id=book.pk, interview_note="確認した")


def test_003_the_first_handling_manager_of_a_unit_needs_no_handover(shipped, person):
    shipped("inabe")
    admin = person("kanri", "system_admin")
    first = person("hajime", unit="kaikei")
    staff.assign_post(actor=web(admin), user=first, post=Post.objects.get(key="kaikei_shumusha"), start_date=today())
    assert has_role(first, ["handling_mgr"])


def test_004_a_change_of_post_needs_no_handover_book(shipped, person):
    shipped("hyogo-kyosai")
    admin = person("kanri", "system_admin", unit="nenkin")
    post = Post.objects.get(key="nenkin_kacho")
    first, second = person("a1", unit="nenkin"), person("a2", unit="nenkin")
    staff.assign_post(actor=web(admin), user=first, post=post, start_date=today())
    staff.assign_post(actor=web(admin), user=second, post=post, start_date=today() + dt.timedelta(days=1))
    assert has_role(second, ["protection_officer"], on=today() + dt.timedelta(days=1))
