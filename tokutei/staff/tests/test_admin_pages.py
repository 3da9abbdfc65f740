"""Administration pages: staff, designations, transfers, terminals, posts, the operator register."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tokutei.staff.models import RoleAssignment, Terminal, Unit, User
from tokutei.staff.selectors import has_role

from .conftest import entries


def test_a_clerk_cannot_open_the_administration_pages(client, clerk):
    client.force_login(clerk)
    for url in ("/staff/", "/staff/new/", "/staff/terminals/", "/staff/posts/", "/staff/register/"):
        assert client.get(url).status_code == 403, url


def test_the_administrator_creates_staff_and_sees_the_temporary_password_once(client, sysadmin, somu):
    client.force_login(sysadmin)
    response = client.post("/staff/new/", {"username": "yamada", "full_name": "山田 花子", "employment": "part_time",
                                           "unit": somu.pk})
    assert response.status_code == 200
    user = User.objects.get(username="yamada")
    assert user.employment == "part_time" and user.must_change_password
    assert "仮パスワード" in response.content.decode()
    assert client.get("/staff/").status_code == 200


def test_the_administrator_registers_a_terminal_and_sees_the_code(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post("/staff/terminals/", {"name": "年金課1", "location": "2階", "asset_tag": "PC-1"})
    page = response.content.decode()
    assert 'id="enrolment-code"' in page
    terminal = Terminal.objects.get(name="年金課1")
    client.post(f"/staff/terminals/{terminal.pk}/revoke/")
    terminal.refresh_from_db()
    assert terminal.revoked_at is not None


def test_the_manager_designates_a_clerk_through_the_form(client, manager, make_user, somu):
    person = make_user("tanaka", unit=somu)
    client.force_login(manager)
    response = client.post("/staff/designations/new/", {
        "user": person.pk, "role_key": "clerk", "tasks": ["payroll", "insurance"], "start_date": "2026-04-01",
    })
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=person).tasks == ["payroll", "insurance"]


def test_a_refused_designation_shows_the_article_and_changes_nothing(client, manager, make_user, somu):
    person = make_user("tanaka", unit=somu)
    client.force_login(manager)
    response = client.post("/staff/designations/new/", {"user": person.pk, "role_key": "clerk",
                                                        "start_date": "2026-04-01"})
    assert response.status_code == 200 and "テスト規程第5条" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_the_transfer_form_revokes_designations(client, sysadmin, clerk):
    other = Unit.objects.create(key="kaikei", name_ja="会計課")
    client.force_login(sysadmin)
    client.post(f"/staff/{clerk.pk}/transfer/", {"unit": other.pk, "reason": "異動"})
    assert not has_role(clerk, ["clerk"])


def test_the_post_page_assigns_a_post(client, sysadmin, make_user, somu):
    from tokutei.staff.models import Post

    person = make_user("kacho", unit=somu)
    client.force_login(sysadmin)
    client.post("/staff/posts/", {"post": Post.objects.get(key="somu_kacho").pk, "user": person.pk,
                                  "start_date": "2026-04-01"})
    assert has_role(person, ["manager"])


def test_the_operator_register_lists_designations_and_exports_csv_and_excel(client, sysadmin, manager, clerk):
    client.force_login(sysadmin)
    page = client.get("/staff/register/").content.decode()
    assert "clerk" in page and "給与所得の源泉徴収票作成事務" in page
    response = client.get("/staff/register/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ユーザID", "氏名", "所属", "役割"]
    assert any(r[0] == "clerk" and r[3] == "事務取扱担当者" for r in rows[1:])
    response = client.get("/staff/register/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any(row[0] == "clerk" for row in sheet.iter_rows(values_only=True))
    assert entries("staff.register_export").count() == 2


def test_the_administrator_reissues_a_password_revokes_factors_and_unlocks(client, sysadmin, clerk, totp_user):
    import datetime as dt

    from django.utils import timezone

    totp_user(clerk)
    User.objects.filter(pk=clerk.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=30))
    client.force_login(sysadmin)
    response = client.post(f"/staff/{clerk.pk}/reset/", {"what": "password"})
    assert "仮パスワード" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.must_change_password and not clerk.check_password("correct horse 42")
    client.post(f"/staff/{clerk.pk}/reset/", {"what": "second_factors"})
    assert not clerk.second_factors.filter(revoked_at=None).exists()
    client.post(f"/staff/{clerk.pk}/reset/", {"what": "unlock"})
    clerk.refresh_from_db()
    assert clerk.locked_until is None
    assert entries("staff.credential_reset").count() == 3


def test_a_clerk_cannot_reset_credentials(client, clerk, manager):
    client.force_login(clerk)
    assert client.post(f"/staff/{manager.pk}/reset/", {"what": "password"}).status_code == 403


def test_the_register_follows_the_profile_layout_and_keeps_every_required_column(client, activate, make_user):
    activate("kokubunji")  # 001 別記様式: 登録番号, 所属, 氏名, 登録年月日, 認証方法, 登録取消年月日
    officer = make_user("kacho", "sec_officer")
    make_user("sousa1", "operator", tasks=["duties"])
    client.force_login(officer)
    page = client.get("/staff/register/").content.decode()
    assert "住民基本台帳ネットワークシステム端末機操作者登録簿" in page
    header = next(csv.reader(io.StringIO(client.get("/staff/register/?format=csv").content.decode("utf-8-sig"))))
    assert header[:6] == ["登録番号", "所属", "氏名", "登録年月日", "認証方法", "登録取消年月日"]
    assert {"ユーザID", "役割", "事務の範囲", "指定者"} <= set(header)


def test_it_logs_the_refusal_of_an_administration_page_with_the_article_from_the_profile(client, clerk):
    client.force_login(clerk)
    response = client.get("/staff/")
    assert response.status_code == 403 and "テスト規程第4条" in response.content.decode()  # T99 §4, cited
    entry = entries("staff.view", result="refused").get()
    assert entry.actor_id == clerk.pk and entry.article == "T99 §4" and entry.details["path"] == "/staff/"


def test_it_logs_the_refusal_of_an_administration_form_post(client, clerk, manager):
    client.force_login(clerk)
    assert client.post(f"/staff/{manager.pk}/transfer/", {"unit": "", "reason": "x"}).status_code == 403
    assert entries("staff.transfer", result="refused", actor_id=clerk.pk).count() == 1


def test_opening_the_staff_and_post_pages_writes_nothing(client, activate, make_user):
    from tokutei.auditlog.models import Entry
    from tokutei.staff.models import Post

    activate("hyogo-kyosai")  # its units and posts are written by `tokutei init`, not by a page view
    admin = make_user("kanri", "system_admin")
    client.force_login(admin)
    before = (Unit.objects.count(), Post.objects.count(), Entry.objects.count())
    for url in ("/staff/new/", "/staff/posts/", "/staff/", "/staff/register/", "/staff/terminals/"):
        assert client.get(url).status_code == 200, url
    assert (Unit.objects.count(), Post.objects.count(), Entry.objects.count()) == before


def test_the_register_warns_of_missing_holders_citing_the_article_as_the_profile_does(client, activate, make_user):
    from tokutei.profiles.citations import cite

    profile = activate("sendai-kyosai")  # 000: exactly two 拠点管理者, none designated yet
    client.force_login(make_user("kanri", "sys_admin"))
    page = client.get("/staff/register/").content.decode()
    role = profile.roles["site_admin"]
    assert f"{role.ja}は2名必要ですが、現在0名です（{cite(role.article, profile)}）" in page
    assert role.article not in page  # never the machine form on a screen
