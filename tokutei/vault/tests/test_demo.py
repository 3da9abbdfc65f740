"""The vault demo works for every shipped profile (synthetic people only)."""

from __future__ import annotations

import pytest

from tokutei.vault.codec import decrypt_person_fields
from tokutei.vault.models import Person, SpecificFile


@pytest.mark.parametrize("name", ["hyogo-kyosai", "sendai-kyosai", "kokubunji", "sayama", "inabe"])
def test_the_demo_loads_synthetic_people(activate, name):
    from tokutei.staff import demo as staff_demo
    from tokutei.staff.models import RoleAssignment, User
    from tokutei.vault import demo

    profile = activate(name)
    admin = User.objects.create_user(username="admin", password="x" * 16)
    for role in sorted(profile.admin_roles()):
        RoleAssignment.objects.create(user=admin, role_key=role, start_date="2020-01-01", basis="bootstrap")
    staff_demo.load()
    lines = demo.load()
    assert any("本人" in line for line in lines)
    assert SpecificFile.objects.count() >= 2
    assert Person.objects.count() == demo.PEOPLE
    person = Person.objects.first()
    assert person is not None
    values = decrypt_person_fields(person.data, file_id=person.file_id)
    assert len(values["my_number"]) == 12
