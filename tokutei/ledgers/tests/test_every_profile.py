"""Every shipped profile: the demo loads and every ledger page renders (no profile-specific code paths)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tokutei.ledgers import demo
from tokutei.ledgers.tests.test_real_profiles import _shipped

PROFILES = ["sendai-kyosai", "kokubunji", "sayama", "inabe", "hyogo-kyosai"]


@pytest.mark.parametrize("name", PROFILES)
def test_the_demo_loads_and_every_page_renders(activate, make_user, client, name):
    _shipped(name)
    profile = activate(name)
    tasks = list(profile.selectable_tasks())
    unit = None
    recorder_units = profile.handling_status.recorder_units if profile.handling_status else []
    if recorder_units:  # 003 §7: only the handlers of these units record (and are offered the form)
        from tokutei.staff.models import Unit

        unit = Unit.objects.create(key=recorder_units[0], name_ja=profile.units[recorder_units[0]].ja)
    everyone = make_user("everyone", *profile.roles, tasks=tasks, unit=unit)
    assert demo.load()
    client.force_login(everyone)
    urls = [reverse(n) for n in ("ledgers:index", "ledgers:handling", "ledgers:handling_print",
                                 "ledgers:handling_new", "ledgers:file_register", "ledgers:file_register_print",
                                 "core:dashboard")]
    for key in profile.registers:
        urls += [reverse("ledgers:register", args=[key]), reverse("ledgers:register_print", args=[key])]
    for url in urls:
        assert client.get(url).status_code == 200, url
    for url in [reverse("ledgers:handling_export"), reverse("ledgers:file_register_export"),
                *(reverse("ledgers:register_export", args=[k]) for k in profile.registers)]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert load_workbook(io.BytesIO(response.content)).worksheets
