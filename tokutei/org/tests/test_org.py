"""Organisation records (docs/org.md): each member of staff acknowledges the duties of the regulation once per
version of the rules (000 §21, 001 §10, 002 §9); disciplinary measures (001 §17) are seen only by the roles the
profile names; the organisation chart comes from the profile; a changed profile is applied and logged."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from tokutei.auditlog.models import Entry
from tokutei.core.errors import Refused
from tokutei.org import services
from tokutei.org.models import Acknowledgement, DisciplinaryMeasure
from tokutei.policy import Actor
from tokutei.profiles.models import ActiveProfile

DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "profiles" / "data"


@pytest.fixture
def revised(settings, tmp_path):
    """A revised 000 profile (a new version in force yesterday) in a profile directory of its own."""
    def _make(name: str = "sendai-kyosai", new_name: str = "sendai-kyosai-r2", code: str | None = None):
        data = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
        data["organisation"]["versions"].append(
            {"in_force": timezone.localdate() - dt.timedelta(days=1), "note": "一部改正（テスト）"})
        if code:
            data["organisation"]["code"] = code
        (tmp_path / f"{new_name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                   encoding="utf-8")
        settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, tmp_path]
        return new_name
    return _make


def test_000_a_member_of_staff_acknowledges_the_duty_once_per_version_of_the_rules(activate, make_user, client,
                                                                                   revised):
    activate("sendai-kyosai")
    operator = make_user("sosasha", "operator", tasks=["p1"])
    admin = make_user("kanri", "sys_admin")
    client.force_login(operator)
    page = client.get("/org/duties/").content.decode()
    assert "本人確認情報に関し知り得た情報をみだりに他人に知らせ" in page and "セキュリティ管理規程第21条" in page
    client.post("/org/duties/confidentiality/acknowledge/")
    first = Acknowledgement.objects.get(user=operator)
    assert first.rules_in_force == dt.date(2016, 6, 14) and first.article == "000 §21"
    with pytest.raises(Refused, match="既に確認"):
        services.acknowledge(actor=Actor(user=operator), duty_key="confidentiality")
    # the rules change: the old acknowledgement no longer counts until given again under the new version
    services.apply_profile(actor=Actor.console(admin), name=revised())
    client.force_login(admin)
    assert "旧版で確認" in client.get("/org/acknowledgements/").content.decode()
    again = services.acknowledge(actor=Actor(user=operator), duty_key="confidentiality")
    assert again.rules_in_force == timezone.localdate() - dt.timedelta(days=1)
    assert Entry.objects.filter(action="org.acknowledge", result="ok").count() == 2
    assert "旧版で確認" not in client.get("/org/acknowledgements/").content.decode()


def test_002_only_the_duty_s_audience_acknowledges_it(activate, make_user):
    activate("sayama")
    pm = make_user("kacho", "pm")
    with pytest.raises(Refused) as refused:
        services.acknowledge(actor=Actor(user=pm), duty_key="compliance")
    assert refused.value.code == "not_audience" and refused.value.article == "002 §9"
    staff = make_user("tanto", "staff", tasks=["local_tax"])
    assert services.acknowledge(actor=Actor(user=staff), duty_key="compliance").article == "002 §9"


def test_the_register_is_printed_and_exported_and_a_paper_pledge_is_recorded(activate, make_user, client):
    activate("kokubunji")
    officer = make_user("sekinin", "sec_officer")
    operator = make_user("sosasha", "operator")
    client.force_login(officer)
    client.post("/org/acknowledgements/paper/", {"user": operator.pk, "duty": "confidentiality",
                                                 "signed_on": timezone.localdate().isoformat()})
    ack = Acknowledgement.objects.get(user=operator)
    assert ack.on_paper and ack.recorded_by == officer
    printed = client.get("/org/acknowledgements/print/").content.decode()
    assert "sosasha 太郎" in printed and "（書面）" in printed and "未確認" in printed  # the officer has not
    xlsx = client.get("/org/acknowledgements/export.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert Entry.objects.get(action="org.ack_export").count == 2
    client.force_login(operator)
    assert client.get("/org/acknowledgements/").status_code == 403  # the register is its keepers'


def test_002_a_protection_manager_sees_only_their_own_units_staff_in_the_register(activate, make_user, client):
    from tokutei.staff.models import Unit

    activate("sayama")
    mine, other = Unit.objects.create(key="shimin", name_ja="市民課"), Unit.objects.create(key="zeimu", name_ja="税務課")
    pm = make_user("kacho", "pm", unit=mine)
    make_user("tanto1", "staff", tasks=["local_tax"], unit=mine)
    make_user("tanto2", "staff", tasks=["local_tax"], unit=other)
    client.force_login(pm)
    page = client.get("/org/acknowledgements/").content.decode()
    assert "tanto1 太郎" in page and "tanto2 太郎" not in page


def test_001_disciplinary_measures_are_seen_only_by_the_mayor(activate, make_user, client):
    activate("kokubunji")
    mayor, head, officer = make_user("shicho", "mayor"), make_user("sokatsu", "general_head"), make_user("sekinin", "sec_officer")
    operator = make_user("sosasha", "operator")
    client.force_login(mayor)
    client.post("/org/discipline/", {"user": operator.pk, "kind": "disciplinary", "ground": "秘密を漏らすことの禁止（§10.3）",
                                     "decided_on": timezone.localdate().isoformat(), "description": "戒告"})
    measure = DisciplinaryMeasure.objects.get()
    assert measure.user == operator and measure.article == "001 §17"
    page = client.get("/org/discipline/").content.decode()
    assert "sosasha 太郎" in page and "懲戒に関する条例に基づく処分" in page
    for other in (head, officer, operator):
        client.force_login(other)
        assert client.get("/org/discipline/").status_code == 403
        assert client.get(f"/org/discipline/{measure.pk}/").status_code in (403, 404)
        assert "懲戒" not in client.get("/").content.decode().split("<main", 1)[0]  # no menu entry either
    entry = Entry.objects.get(action="org.discipline_record", result="ok")
    assert "戒告" not in str(entry.details) and "秘密" not in str(entry.details)  # the log names the record only
    with pytest.raises(Refused):
        services.record_measure(actor=Actor(user=head), user_id=operator.pk, kind="other", ground="x",
                                decided_on=timezone.localdate())


def test_000_keeps_no_disciplinary_records_as_its_regulation_provides_none(activate, make_user, client):
    activate("sendai-kyosai")
    client.force_login(make_user("tokatsu", "chief", "sys_admin"))
    assert client.get("/org/discipline/").status_code == 403
    assert Entry.objects.filter(action="org.discipline_view", result="refused").exists()


def test_001_the_chart_shows_the_roles_their_holders_and_the_reporting_line(activate, make_user, client):
    activate("kokubunji")
    make_user("shicho", "mayor")
    operator = make_user("sosasha", "operator")
    client.force_login(operator)
    page = client.get("/org/").content.decode()
    for text in ("市長", "shicho 太郎", "住基ネット情報セキュリティ責任者", "市民生活部長",
                 "同時に報告を受ける者: 市長・住基ネット情報セキュリティ総括責任者", "セキュリティ規程第9条"):
        assert text in page, text


def test_a_changed_profile_is_applied_and_logged_and_another_organisations_is_refused(activate, make_user,
                                                                                       revised, client):
    activate("sendai-kyosai")
    admin = make_user("kanri", "sys_admin")
    before = ActiveProfile.objects.get()
    with pytest.raises(Refused, match="別の組織"):
        services.apply_profile(actor=Actor.console(admin), name="kokubunji")
    with pytest.raises(Refused, match="同じ内容"):
        services.apply_profile(actor=Actor.console(admin), name="sendai-kyosai")
    with pytest.raises(Refused):  # only from the console
        services.apply_profile(actor=Actor(user=admin), name=revised())
    row = services.apply_profile(actor=Actor.console(admin), name="sendai-kyosai-r2")
    entry = Entry.objects.get(action="system.profile_activate", result="ok")
    assert entry.details["from_sha256"] == before.sha256 and entry.details["to_sha256"] == row.sha256
    assert entry.details["versions_added"] == [(timezone.localdate() - dt.timedelta(days=1)).isoformat()]
    assert Entry.objects.filter(action="system.profile_activate", result="refused").count() == 3
    client.force_login(admin)
    page = client.get(f"/org/versions/?on={dt.date(2015, 1, 1).isoformat()}").content.decode()
    assert "sendai-kyosai-r2" in page and "平成26年5月16日" in page  # the version in force on that date


def test_the_console_command_applies_a_profile(activate, make_user, revised):
    from django.core.management import call_command

    activate("sendai-kyosai")
    make_user("kanri", "sys_admin")
    call_command("org", "apply-profile", revised(), "--as", "kanri")
    assert ActiveProfile.objects.count() == 2


def test_docs_describe_the_app():
    text = (DATA.parents[2] / "docs" / "org.md").read_text(encoding="utf-8")
    for part in ("org.acknowledge", "org.discipline_view", "system.profile_activate", "tokutei org apply-profile"):
        assert part in text, part


def test_the_api_lists_ones_duties_acknowledges_and_gives_the_register(activate, make_user, client):
    activate("sendai-kyosai")
    operator = make_user("sosasha", "operator", tasks=["p1"])
    client.force_login(operator)
    duties = client.get("/api/v1/org/duties").json()
    assert duties[0]["key"] == "confidentiality" and duties[0]["acknowledged_on"] is None
    assert client.post("/api/v1/org/duties/confidentiality/acknowledge").status_code == 201
    refused = client.post("/api/v1/org/duties/confidentiality/acknowledge")
    assert refused.status_code == 403 and refused.json()["article"] == "000 §21"
    assert client.get("/api/v1/org/acknowledgements").status_code == 403
    client.force_login(make_user("kanri", "sys_admin"))
    rows = client.get("/api/v1/org/acknowledgements").json()
    assert {"user_id": operator.pk, "duty": "confidentiality", "current": True} .items() <= \
        next(r for r in rows if r["user_id"] == operator.pk).items()
