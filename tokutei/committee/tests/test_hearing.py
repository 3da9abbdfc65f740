"""Who the committee may hear besides its members, as the profile says: 000 §8.5 (関係職員 and 外部の専門家,
heard — no materials), 001 §15 (委員以外の者, heard and asked for materials). A record the profile does not
provide for is refused citing the hearing article, and logged."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.committee import services
from tokutei.committee.models import Attendee
from tokutei.core.errors import Refused
from tokutei.policy import Actor


def _meeting(user):
    return services.create_meeting(actor=Actor(user=user), kind="meeting", title="第1回",
                                   held_on=timezone.localdate(), agenda=[])


def test_000_the_council_hears_related_staff_and_outside_experts(activate, make_user):
    profile = activate("sendai-kyosai")
    assert profile.governance_body.may_hear == ["staff", "expert"]
    chief = make_user("tokatsu", "chief")
    meeting = _meeting(chief)
    services.add_attendee(actor=Actor(user=chief), meeting_id=meeting.pk, kind="other", name="鈴木",
                          capacity="年金係 職員")
    services.add_attendee(actor=Actor(user=chief), meeting_id=meeting.pk, kind="expert", name="佐藤",
                          capacity="大学教授")
    assert sorted(Attendee.objects.values_list("kind", flat=True)) == ["expert", "other"]
    assert Entry.objects.filter(action="committee.attendance", article="000 §8.5").count() == 2


def test_000_refuses_asking_a_non_member_for_materials_citing_s8_5(activate, make_user):
    activate("sendai-kyosai")
    chief = make_user("tokatsu", "chief")
    meeting = _meeting(chief)
    with pytest.raises(Refused, match="資料の提出") as refused:
        services.add_attendee(actor=Actor(user=chief), meeting_id=meeting.pk, kind="expert", name="佐藤",
                              materials="監査報告書")
    assert refused.value.article == "000 §8.5" and not Attendee.objects.exists()
    assert Entry.objects.filter(action="committee.attendance", result="refused", article="000 §8.5").exists()


def test_001_the_committee_hears_non_members_and_asks_them_for_materials(activate, make_user, client):
    profile = activate("kokubunji")
    assert profile.governance_body.may_request_materials
    head = make_user("sokatsu", "general_head")
    meeting = _meeting(head)
    services.add_attendee(actor=Actor(user=head), meeting_id=meeting.pk, kind="other", name="田中",
                          capacity="保守委託業者", materials="障害報告書")
    assert Attendee.objects.get().materials == "障害報告書"
    assert Entry.objects.filter(action="committee.attendance", article="001 §15").exists()
    client.force_login(head)
    assert "障害報告書" in client.get(f"/committee/{meeting.pk}/").content.decode()
