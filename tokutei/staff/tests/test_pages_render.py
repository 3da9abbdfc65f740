"""Every staff page renders for the people who use it, on real profiles with demo staff."""

from __future__ import annotations

import pytest

from tokutei.staff import demo
from tokutei.staff.models import PostHolding, RoleAssignment, User


def _load(activate, name):
    profile = activate(name)
    admin = User.objects.create_user(username="admin", password="x" * 16, full_name="初期管理者")
    for key in profile.admin_roles():
        RoleAssignment.objects.create(user=admin, role_key=key, basis="bootstrap", start_date="2020-04-01")
    demo.load()
    return admin


@pytest.mark.parametrize("name", ["hyogo-kyosai", "kokubunji"])
def test_the_administration_pages_render(client, activate, name):
    admin = _load(activate, name)
    client.force_login(admin)
    member = User.objects.exclude(pk=admin.pk).first()
    assert member is not None
    urls = ["/", "/staff/", "/staff/?all=1", "/staff/new/", f"/staff/{member.pk}/", "/staff/designations/new/",
            "/staff/register/", "/staff/register/?all=1", "/staff/posts/", "/staff/terminals/",
            "/staff/provisioning/", "/account/security/", "/terminal/enrol/?code=ABCD"]
    if name == "kokubunji":
        urls.append("/staff/password-only/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_designator_sees_the_designation_pages_but_not_staff_administration(client, activate):
    _load(activate, "hyogo-kyosai")
    officer = PostHolding.objects.get(post__key="nenkin_kacho").user
    client.force_login(officer)
    assert client.get("/staff/designations/new/").status_code == 200
    assert client.get("/staff/register/").status_code == 200
    assert client.get("/staff/terminals/").status_code == 403
    page = client.get("/").content.decode()
    assert "事務取扱担当者等を指定する" in page
