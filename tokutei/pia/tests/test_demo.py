"""The demo's bulk import of 1,200 people moves the first file into the 基礎項目評価 band, as its docstring
promises: the completed import is the event that re-assesses the file."""

from __future__ import annotations


def test_the_demo_import_raises_the_first_file_to_a_basic_assessment(activate, django_capture_on_commit_callbacks):
    from tokutei.pia import demo
    from tokutei.pia.models import Assessment
    from tokutei.staff import demo as staff_demo
    from tokutei.staff.models import RoleAssignment, User
    from tokutei.vault import demo as vault_demo

    profile = activate("hyogo-kyosai")
    admin = User.objects.create_user(username="admin", password="x" * 16)
    for role in sorted(profile.admin_roles()):
        RoleAssignment.objects.create(user=admin, role_key=role, start_date="2020-01-01", basis="bootstrap")
    staff_demo.load()
    vault_demo.load()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    latest = Assessment.objects.order_by("-assessed_at", "-id").first()
    assert latest is not None
    assert (latest.trigger, latest.level, latest.raised) == ("import", "basic", True)
